package org.electrolab.replica.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noMethods;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The VR core stays a pure, deterministic state machine (docs/architecture.md, "The VR core"): no
 * network or kernel adapters, no Vert.x, no FFM, no clock, no threads or concurrency, and no
 * randomness but the seeded source. The simulator's replays depend on it.
 */
class CoreArchitectureTest {

    private static final String CORE = "org.electrolab.replica.core";

    private static final List<ArchRule> RULES = List.of(
            noClasses().that().resideInAPackage(CORE).should().dependOnClassesThat().resideInAnyPackage(
                            "io.vertx..", "java.lang.foreign..", "java.time..", "java.util.concurrent..",
                            "java.net..", "java.nio.channels..", "java.nio.file..",
                            "org.electrolab.replica.transport..", "org.electrolab.replica.offload..")
                    .because("the core is fed messages and ticks; I/O, time and the kernel path belong to adapters"),
            noClasses().that().resideInAPackage(CORE).should().dependOnClassesThat().areAssignableTo(Thread.class)
                    .orShould().dependOnClassesThat().areAssignableTo(ThreadLocal.class)
                    .because("the core is single-threaded"),
            noMethods().that().areDeclaredInClassesThat().resideInAPackage(CORE)
                    .should().haveModifier(JavaModifier.SYNCHRONIZED)
                    .because("the core is single-threaded"),
            noClasses().that().resideInAPackage(CORE)
                    .should().callMethod(System.class, "currentTimeMillis")
                    .orShould().callMethod(System.class, "nanoTime")
                    .orShould().callMethod(Math.class, "random")
                    .orShould().callConstructor(Random.class)
                    .because("time is counted in ticks and randomness comes from the seed, so a run replays exactly"));

    @Test
    void theCoreIsPureAndDeterministic() {
        JavaClasses core = new ClassFileImporter()
                // not Predefined.DO_NOT_INCLUDE_TESTS: it knows only target/, and builds here may use target-<name>/
                .withImportOption(location -> !location.contains("/test-classes/"))
                .importPackages(CORE);
        assertThat(core.contain(Replica.class)).isTrue();
        for (ArchRule rule : RULES) rule.check(core);
    }

    /** The rules must bite: a class in the core package that does each forbidden thing breaks one. */
    @Test
    void theRulesRejectClocksThreadsAndConcurrency() {
        JavaClasses bad = new ClassFileImporter().importClasses(ImpureCore.class);
        long broken = RULES.stream().filter(rule -> rule.evaluate(bad).hasViolation()).count();
        assertThat(broken).isEqualTo(RULES.size());
    }

    @SuppressWarnings("unused")
    private static final class ImpureCore {
        private final ConcurrentHashMap<Long, Long> map = new ConcurrentHashMap<>();

        synchronized long now() throws InterruptedException {
            Thread.sleep(1);
            return System.nanoTime() + new Random().nextLong() + (long) Math.random() + java.time.Instant.now().getNano();
        }
    }
}

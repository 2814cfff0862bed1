package org.electrolab.lab;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.EvaluationResult;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.electrolab.lab.report.Report;
import org.electrolab.protocol.Message;
import org.electrolab.replica.core.Replica;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;

/**
 * The package rules of docs/architecture.md ("Modules" and "Packages inside lab/") over the main
 * classes of every module: protocol &lt;- replica, client &lt;- lab and nothing back; inside lab/,
 * commands on top, experiment/ and faults/ apart, report/ used by commands only.
 *
 * <p>Some of lab's rules are broken today. Each such dependency is listed, one by one, in {@link
 * #EXISTING}: the rule holds for everything else, and an entry that no longer occurs fails {@link
 * #everyListedViolationStillOccurs}, so the list only shrinks (empty since pipeline/ holds what
 * experiment/ and faults/ share).
 */
class LayeringTest {

    private static final String LAB = "org.electrolab.lab";

    /** Each module and the modules it may use. */
    private static final Map<String, Set<String>> MODULES = Map.of(
            "protocol", Set.of(),
            "replica", Set.of("protocol"),
            "client", Set.of("protocol"),
            "lab", Set.of("protocol", "replica", "client"));

    /**
     * Violations of the lab rules allowed for now, as "origin -> target" (top-level classes, relative
     * to org.electrolab.lab), by rule: none since pipeline/ holds what experiment/ and faults/ share.
     * What ArchUnit cannot see is not here: faults.CampaignRunner also reads
     * ClientCommand.EXIT_VIOLATION, a constant the compiler copies into it.
     */
    private static final Map<String, Set<String>> EXISTING = Map.of();

    private static final JavaClasses MAIN = new ClassFileImporter()
            // Main classes only: not test-classes/ (any build directory) nor a module's test jar.
            .withImportOption(location -> !location.contains("/test-classes/") && !location.contains("-tests.jar"))
            .importPackages("org.electrolab");

    private static final DescribedPredicate<JavaClass> COMMAND = DescribedPredicate.describe("commands (org.electrolab.lab and @Command classes)",
            c -> topLevel(c).getPackageName().equals(LAB) || topLevel(c).isAnnotatedWith(Command.class));

    @Test
    void theModulesUseOnlyTheModulesBelowThem() {
        assertThat(MAIN.contain(Message.class) && MAIN.contain(Replica.class) && MAIN.contain(Main.class)).isTrue();
        assertThat(violations(moduleRules())).isEmpty();
    }

    @Test
    void insideLabCommandsAreOnTopExperimentAndFaultsApartAndReportForCommands() {
        assertThat(MAIN.contain(Report.class)).isTrue();
        assertThat(violations(labRules(EXISTING))).isEmpty();
    }

    @Test
    void everyListedViolationStillOccurs() {
        Set<String> occurring = new TreeSet<>();
        for (JavaClass origin : MAIN) {
            if (!inLab().test(origin)) continue;
            for (Dependency d : origin.getDirectDependenciesFromSelf()) occurring.add(pair(origin, d.getTargetClass()));
        }
        Set<String> gone = new TreeSet<>();
        EXISTING.values().forEach(gone::addAll);
        gone.removeAll(occurring);
        assertThat(gone).as("listed in LayeringTest.EXISTING but no longer there: delete them from the list").isEmpty();
    }

    /** The rules must bite: a class of protocol that uses a lab class breaks its module's rule. */
    @Test
    void theModuleRulesRejectADependencyUpwards() {
        JavaClasses bad = new ClassFileImporter().importClasses(org.electrolab.protocol.layering.UsesLab.class);
        assertThat(moduleRules().stream().filter(rule -> rule.evaluate(bad).hasViolation())).hasSize(1);
    }

    /**
     * The rules must bite: an experiment/ class that uses faults/, report/ and a command breaks the
     * rules for experiment/, report/ and commands, a faults/ class that uses experiment/ breaks faults',
     * and a pipeline/ class that uses experiment/ and faults/ breaks pipeline's; lab's own classes break none.
     */
    @Test
    void theLabRulesRejectWhatTheyForbid() {
        JavaClasses bad = new ClassFileImporter().importClasses(org.electrolab.lab.experiment.UsesFaultsReportAndACommand.class,
                org.electrolab.lab.pipeline.UsesExperimentAndFaults.class, org.electrolab.lab.faults.UsesExperiment.class);
        assertThat(labRules(Map.of())).allSatisfy(rule -> assertThat(rule.evaluate(bad).hasViolation())
                .as("%s is broken by the bad classes", rule.getDescription()).isTrue());
        assertThat(labRules(Map.of()).stream().filter(rule -> rule.evaluate(MAIN).hasViolation())).as("rules lab's classes break").isEmpty();
    }

    /**
     * Public nested main types named like a top-level main type, today (binary names). The list only
     * shrinks: {@link #noTwoMainTypesShareASimpleName} fails on a new one and on one that is gone.
     */
    private static final Set<String> NESTED_LIKE_TOP_LEVEL = Set.of(
            "org.electrolab.client.KvClient$Options",
            "org.electrolab.lab.faults.Campaign$Run",
            "org.electrolab.lab.kernels.KernelCheck$Options",
            "org.electrolab.protocol.Kv$Status");

    /**
     * Names that say one thing (docs/architecture.md, "Names"): no two top-level main types of any
     * module share a simple name, and no public nested type takes a top-level type's name (as the
     * offload's and the core's KernelState, or Lab.Status beside the core's Status, once did) beyond
     * those listed in {@link #NESTED_LIKE_TOP_LEVEL}.
     */
    @Test
    void noTwoMainTypesShareASimpleName() {
        Map<String, List<String>> topLevel = new TreeMap<>();
        for (JavaClass c : MAIN) {
            if (c.isTopLevelClass() && !c.getSimpleName().equals("package-info")) {
                topLevel.computeIfAbsent(c.getSimpleName(), k -> new ArrayList<>()).add(c.getName());
            }
        }
        assertThat(topLevel).as("main types of the four modules").containsKeys("Replica", "Lab", "Message", "KvClient");
        assertThat(topLevel.values().stream().filter(names -> names.size() > 1)).as("top-level types that share a simple name").isEmpty();
        Set<String> nestedLikeTopLevel = new TreeSet<>();
        for (JavaClass c : MAIN) {
            if (c.isNestedClass() && !c.isAnonymousClass() && !c.isLocalClass() && c.getModifiers().contains(JavaModifier.PUBLIC)
                    && topLevel.containsKey(c.getSimpleName())) {
                nestedLikeTopLevel.add(c.getName());
            }
        }
        assertThat(nestedLikeTopLevel).as("public nested types named like a top-level type (LayeringTest.NESTED_LIKE_TOP_LEVEL)")
                .isEqualTo(new TreeSet<>(NESTED_LIKE_TOP_LEVEL));
    }

    /** Every rule's failure report, not only the first rule's. */
    private static List<String> violations(List<ArchRule> rules) {
        return rules.stream().map(rule -> rule.evaluate(MAIN)).filter(EvaluationResult::hasViolation)
                .map(result -> result.getFailureReport().toString()).toList();
    }

    private static List<ArchRule> moduleRules() {
        List<ArchRule> rules = new ArrayList<>();
        MODULES.forEach((module, below) -> {
            String[] forbidden = MODULES.keySet().stream().filter(m -> !m.equals(module) && !below.contains(m))
                    .map(m -> "org.electrolab." + m + "..").toArray(String[]::new);
            if (forbidden.length == 0) return;
            rules.add(noClasses().that().resideInAPackage("org.electrolab." + module + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(forbidden)
                    .because(module + " may use only " + (below.isEmpty() ? "itself" : String.join(", ", new TreeSet<>(below)))
                            + " (docs/architecture.md, Modules)")
                    .allowEmptyShould(true));
        });
        return rules;
    }

    /** The lab rules, each with the dependencies {@code allowed} lists for it. */
    private static List<ArchRule> labRules(Map<String, Set<String>> allowed) {
        DescribedPredicate<JavaClass> experiment = inPackage("experiment"), faults = inPackage("faults"), report = inPackage("report"),
                pipeline = inPackage("pipeline");
        return List.of(
                classes().that(pipeline).should(notUse(experiment.or(faults), allowed.get("pipeline")))
                        .because("pipeline/ is what experiment/ and faults/ share; it uses neither"),
                classes().that(experiment).should(notUse(faults, allowed.get("experiment and faults")))
                        .because("experiment/ and faults/ are two pipelines; what they share belongs to a package of its own"),
                classes().that(faults).should(notUse(experiment, allowed.get("experiment and faults")))
                        .because("experiment/ and faults/ are two pipelines; what they share belongs to a package of its own"),
                classes().that(DescribedPredicate.not(report).and(DescribedPredicate.not(COMMAND)).and(inLab()))
                        .should(notUse(report, allowed.get("report")))
                        .because("reports are written by commands; below them, code produces results, not reports"),
                classes().that(DescribedPredicate.not(COMMAND).and(inLab())).should(notUse(COMMAND, allowed.get("commands")))
                        .because("commands parse flags and call the packages below them, never the other way"));
    }

    /** Uses no class of {@code targets} but through the dependencies in {@code allowed} (null: none). */
    private static ArchCondition<JavaClass> notUse(DescribedPredicate<JavaClass> targets, Set<String> allowed) {
        return new ArchCondition<>("not use " + targets.getDescription()) {
            @Override
            public void check(JavaClass origin, ConditionEvents events) {
                for (Dependency d : origin.getDirectDependenciesFromSelf()) {
                    JavaClass target = d.getTargetClass().getBaseComponentType();
                    if (targets.test(target) && (allowed == null || !allowed.contains(pair(origin, target)))) {
                        events.add(SimpleConditionEvent.violated(d, d.getDescription()));
                    }
                }
            }
        };
    }

    private static DescribedPredicate<JavaClass> inPackage(String lab) {
        return DescribedPredicate.describe("classes of lab/" + lab, c -> c.getPackageName().startsWith(LAB + "." + lab));
    }

    private static DescribedPredicate<JavaClass> inLab() {
        return DescribedPredicate.describe("lab's classes", c -> c.getPackageName().startsWith(LAB));
    }

    private static String pair(JavaClass origin, JavaClass target) {
        return relative(origin) + " -> " + relative(target.getBaseComponentType());
    }

    private static String relative(JavaClass c) {
        String name = topLevel(c).getName();
        return name.startsWith(LAB + ".") ? name.substring(LAB.length() + 1) : name;
    }

    private static JavaClass topLevel(JavaClass c) {
        JavaClass top = c;
        while (top.getEnclosingClass().isPresent()) top = top.getEnclosingClass().get();
        return top;
    }
}

package org.electrolab.replica.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Mutation proof: deliberately broken variants of the core, the adapter and the kernel model, each
 * built from its source with one edit and run in a class loader of its own, must each make a seed
 * fail within the simulator's CI seed budget ({@link SimulationTest#CI_SEEDS}). A mutant no seed
 * catches means the model or the invariants are too weak. Besides the five the simulator must
 * catch by design, the variants undo each fix of a bug the kernel model found, so each stays
 * reproduced by a seed. docs/simulator.md lists them and the seed that caught each.
 *
 * <p>{@code -Dsim.mutant=NAME} runs one; a mutant whose original text is no longer in its source
 * fails with what to update.
 */
class MutantTest {

    private static final String SIMULATION = "org.electrolab.replica.sim.Simulation";
    private static final Path MAIN = Path.of("src/main/java/org/electrolab/replica");
    private static final Path TEST = Path.of("src/test/java/org/electrolab/replica");

    /** Edits of one source file: each {@code original} must occur in it exactly once. */
    record Mutant(String name, Path source, List<Edit> edits) {
        Mutant(String name, Path source, String original, String broken) {
            this(name, source, List.of(new Edit(original, broken)));
        }

        @Override
        public String toString() {
            return name;
        }
    }

    record Edit(String original, String broken) {}

    static Stream<Mutant> mutants() {
        List<Mutant> all = List.of(
                new Mutant("fast-reply acknowledges without recording", TEST.resolve("sim/SimKernel.java"),
                        "        slot.claimed = true;\n", "        slot.discarded = true;\n"),
                new Mutant("quorum-prune passes up after f-1 acknowledgements", TEST.resolve("offload/QuorumModel.java"),
                        "Long.bitCount(acks[slot]) >= f)", "Long.bitCount(acks[slot]) >= f - 1)"),
                new Mutant("the core commits one ack early", MAIN.resolve("core/Replica.java"),
                        "long quorumOp = Math.min(held[n - 1 - f], log.op());", "long quorumOp = Math.min(held[n - f], log.op());"),
                new Mutant("recovery without the nonce check", MAIN.resolve("core/Replica.java"),
                        "recoveryOp >= 0 || r.nonce() != recoveryNonce) return;", "recoveryOp >= 0) return;"),
                new Mutant("a drain skipped before DoViewChange", MAIN.resolve("transport/PacketPath.java"),
                        "    static boolean isLogDecision(Message message, long view) {\n",
                        "    static boolean isLogDecision(Message message, long view) {\n"
                                + "        if (message instanceof Message.StartViewChange || message instanceof Message.DoViewChange) return false;\n"),
                new Mutant("race 1: a StartView or a later view's message handled without the drain", MAIN.resolve("transport/PacketPath.java"),
                        "\n                || message instanceof Message.StartView || message.view() > view;", ";"),
                new Mutant("race 3: a repeat after the quorum dropped as a duplicate", TEST.resolve("offload/QuorumModel.java"),
                        "result = done[slot] ? Result.COMPLETE : Result.DUPLICATE;", "result = Result.DUPLICATE;"),
                new Mutant("genesis from stale answers: a retry keeps its nonce and answers, any replica answers as new",
                        MAIN.resolve("core/Replica.java"), List.of(
                        new Edit("        if (recoveryOp < 0) {\n            askToRecover();\n",
                                "        if (recoveryOp < 0) {\n            ticksInRecovery = 0;\n"
                                        + "            send(Effects.BROADCAST, new Recovery(me, recoveryNonce));\n"),
                        new Edit("if (fresh >= f + 1 && emptyGenesis && !pastGenesis && commit == 0) {", "if (fresh >= f + 1 && emptyGenesis) {"))));
        String only = System.getProperty("sim.mutant");
        return all.stream().filter(m -> only == null || m.name.contains(only));
    }

    @TempDir
    Path build;

    @ParameterizedTest(name = "{0}")
    @MethodSource("mutants")
    void isCaughtWithinTheCiSeedBudget(Mutant mutant) throws Exception {
        long started = System.nanoTime();
        Path classes = compile(mutant);
        try (URLClassLoader loader = isolated(classes)) {
            Caught caught = firstFailure(loader, SimulationTest.CI_SEEDS);
            System.out.printf("mutant \"%s\": %s (%.1f s)%n", mutant.name, caught == null ? "NOT caught in "
                    + SimulationTest.CI_SEEDS + " seeds" : "caught by seed " + caught.seed + ": " + caught.summary,
                    (System.nanoTime() - started) / 1e9);
            assertThat(caught).as("a seed within %d that catches mutant \"%s\"", SimulationTest.CI_SEEDS, mutant.name).isNotNull();
        }
    }

    private record Caught(long seed, String summary) {}

    /** The lowest seed within {@code budget} whose run fails, or null: seeds are handed out in order to every core. */
    private static Caught firstFailure(ClassLoader loader, int budget) throws Exception {
        Class<?> simulation = loader.loadClass(SIMULATION);
        Constructor<?> create = simulation.getConstructor(long.class);
        Method run = simulation.getMethod("run");
        AtomicLong next = new AtomicLong(1);
        AtomicReference<Caught> lowest = new AtomicReference<>();
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    for (long seed = next.getAndIncrement(); seed <= budget; seed = next.getAndIncrement()) {
                        Caught found = lowest.get();
                        if (found != null && found.seed < seed) return null;
                        try {
                            run.invoke(create.newInstance(seed));
                        } catch (InvocationTargetException e) {
                            Caught mine = new Caught(seed, summary(e.getCause()));
                            lowest.accumulateAndGet(mine, (a, b) -> a == null || b.seed < a.seed ? b : a);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> w : workers) w.get();
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        return lowest.get();
    }

    /** A failed run's one-line summary (the failure's class is the isolated loader's, not ours). */
    private static String summary(Throwable failure) throws ReflectiveOperationException {
        if (!failure.getClass().getName().equals(Simulation.SimulationFailure.class.getName())) {
            throw new AssertionError("the simulation threw something other than a failure report", failure);
        }
        return (String) failure.getClass().getMethod("summary").invoke(failure);
    }

    /** Compiles the mutated source alone, against the test class path, into its own directory. */
    private Path compile(Mutant mutant) throws IOException {
        String source = Files.readString(mutant.source);
        for (Edit edit : mutant.edits) {
            int at = source.indexOf(edit.original);
            assertThat(at).as("mutant \"%s\": the text to break is no longer in %s; update the mutant", mutant.name, mutant.source)
                    .isNotNegative();
            assertThat(source.indexOf(edit.original, at + 1)).as("mutant \"%s\": the text occurs twice in %s", mutant.name,
                    mutant.source).isNegative();
            source = source.replace(edit.original, edit.broken);
        }
        Path dir = build.resolve("src");
        Path file = dir.resolve(mutant.source.getFileName());
        Files.createDirectories(dir);
        Files.writeString(file, source);
        Path classes = Files.createDirectories(build.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        try (StandardJavaFileManager files = javac.getStandardFileManager(null, null, null)) {
            Iterable<? extends JavaFileObject> units = files.getJavaFileObjects(file);
            List<String> options = List.of("-d", classes.toString(), "-classpath", classPath(), "--release", "25",
                    "-proc:none", "-implicit:none", "-nowarn");
            assertThat(javac.getTask(null, files, null, options, null, units).call()).as("mutant \"%s\" compiles", mutant.name).isTrue();
        }
        return classes;
    }

    /** The mutated classes first, then everything the tests run with, without delegating to the loader that loaded this test. */
    private static URLClassLoader isolated(Path mutated) throws IOException {
        List<URL> urls = new ArrayList<>();
        urls.add(mutated.toUri().toURL());
        for (String entry : classPath().split(File.pathSeparator)) urls.add(Path.of(entry).toUri().toURL());
        return new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    }

    private static String classPath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }
}

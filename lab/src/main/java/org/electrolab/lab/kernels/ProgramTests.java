package org.electrolab.lab.kernels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.xml.parsers.DocumentBuilderFactory;

import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import org.electrolab.lab.netns.Locations;

/**
 * The replica module's program tests (BPF_PROG_TEST_RUN, attach, namespaces), run by JUnit's
 * console launcher in a JVM of their own against this checkout's built test classes, and sorted
 * by the program each test exercises. A test that matches no rule is reported as unmapped, so a
 * renamed test cannot silently stop counting.
 */
final class ProgramTests {

    /** A test class, or the tests of a class whose method names start with a prefix, and the programs they exercise. */
    record Rule(String testClass, String methodPrefix, List<String> programs) {}

    private static final String PACKAGE = "org.electrolab.replica.offload.";
    static final List<Rule> RULES = List.of(
            new Rule("FastReplyTest", "", List.of("fast_reply")),
            new Rule("QuorumPruneTest", "", List.of("quorum_prune")),
            new Rule("TcBroadcastTest", "", List.of("tc_broadcast")),
            new Rule("TcBroadcastNamespaceTest", "", List.of("tc_broadcast")),
            new Rule("XdpFuzzTest", "fastReply", List.of("fast_reply")),
            new Rule("XdpFuzzTest", "quorumPrune", List.of("quorum_prune")),
            new Rule("AttachTest", "xdp", List.of("xdp_pass")),
            new Rule("AttachTest", "theClsact", List.of("tc_broadcast")),
            new Rule("AttachTest", "tcx", List.of("tc_broadcast")),
            new Rule("AttachTest", "failures", List.of()),
            new Rule("EbpfPathTest", "aFastReplied", List.of("fast_reply")),
            new Rule("EbpfPathTest", "tcBroadcast", List.of("tc_broadcast")),
            new Rule("EbpfPathTest", "aLoopback", List.of()),
            new Rule("OffloadPipelineTest", "", List.of("fast_reply", "quorum_prune", "tc_broadcast")),
            new Rule("FaultInjectTest", "", List.of("fault_inject")),
            new Rule("XdpPassTest", "", List.of("xdp_pass")),
            new Rule("VerifierRefusalTest", "", List.of()));

    /** Fuzzed frames per XDP program: a shortened run (the full suite fuzzes 100,000). */
    static final int FUZZ_COUNT = 2000;
    static final Duration LIMIT = Duration.ofMinutes(30);

    private ProgramTests() {}

    /** The class path of the replica module's tests: its test and main classes and its test dependencies. */
    static List<Path> classPath(Locations paths) throws IOException {
        Path target = paths.repo().resolve("replica").resolve(System.getenv().getOrDefault("ELECTROLAB_BUILD_DIR", "target"));
        Path listing = target.resolve("test-classpath.txt");
        if (!Files.isDirectory(target.resolve("test-classes")) || !Files.isRegularFile(listing)) {
            throw new IOException("the program tests are not built (" + target.resolve("test-classes") + "); build them first: ./mvnw -DskipTests install");
        }
        List<Path> entries = new ArrayList<>(List.of(target.resolve("test-classes"), target.resolve("classes")));
        for (String entry : Files.readString(listing).strip().split(":")) if (!entry.isBlank()) entries.add(Path.of(entry));
        return entries;
    }

    static KernelResult.Tests run(Locations paths, Path out, List<String> jvmOptions) {
        long started = System.nanoTime();
        try {
            Path reports = out.resolve("junit");
            Files.createDirectories(reports);
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED"));
            command.addAll(jvmOptions);
            command.addAll(List.of("-Dfuzz.count=" + FUZZ_COUNT, "-cp",
                    String.join(":", classPath(paths).stream().map(Path::toString).toList()),
                    "org.junit.platform.console.ConsoleLauncher", "execute", "--disable-banner", "--disable-ansi-colors",
                    "--details=tree", "--reports-dir=" + reports));
            RULES.stream().map(Rule::testClass).distinct().forEach(c -> command.add("--select-class=" + PACKAGE + c));
            Process junit = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.resolve("junit.log").toFile()).start();
            if (!junit.waitFor(LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                junit.destroyForcibly();
                return failed(started, "the program tests did not finish within " + LIMIT.toMinutes() + " min (junit.log)");
            }
            Path report = reports.resolve("TEST-junit-jupiter.xml");
            if (!Files.isRegularFile(report)) return failed(started, "JUnit wrote no report (exit " + junit.exitValue() + "; junit.log)");
            return sorted(report, seconds(started));
        } catch (IOException e) {
            return failed(started, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(started, "interrupted");
        }
    }

    /** The report's test cases, counted per program by {@link #RULES}. */
    static KernelResult.Tests sorted(Path report, long seconds) throws IOException {
        Map<String, int[]> counts = new LinkedHashMap<>();
        Map<String, List<String>> failures = new LinkedHashMap<>();
        Map<String, List<String>> skips = new LinkedHashMap<>();
        for (String program : ProgramProbe.PROGRAMS) {
            counts.put(program, new int[3]);
            failures.put(program, new ArrayList<>());
            skips.put(program, new ArrayList<>());
        }
        List<String> unmapped = new ArrayList<>();
        NodeList cases;
        try {
            cases = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(report.toFile()).getElementsByTagName("testcase");
        } catch (Exception e) {
            throw new IOException(report + " is unreadable: " + e.getMessage());
        }
        for (int i = 0; i < cases.getLength(); i++) {
            Element testCase = (Element) cases.item(i);
            String testClass = testCase.getAttribute("classname").replace(PACKAGE, "");
            String name = testCase.getAttribute("name");
            Rule rule = RULES.stream().filter(r -> r.testClass().equals(testClass) && name.startsWith(r.methodPrefix())).findFirst().orElse(null);
            if (rule == null) {
                unmapped.add(testClass + "." + name);
                continue;
            }
            boolean failed = testCase.getElementsByTagName("failure").getLength() + testCase.getElementsByTagName("error").getLength() > 0;
            boolean skipped = testCase.getElementsByTagName("skipped").getLength() > 0;
            for (String program : rule.programs()) {
                int[] c = counts.get(program);
                if (failed) {
                    c[1]++;
                    failures.get(program).add(testClass + "." + name);
                } else if (skipped) {
                    c[2]++;
                    skips.get(program).add(testClass + "." + name + ": " + skipReason(testCase));
                } else {
                    c[0]++;
                }
            }
        }
        Map<String, KernelResult.TestCount> byProgram = new LinkedHashMap<>();
        counts.forEach((program, c) -> byProgram.put(program,
                new KernelResult.TestCount(c[0], c[1], c[2], failures.get(program), skips.get(program))));
        return new KernelResult.Tests(byProgram, unmapped, seconds, null);
    }

    /** "Assumption failed: X" of a skipped test case's report, as X. */
    private static String skipReason(Element testCase) {
        String text = testCase.getElementsByTagName("skipped").item(0).getTextContent().strip();
        String first = text.lines().findFirst().orElse("");
        int at = first.indexOf("Assumption failed: ");
        return at >= 0 ? first.substring(at + "Assumption failed: ".length()) : first;
    }

    private static KernelResult.Tests failed(long started, String problem) {
        return new KernelResult.Tests(Map.of(), List.of(), seconds(started), problem);
    }

    static long seconds(long startedNanos) {
        return Duration.ofNanos(System.nanoTime() - startedNanos).toSeconds();
    }
}

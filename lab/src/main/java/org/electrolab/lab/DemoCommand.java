package org.electrolab.lab;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.concurrent.Callable;

import org.electrolab.lab.cli.UserError;
import org.electrolab.lab.pipeline.ResultsName;
import org.electrolab.lab.netns.LabException;
import org.electrolab.lab.netns.Locations;
import org.electrolab.lab.netns.Privileges;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code electrolab demo}, the main job: the experiment in experiments/demo.yaml (3 replicas, offloads
 * none, tc-broadcast alone as in the earlier course project, and all three) on the netns lab, then
 * the comparison table on stdout and the charts in the results directory. The lab is taken down
 * at the end, also when a run fails or on Ctrl-C.
 */
@Command(name = "demo", description = {
        "Run the main comparison on the netns lab (needs root): 3 replicas, offloads none, tc-broadcast and all,",
        "1 and 16 clients; prints the table and writes report.md and charts. About 2 minutes."})
public final class DemoCommand implements Callable<Integer> {

    static final String MATRIX = "experiments/demo.yaml";
    static final String LAB_NAME = "demo";

    /** Debian/Ubuntu packages the demo needs at run time (bin/electrolab installs them with --install-deps). */
    static final List<String> PACKAGES = List.of("libbpf1", "iproute2", "ethtool", "procps", "util-linux");

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;

    @Option(names = "--install-deps", description = "install the Debian/Ubuntu packages it needs first (bin/electrolab does this before building)")
    boolean installDeps;

    @Option(names = "--out", paramLabel = "DIR", description = "results directory (default: experiments/results/<timestamp>-demo)")
    Path out;

    @Override
    public Integer call() throws IOException {
        Locations paths;
        try {
            if (!Privileges.isRoot()) {
                throw new UserError("needs root for network namespaces and eBPF: run sudo bin/electrolab demo");
            }
            Privileges.requireTools();
            requireLibbpf();
            paths = Locations.locate();
        } catch (LabException e) {
            throw new UserError(e.getMessage() + " (or run bin/electrolab demo --install-deps)");
        }
        Path results = out != null ? out : defaultOut(paths.repo(), LocalDateTime.now());
        PrintWriter stdout = spec.commandLine().getOut();
        int exit = Main.commandLine().setOut(stdout).setErr(spec.commandLine().getErr())
                .execute("experiment", "run", paths.repo().resolve(MATRIX).toString(), "--out", results.toString(),
                        "--lab-name", LAB_NAME);
        Path report = results.resolve("report.md");
        if (!Files.isRegularFile(report)) return exit == 0 ? 1 : exit;
        stdout.println();
        for (String line : comparisonTable(Files.readAllLines(report))) stdout.println(line);
        stdout.println();
        stdout.println("report: " + report);
        stdout.println("charts: " + results.resolve("charts"));
        stdout.flush();
        return exit;
    }

    /** {@code experiments/results/<timestamp>-demo}, in the one timestamp format of every results directory. */
    static Path defaultOut(Path repo, LocalDateTime now) {
        return ResultsName.dir(repo.resolve("experiments").resolve("results"), now, "demo");
    }

    /** The report's table of the 3-replica cells: the lines from its heading to the first blank line after the table. */
    static List<String> comparisonTable(List<String> report) {
        int start = report.indexOf("## 3 replicas");
        if (start < 0) return List.of("(no 3-replica table in the report)");
        int end = start + 1;
        while (end < report.size() && !report.get(end).startsWith("|")) end++;
        int last = end;
        while (last < report.size() && report.get(last).startsWith("|")) last++;
        return report.subList(end, last);
    }

    private static void requireLibbpf() {
        for (String dir : List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/lib/x86_64-linux-gnu")) {
            if (Files.exists(Path.of(dir, "libbpf.so.1"))) return;
        }
        throw new LabException("libbpf.so.1 not found; install it: apt-get install libbpf1");
    }
}

package org.electrolab.lab.experiment;

import org.electrolab.lab.pipeline.EnvironmentFacts;
import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import org.electrolab.lab.netns.CommandRunner;
import org.electrolab.lab.netns.Lab;
import org.electrolab.lab.netns.Network;
import org.electrolab.lab.netns.Locations;
import org.electrolab.lab.netns.Netns;
import org.electrolab.protocol.testing.RootRequirement;

/**
 * experiments/matrix-ci.yaml (3 and 5 replicas, offloads none and all, 1 and 4 clients) through the
 * real CLI, {@code bin/electrolab experiment run}, on the netns lab; and a Ctrl-C in the middle.
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class ExperimentLabTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration RUN_LIMIT = Duration.ofMinutes(15);

    private final Path repo = MatrixFileTest.repoRoot();
    private final String labName = "x" + ProcessHandle.current().pid() % 1_000_000 + "e" + System.nanoTime() % 1000;
    @TempDir
    Path tmp;
    private Process cli;

    @BeforeEach
    void requireRoot() {
        RootRequirement.require("the netns lab");
    }

    @AfterEach
    void cleanUp() {
        if (cli != null && cli.isAlive()) {
            cli.destroyForcibly();
        }
        if (RootRequirement.isRoot()) Lab.down(Locations.of(repo), labName);
    }

    private Process start(Path results, String... extra) throws IOException {
        List<String> command = new ArrayList<>(List.of(repo.resolve("bin/electrolab").toString(), "experiment", "run",
                "experiments/matrix-ci.yaml", "--out", results.toString(), "--lab-name", labName));
        command.addAll(List.of(extra));
        cli = new ProcessBuilder(command).directory(repo.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(tmp.resolve("stdout").toFile()).redirectError(tmp.resolve("stderr").toFile()).start();
        return cli;
    }

    private int awaitExit(Process process) throws Exception {
        assertThat(process.waitFor(RUN_LIMIT.toMillis(), TimeUnit.MILLISECONDS))
                .as("experiment finished; stderr: %s", Files.readString(tmp.resolve("stderr"))).isTrue();
        return process.exitValue();
    }

    @Test
    void theShortMatrixRunsEveryCellAndReportsIt() throws Exception {
        ResultsDir results = new ResultsDir(tmp.resolve("results"));
        int exit = awaitExit(start(results.dir()));

        String stderr = Files.readString(tmp.resolve("stderr"));
        assertThat(exit).as("exit code; stderr: %s", stderr).isZero();
        assertThat(Files.readString(tmp.resolve("stdout"))).contains("done: 8 runs ok, 0 failed, 0 skipped\nreport " + results.report());
        List<RunRow> rows = ResultsCsv.read(results.resultsCsv());
        assertThat(rows).extracting(RunRow::runId).containsExactly(
                "n3-none-c1-r1", "n3-none-c4-r1", "n3-all-c1-r1", "n3-all-c4-r1",
                "n5-none-c1-r1", "n5-none-c4-r1", "n5-all-c1-r1", "n5-all-c4-r1");
        for (RunRow row : rows) {
            assertThat(row.status()).as(row.runId() + ": " + row.reason()).isEqualTo(RunStatus.OK);
            JsonNode run = JSON.readTree(results.runJson(row.runId()).toFile());
            assertThat(row.figures()).as(row.runId()).isEqualTo(Figures.of(run));
            assertThat(row.figures().completed()).isPositive();
            assertThat(run.path("clients").asInt()).isEqualTo(row.clients());
        }
        JsonNode env = JSON.readTree(results.environment().toFile());
        assertThat(env.path("status").asText()).isEqualTo("complete");
        assertThat(env.path("machine").path("kernel").asText()).isNotEqualTo(EnvironmentFacts.UNKNOWN);
        assertThat(env.path("clusters").path("n5-all-r1").path("replicas").size()).isEqualTo(5);
        assertThat(results.clusterLogs("n3-none", 1).resolve("r0.log")).isRegularFile();

        String report = Files.readString(results.report());
        for (RunRow row : rows) assertThat(report).contains("| " + row.cellId() + " |");
        try (Stream<Path> charts = Files.list(results.charts())) {
            List<Path> files = charts.toList();
            List<Path> pngs = files.stream().filter(p -> p.toString().endsWith(".png")).toList();
            // Per client count 3 bar charts and a speedup; per size and client count a CDF, a spectrum and
            // the throughput over time from the clients' interval logs; each also as SVG.
            assertThat(pngs).hasSize(20);
            assertThat(files).hasSize(40);
            assertThat(pngs).extracting(p -> p.getFileName().toString()).contains("over-time-n5-c4.png", "spectrum-n3-c1.png");
            for (Path png : pngs) {
                BufferedImage image = ImageIO.read(png.toFile());
                assertThat(image).as(png.toString()).isNotNull();
            }
        }
        for (RunRow row : rows) assertThat(results.runIntervalLog(row.runId())).as("the client's interval log").isNotEmptyFile();
        assertLabGone();
    }

    @Test
    void ctrlCTakesTheLabDownAndKeepsWhatRan() throws Exception {
        ResultsDir results = new ResultsDir(tmp.resolve("results"));
        Process process = start(results.dir(), "--repeats", "2");
        long deadline = System.nanoTime() + RUN_LIMIT.toNanos();
        // Two finished runs, so the Ctrl-C lands with the lab up, in the middle of the matrix.
        while (dataRows(results) < 2) {
            assertThat(process.isAlive()).as("experiment still running; stderr: %s", Files.readString(tmp.resolve("stderr"))).isTrue();
            assertThat(System.nanoTime()).as("two runs finished in time").isLessThan(deadline);
            Thread.sleep(200);
        }
        // What Ctrl-C sends; SIGTERM runs the same shutdown path where SIGINT is ignored (a background job of a script).
        String signal = sigintIgnored(process.pid()) ? "-TERM" : "-INT";
        new CommandRunner().run("kill", signal, Long.toString(process.pid()));
        int exit = awaitExit(process);

        assertThat(exit).as("exit code after Ctrl-C").isNotZero();
        List<RunRow> rows = ResultsCsv.read(results.resultsCsv());
        assertThat(rows).hasSize(16);
        assertThat(rows.subList(0, 2)).allMatch(RunRow::isOk);
        assertThat(rows.getLast().status()).isEqualTo(RunStatus.SKIPPED);
        assertThat(rows.getLast().reason()).isEqualTo(ExperimentRunner.STOPPED);
        assertThat(JSON.readTree(results.environment().toFile()).path("status").asText()).isEqualTo("stopped");
        assertThat(results.report()).isNotEmptyFile();
        assertThat(Files.readString(tmp.resolve("stderr"))).contains("stopping: ending the current run and taking the lab down");
        assertLabGone();
    }

    /** Whether SIGINT (signal 2) is in the SigIgn mask of /proc/PID/status; the JVM then ignores Ctrl-C. */
    private static boolean sigintIgnored(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("SigIgn:")) return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & (1L << 1)) != 0;
        }
        return false;
    }

    private static long dataRows(ResultsDir results) throws IOException {
        if (!Files.isRegularFile(results.resultsCsv())) return 0;
        return Math.max(0, Files.readAllLines(results.resultsCsv()).size() - 1);
    }

    private void assertLabGone() {
        assertThat(Netns.list(new CommandRunner(), Network.namespacePrefix(labName))).as("namespaces of the lab").isEmpty();
        assertThat(Locations.of(repo).stateDir(labName)).as("lab state").doesNotExist();
    }
}

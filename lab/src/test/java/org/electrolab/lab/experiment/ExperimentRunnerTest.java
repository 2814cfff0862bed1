package org.electrolab.lab.experiment;

import org.electrolab.lab.pipeline.Progress;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExperimentRunnerTest {
    private static final String MATRIX = """
            sizes: [3, 5]
            offloads: [none, all]
            clients: [1, 4]
            repeats: 2
            warmup: 0s
            duration: 1s
            app: null
            payload-bytes: 16
            """;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private final FakeCluster cluster = new FakeCluster();
    private final StringWriter progressText = new StringWriter();

    private ExperimentRunner runner(Matrix matrix, ResultsDir results) throws Exception {
        results.create();
        Progress progress = new Progress(new PrintWriter(progressText), false,
                matrix.plan().size(), Duration.ofSeconds(1), System::nanoTime);
        return new ExperimentRunner(cluster, matrix, results, progress,
                Map.of("commandLine", List.of("electrolab", "experiment", "run", "m.yaml")));
    }

    @Test
    void writesTheLayoutWithOneCsvRowPerRunEqualToItsRunJson() throws Exception {
        Matrix matrix = MatrixFile.parse(MATRIX, "m.yaml", "m");
        ResultsDir results = new ResultsDir(tmp.resolve("out"));
        ExperimentRunner.Outcome outcome = runner(matrix, results).run(MATRIX);

        assertThat(outcome).isEqualTo(new ExperimentRunner.Outcome(16, 0, 0, false));
        assertThat(Files.readString(results.matrixCopy())).isEqualTo(MATRIX);
        List<RunRow> rows = ResultsCsv.read(results.resultsCsv());
        assertThat(rows).extracting(RunRow::runId).containsExactlyElementsOf(matrix.plan().stream().map(Run::id).toList());
        for (RunRow row : rows) {
            assertThat(row.status()).isEqualTo(RunStatus.OK);
            assertThat(row.figures()).as(row.runId()).isEqualTo(Figures.of(JSON.readTree(results.runJson(row.runId()).toFile())));
            assertThat(results.runLog(row.runId())).exists();
        }
        assertThat(rows.getFirst().figures().throughputOpsPerSec()).isEqualTo(1000.0 / 3);

        JsonNode env = JSON.readTree(results.environment().toFile());
        assertThat(env.path("status").asText()).isEqualTo("complete");
        assertThat(env.path("cluster").asText()).isEqualTo("fake cluster");
        assertThat(env.path("runs").path("ok").asInt()).isEqualTo(16);
        assertThat(env.path("commandLine").get(1).asText()).isEqualTo("experiment");
        assertThat(env.path("clusters").path("n5-all-r2").path("path").asText()).isEqualTo("xdp native");

        // The replicas start once per size and offload set per repeat, and are down at the end.
        assertThat(cluster.calls.stream().filter(c -> c.startsWith("up"))).containsExactly(
                "up 3 none", "up 3 tc-broadcast,fast-reply,quorum-prune", "up 5 none", "up 5 tc-broadcast,fast-reply,quorum-prune",
                "up 3 none", "up 3 tc-broadcast,fast-reply,quorum-prune", "up 5 none", "up 5 tc-broadcast,fast-reply,quorum-prune");
        assertThat(cluster.up).isFalse();
        assertThat(progressText.toString().lines().filter(l -> l.startsWith("["))).hasSize(16);
    }

    @Test
    void aFailedRunIsRecordedWithItsReasonAndTheRestRunsOnAFreshCluster() throws Exception {
        Matrix matrix = MatrixFile.parse(MATRIX, "m.yaml", "m");
        ResultsDir results = new ResultsDir(tmp.resolve("out"));
        cluster.failingRuns.add("n3-none-c1-r1");
        cluster.failingUps.add("n5-all-r1");
        ExperimentRunner.Outcome outcome = runner(matrix, results).run(MATRIX);

        assertThat(outcome).isEqualTo(new ExperimentRunner.Outcome(13, 3, 0, false));
        List<RunRow> rows = ResultsCsv.read(results.resultsCsv());
        assertThat(rows).hasSize(16);
        assertThat(rows.getFirst()).satisfies(row -> {
            assertThat(row.status()).isEqualTo(RunStatus.FAILED);
            assertThat(row.reason()).isEqualTo("client: client exited 1: no replica answered");
            assertThat(row.figures()).isNull();
        });
        // The run after the failure got replicas of its own.
        assertThat(cluster.calls.subList(0, 5)).containsExactly("up 3 none", "client n3-none-c1-r1", "down", "up 3 none",
                "client n3-none-c4-r1");
        // One failed start fails both client counts of that cluster, without a second attempt.
        assertThat(rows.stream().filter(r -> r.status() == RunStatus.FAILED).map(RunRow::runId))
                .containsExactly("n3-none-c1-r1", "n5-all-c1-r1", "n5-all-c4-r1");
        assertThat(rows.stream().filter(r -> r.runId().startsWith("n5-all-c")).filter(r -> r.repeat() == 1).map(RunRow::reason))
                .containsOnly("lab up failed: replica 1 did not reach NORMAL in 10 s");
        assertThat(cluster.calls.stream().filter(c -> c.equals("up 5 tc-broadcast,fast-reply,quorum-prune"))).hasSize(2);
        assertThat(rows.stream().filter(r -> r.repeat() == 2)).allMatch(RunRow::isOk);
        assertThat(progressText.toString())
                .contains("failed n3-none-c1-r1: client: client exited 1: no replica answered");
    }

    @Test
    void aRunWithNothingCompletedIsFailedButKeepsItsFigures() throws Exception {
        Matrix matrix = MatrixFile.parse(MATRIX.replace("repeats: 2", "repeats: 1"), "m.yaml", "m");
        ResultsDir results = new ResultsDir(tmp.resolve("out"));
        cluster.nothingCompletes = true;
        runner(matrix, results).run(MATRIX);
        RunRow first = ResultsCsv.read(results.resultsCsv()).getFirst();
        assertThat(first.status()).isEqualTo(RunStatus.FAILED);
        assertThat(first.reason()).isEqualTo("no request completed in the measured window (7 timeouts, 0 errors)");
        assertThat(first.figures().timeouts()).isEqualTo(7);
    }

    @Test
    void offloadsThatDidNotLoadAreShownAsTheyStartAndKeptInTheEnvironment() throws Exception {
        Matrix matrix = MatrixFile.parse(MATRIX.replace("repeats: 2", "repeats: 1"), "m.yaml", "m");
        ResultsDir results = new ResultsDir(tmp.resolve("out"));
        cluster.unloadedOffloads = true;
        runner(matrix, results).run(MATRIX);
        assertThat(progressText.toString()).contains("warning: n3-all-r1: offloads requested but not loaded (r0 lacks all)");
        assertThat(JSON.readTree(results.environment().toFile()).path("clusters").path("n5-all-r1").path("warning").asText())
                .isEqualTo("offloads requested but not loaded (r0 lacks all)");
    }

    @Test
    void stoppingMidRunTakesTheClusterDownAndKeepsWhatWasWritten() throws Exception {
        Matrix matrix = MatrixFile.parse(MATRIX, "m.yaml", "m");
        ResultsDir results = new ResultsDir(tmp.resolve("out"));
        cluster.blockingRun = "n3-all-c4-r1";
        ExperimentRunner runner = runner(matrix, results);
        CompletableFuture<ExperimentRunner.Outcome> outcome = CompletableFuture.supplyAsync(() -> {
            try {
                return runner.run(MATRIX);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        assertThat(cluster.blocked.await(10, TimeUnit.SECONDS)).as("the fourth run started").isTrue();
        runner.requestStop();

        assertThat(outcome.get(10, TimeUnit.SECONDS)).isEqualTo(new ExperimentRunner.Outcome(3, 0, 13, true));
        assertThat(cluster.up).as("the cluster is down").isFalse();
        assertThat(cluster.calls.getLast()).isEqualTo("down");
        List<RunRow> rows = ResultsCsv.read(results.resultsCsv());
        assertThat(rows).hasSize(16);
        assertThat(rows.subList(0, 3)).allMatch(RunRow::isOk);
        assertThat(rows.subList(3, 16)).allSatisfy(row -> {
            assertThat(row.status()).isEqualTo(RunStatus.SKIPPED);
            assertThat(row.reason()).isEqualTo(ExperimentRunner.STOPPED);
        });
        assertThat(JSON.readTree(results.environment().toFile()).path("status").asText()).isEqualTo("stopped");
    }

    @Test
    void anExistingNonEmptyResultsDirIsRefused() throws Exception {
        Files.createDirectories(tmp.resolve("old"));
        Files.writeString(tmp.resolve("old/results.csv"), "x");
        assertThat(catchThrowable(() -> new ResultsDir(tmp.resolve("old")).create()))
                .hasMessageContaining("is not empty; choose a new --out directory");
    }
}

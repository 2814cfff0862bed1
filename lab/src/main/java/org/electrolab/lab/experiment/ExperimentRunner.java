package org.electrolab.lab.experiment;

import org.electrolab.lab.pipeline.Cluster;
import org.electrolab.lab.pipeline.ClusterException;
import org.electrolab.lab.pipeline.Progress;
import org.electrolab.lab.pipeline.RunId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.electrolab.lab.scenario.Scenario;

/**
 * Runs every run of a matrix on a {@link Cluster} in {@link Matrix#plan} order and writes the
 * results directory ({@link ResultsDir}) as it goes: a failed run is recorded with its reason and
 * the experiment goes on; {@link #requestStop} (Ctrl-C) ends the current run, takes the cluster
 * down and keeps everything written so far.
 */
public final class ExperimentRunner {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final String STOPPED = "not run: the experiment was stopped (Ctrl-C)";

    /** How an experiment ended: runs per status, and whether it was stopped before the end. */
    public record Outcome(int ok, int failed, int skipped, boolean stopped) {}

    private final Cluster cluster;
    private final Matrix matrix;
    private final ResultsDir results;
    private final Progress progress;
    private final Map<String, Object> environment;
    private final Map<String, Object> clusterFacts = new LinkedHashMap<>();
    private volatile boolean stopRequested;
    /** The thread inside a {@link Cluster} call, which {@link #requestStop} interrupts; null outside one. */
    private Thread inClusterCall;

    /**
     * @param environment facts recorded in environment.json before the runner adds its own (the
     *        command line, the machine: see {@link EnvironmentFacts})
     */
    public ExperimentRunner(Cluster cluster, Matrix matrix, ResultsDir results, Progress progress,
                            Map<String, Object> environment) {
        this.cluster = cluster;
        this.matrix = matrix;
        this.results = results;
        this.progress = progress;
        this.environment = new LinkedHashMap<>(environment);
    }

    /**
     * Asks a running {@link #run} to stop: the current cluster call is interrupted, the cluster taken
     * down, the remaining runs recorded as skipped. Safe from any thread (a shutdown hook).
     */
    public void requestStop() {
        if (!stopRequested) progress.note("stopping: ending the current run and taking the lab down");
        stopRequested = true;
        synchronized (this) {
            if (inClusterCall != null) inClusterCall.interrupt();
        }
    }

    /**
     * Runs the matrix. The results directory must exist ({@link ResultsDir#create}); the matrix file's
     * text is copied into it as {@code matrixText}.
     */
    public Outcome run(String matrixText) throws IOException {
        Files.writeString(results.matrixCopy(), matrixText);
        List<Run> plan = matrix.plan();
        environment.put("matrix", matrix.name());
        environment.put("repeats", matrix.repeats());
        environment.put("runsPlanned", plan.size());
        environment.put("cluster", cluster.describe());
        environment.put("startedAt", now());
        environment.put("status", "running");
        environment.put("clusters", clusterFacts);
        writeEnvironment();

        int ok = 0;
        int failed = 0;
        int skipped = 0;
        try (ResultsCsv csv = ResultsCsv.create(results.resultsCsv())) {
            String upKey = null;
            String failedUpKey = null;
            String failedUpReason = null;
            int index = 0;
            for (; index < plan.size() && !stopRequested; index++) {
                Run run = plan.get(index);
                String key = run.cell().clusterKey() + RunId.repeat(run.repeat());
                progress.started(run.id());
                RunRow row;
                if (key.equals(failedUpKey)) {
                    // The replicas of this cluster would not start in this repeat; its other client counts fail alike.
                    row = RunRow.failed(run, null, failedUpReason);
                } else {
                    if (!key.equals(upKey)) {
                        if (upKey != null) down();
                        upKey = null;
                        String failure = up(run, key);
                        if (failure == null) {
                            upKey = key;
                        } else {
                            failedUpKey = key;
                            failedUpReason = failure;
                        }
                    }
                    if (stopRequested) {
                        row = RunRow.skipped(run, STOPPED);
                    } else if (upKey == null) {
                        row = RunRow.failed(run, null, failedUpReason);
                    } else {
                        row = runClient(run);
                        // After a failure the replicas may be wedged; the next run starts on fresh ones.
                        if (row.status() == RunStatus.FAILED) {
                            down();
                            upKey = null;
                        }
                    }
                }
                csv.append(row);
                switch (row.status()) {
                    case OK -> ok++;
                    case FAILED -> failed++;
                    case SKIPPED -> skipped++;
                }
                if (row.status() == RunStatus.FAILED) progress.note("failed " + run.id() + ": " + row.reason());
                progress.finished(outcome(run, row), row.status() == RunStatus.FAILED, false);
            }
            if (upKey != null) down();
            for (; index < plan.size(); index++) {
                csv.append(RunRow.skipped(plan.get(index), STOPPED));
                skipped++;
            }
        } finally {
            progress.close();
        }
        environment.put("finishedAt", now());
        environment.put("status", stopRequested ? "stopped" : "complete");
        environment.put("runs", Map.of("ok", ok, "failed", failed, "skipped", skipped));
        writeEnvironment();
        return new Outcome(ok, failed, skipped, stopRequested);
    }

    /** Starts the cluster of {@code run}; returns null, or why it failed (after taking down what started). */
    private String up(Run run, String key) throws IOException {
        Scenario scenario = matrix.scenario(run.cell());
        progress.note("starting " + run.cell().size() + " replicas, offloads " + run.cell().offloads().label()
                + " (repeat " + run.repeat() + ")");
        String failure = null;
        try {
            enterClusterCall();
            Map<String, Object> facts = cluster.up(scenario, results.clusterLogs(run.cell().clusterKey(), run.repeat()));
            clusterFacts.put(key, facts);
            if (facts.get(Cluster.WARNING) != null) progress.note("warning: " + key + ": " + facts.get(Cluster.WARNING));
        } catch (ClusterException e) {
            failure = "lab up failed: " + e.getMessage();
        } catch (InterruptedException e) {
            failure = "lab up interrupted";
        } finally {
            leaveClusterCall();
        }
        if (failure != null) {
            down();
            return failure;
        }
        writeEnvironment();
        return null;
    }

    private RunRow runClient(Run run) {
        Path runJson = results.runJson(run.id());
        try {
            enterClusterCall();
            cluster.runClient(matrix.scenario(run.cell()), runJson, results.runLog(run.id()));
        } catch (ClusterException e) {
            return stopRequested ? RunRow.skipped(run, STOPPED) : RunRow.failed(run, figuresIfAny(runJson), "client: " + e.getMessage());
        } catch (InterruptedException e) {
            return RunRow.skipped(run, STOPPED);
        } finally {
            leaveClusterCall();
        }
        if (!Files.isRegularFile(runJson)) return RunRow.failed(run, null, "the client wrote no run.json");
        Figures figures;
        try {
            figures = Figures.of(readJson(runJson));
        } catch (IOException | IllegalArgumentException e) {
            return RunRow.failed(run, null, runJson.getFileName() + ": " + e.getMessage());
        }
        if (figures.completed() == 0) {
            return RunRow.failed(run, figures, "no request completed in the measured window (" + figures.timeouts()
                    + " timeouts, " + figures.errors() + " errors)");
        }
        return RunRow.ok(run, figures);
    }

    private static Figures figuresIfAny(Path runJson) {
        try {
            return Files.isRegularFile(runJson) ? Figures.of(readJson(runJson)) : null;
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    private static JsonNode readJson(Path file) throws IOException {
        JsonNode node = JSON.readTree(file.toFile());
        if (node == null || !node.isObject()) throw new IOException("not a JSON object");
        return node;
    }

    /** Takes the cluster down; a failure is noted (the next up will say whether it matters). */
    private void down() {
        try {
            cluster.down();
        } catch (ClusterException e) {
            progress.note("lab down failed: " + e.getMessage());
        }
    }

    private void enterClusterCall() throws InterruptedException {
        synchronized (this) {
            if (stopRequested) throw new InterruptedException("stop requested");
            inClusterCall = Thread.currentThread();
        }
    }

    private void leaveClusterCall() {
        synchronized (this) {
            inClusterCall = null;
            // An interrupt that came as the call returned must not hit the file writes that follow.
            Thread.interrupted();
        }
    }

    private void writeEnvironment() throws IOException {
        JSON.writeValue(results.environment().toFile(), environment);
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** How the progress line tells a finished run: its id, and its rate and p50 or its status. */
    public static String outcome(Run run, RunRow row) {
        return run.id() + " " + summary(row);
    }

    private static String summary(RunRow row) {
        if (row.isOk()) {
            return String.format(Locale.ROOT, "ok %.0f ops/s p50 %d µs", row.figures().throughputOpsPerSec(),
                    row.figures().p50Micros());
        }
        return row.status().csvName;
    }

}

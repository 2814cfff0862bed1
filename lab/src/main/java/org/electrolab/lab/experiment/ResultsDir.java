package org.electrolab.lab.experiment;

import org.electrolab.lab.pipeline.RunId;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;

import org.electrolab.lab.pipeline.ResultsName;

/**
 * The layout of one experiment's results (docs/experiments.md):
 * <pre>
 * matrix.yaml        the matrix file as it was run
 * environment.json   machine, software and command line; how the offloads attached
 * results.csv        one row per run
 * runs/ID.json       each run's raw run.json (ID like n3-all-c16-r1); runs/ID.log the client's output
 * logs/KEY-rN/       the replicas' logs of cluster KEY (like n3-all) in repeat N
 * ansible/           with --inventory: each playbook's output (KEY-rN-scenario.log, ID-experiment.log, ...)
 * report.md, charts/ what {@code electrolab report} makes of it
 * </pre>
 */
public record ResultsDir(Path dir) {
    /** {@code parent/<local time>}, e.g. experiments/results/2025-11-25T08-50-12 (no colons: portable file names). */
    public static ResultsDir timestamped(Path parent, LocalDateTime now) {
        return new ResultsDir(ResultsName.dir(parent, now, ""));
    }

    /** Creates the directory; an existing non-empty one is refused so no earlier results are overwritten. */
    public void create() throws IOException {
        ResultsName.createEmpty(dir, runs(), logs());
    }

    public Path matrixCopy() {
        return dir.resolve("matrix.yaml");
    }

    public Path environment() {
        return dir.resolve("environment.json");
    }

    public Path resultsCsv() {
        return dir.resolve("results.csv");
    }

    public Path runs() {
        return dir.resolve("runs");
    }

    public Path runJson(String runId) {
        return runs().resolve(runId + ".json");
    }

    /** The client's HdrHistogram interval log of the run, beside its run.json (docs/client.md). */
    public Path runIntervalLog(String runId) {
        return runs().resolve(runId + ".hlog");
    }

    public Path runLog(String runId) {
        return runs().resolve(runId + ".log");
    }

    public Path logs() {
        return dir.resolve("logs");
    }

    /** Where the replicas' logs of one cluster start go. */
    public Path clusterLogs(String clusterKey, int repeat) {
        return logs().resolve(clusterKey + RunId.repeat(repeat));
    }

    /** Where an experiment on an Ansible inventory keeps the playbooks' logs and the scenario files it ran. */
    public Path ansible() {
        return dir.resolve("ansible");
    }

    public Path report() {
        return dir.resolve("report.md");
    }

    public Path charts() {
        return dir.resolve("charts");
    }
}

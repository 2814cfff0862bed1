package org.electrolab.lab.experiment;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

import org.electrolab.lab.cli.InvokingUser;

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
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss");
    /**
     * The name of every results directory: {@link #stamp} and an optional kind ({@code -faults},
     * {@code -demo}, {@code -loopback}, ...), so that {@code ls} lists them in time order.
     */
    public static final Pattern NAME = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}(-[a-z0-9-]+)?");

    /** {@code parent/<local time>}, e.g. experiments/results/2025-11-25T08-50-12 (no colons: portable file names). */
    public static ResultsDir timestamped(Path parent, LocalDateTime now) {
        return new ResultsDir(parent.resolve(stamp(now)));
    }

    /** A results directory's name for {@code now}: local time without colons, so file names stay portable. */
    public static String stamp(LocalDateTime now) {
        return TIMESTAMP.format(now);
    }

    /** Creates the directory; an existing non-empty one is refused so no earlier results are overwritten. */
    public void create() throws IOException {
        createEmpty(dir, runs(), logs());
    }

    /**
     * Creates {@code dir} and {@code subdirs} (under sudo, owned by the invoking user); refuses a
     * {@code dir} that exists and is not empty.
     */
    public static void createEmpty(Path dir, Path... subdirs) throws IOException {
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                if (entries.iterator().hasNext()) {
                    throw new IOException(dir + " is not empty; choose a new --out directory (or leave --out out for a timestamped one)");
                }
            }
        }
        InvokingUser.createDirectories(dir);
        for (Path subdir : subdirs) InvokingUser.createDirectories(subdir);
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
        return logs().resolve(clusterKey + "-r" + repeat);
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

package org.electrolab.lab.ansible;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.electrolab.lab.pipeline.Cluster;
import org.electrolab.lab.pipeline.EnvironmentFacts;
import org.electrolab.lab.experiment.Figures;
import org.electrolab.lab.experiment.ResultsCsv;
import org.electrolab.lab.experiment.ResultsDir;
import org.electrolab.lab.experiment.RunRow;
import org.electrolab.lab.experiment.RunStatus;

/**
 * Completes a results directory that experiment.yml filled with runs/ID.json (fetched from the
 * client host) and hosts/HOST.json (facts of every host): writes results.csv and environment.json
 * in the layout {@link ResultsDir} describes, so {@code electrolab report} reads it like the
 * experiment runner's. Run again after each experiment.yml run; every run in runs/ is a row.
 */
public final class ResultsCollector {
    /** Run ids as {@link RunRow#runId()} spells them, e.g. n3-all-c8-r1. */
    static final Pattern RUN_ID = Pattern.compile("n([0-9]+)-(.+)-c([0-9]+)-r([0-9]+)");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ResultsCollector() {}

    /** Writes results.csv and environment.json; returns the rows. */
    public static List<RunRow> collect(ResultsDir results, Path repo) throws IOException {
        List<RunRow> rows = new ArrayList<>();
        for (Path runJson : list(results.runs(), "*.json")) rows.add(row(runJson));
        rows.sort(Comparator.comparingInt(RunRow::size).thenComparing(RunRow::offloads)
                .thenComparingInt(RunRow::clients).thenComparingInt(RunRow::repeat));
        try (ResultsCsv csv = ResultsCsv.create(results.resultsCsv())) {
            for (RunRow row : rows) csv.append(row);
        }
        Map<String, Object> environment = new LinkedHashMap<>();
        environment.put("runner", "ansible (experiment.yml)");
        environment.put("controlMachine", EnvironmentFacts.machine());
        environment.put("software", EnvironmentFacts.software(repo));
        Map<String, Object> hosts = new LinkedHashMap<>();
        for (Path host : list(results.dir().resolve("hosts"), "*.json")) {
            String file = host.getFileName().toString();
            hosts.put(file.substring(0, file.length() - ".json".length()), JSON.readTree(host.toFile()));
        }
        environment.put("hosts", hosts);
        environment.put("clusters", clusters(results));
        environment.put("startedAt", startedAt(results));
        environment.put("finishedAt", Instant.now().toString());
        environment.put("repeats", rows.stream().mapToInt(RunRow::repeat).max().orElse(0));
        environment.put("status", "complete");
        environment.put("runs", Map.of("ok", rows.stream().filter(RunRow::isOk).count(),
                "failed", rows.stream().filter(r -> !r.isOk()).count(), "skipped", 0));
        JSON.writeValue(results.environment().toFile(), environment);
        return rows;
    }

    /** When the first run was fetched: the oldest runs/*.json. */
    private static String startedAt(ResultsDir results) throws IOException {
        Instant first = null;
        for (Path run : list(results.runs(), "*.json")) {
            Instant modified = Files.getLastModifiedTime(run).toInstant();
            if (first == null || modified.isBefore(first)) first = modified;
        }
        return first == null ? "?" : first.toString();
    }

    /**
     * What the replicas of each cluster start (logs/KEY-rN/) reported in their stats files, and a
     * warning when one ran other offloads than asked (the report marks those cells).
     */
    private static Map<String, Object> clusters(ResultsDir results) throws IOException {
        Map<String, Object> clusters = new LinkedHashMap<>();
        for (Path dir : list(results.logs(), "*")) {
            if (!Files.isDirectory(dir)) continue;
            Map<String, Object> cluster = new LinkedHashMap<>();
            List<String> differing = new ArrayList<>();
            for (Path stats : list(dir, "replica-*.stats.json")) {
                JsonNode s = JSON.readTree(stats.toFile());
                String replica = stats.getFileName().toString().replace(".stats.json", "");
                String requested = s.path("offloadsRequested").asText("?");
                String loaded = s.path("offloadsLoaded").asText("?");
                cluster.put(replica, "view " + s.path("view").asText("?") + " " + s.path("status").asText("?")
                        + ", offloads requested " + requested + ", loaded " + loaded + ", path " + s.path("path").asText("?"));
                if (!requested.equals(loaded)) differing.add(replica + " loaded " + loaded);
            }
            if (!differing.isEmpty()) {
                cluster.put(Cluster.WARNING, "offloads requested but not all loaded: " + String.join(", ", differing));
            }
            clusters.put(dir.getFileName().toString(), cluster);
        }
        return clusters;
    }

    private static RunRow row(Path runJson) throws IOException {
        String file = runJson.getFileName().toString();
        String id = file.substring(0, file.length() - ".json".length());
        Matcher m = RUN_ID.matcher(id);
        if (!m.matches()) {
            throw new IOException(runJson + ": the name is not a run id like n3-all-c8-r1.json; rename or remove it");
        }
        int size = Integer.parseInt(m.group(1));
        String offloads = m.group(2);
        int clients = Integer.parseInt(m.group(3));
        int repeat = Integer.parseInt(m.group(4));
        Figures figures;
        try {
            JsonNode json = JSON.readTree(runJson.toFile());
            figures = Figures.of(json);
        } catch (IOException | IllegalArgumentException e) {
            return new RunRow(size, offloads, clients, repeat, null, RunStatus.FAILED, file + ": " + e.getMessage());
        }
        if (figures.completed() == 0) {
            return new RunRow(size, offloads, clients, repeat, figures, RunStatus.FAILED,
                    "no request completed in the measured window");
        }
        return new RunRow(size, offloads, clients, repeat, figures, RunStatus.OK, "");
    }

    private static List<Path> list(Path dir, String glob) throws IOException {
        List<Path> files = new ArrayList<>();
        if (!Files.isDirectory(dir)) return files;
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, glob)) {
            stream.forEach(files::add);
        }
        files.sort(Comparator.naturalOrder());
        return files;
    }
}

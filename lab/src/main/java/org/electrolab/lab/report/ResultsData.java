package org.electrolab.lab.report;

import org.electrolab.lab.pipeline.RunId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.DataFormatException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;

import org.electrolab.lab.experiment.ResultsCsv;
import org.electrolab.lab.experiment.ResultsDir;
import org.electrolab.lab.experiment.RunRow;
import org.electrolab.protocol.config.Offload;

/**
 * A results directory as the report reads it: results.csv grouped into cells, environment.json, and
 * the latency histograms of the runs' run.json files.
 *
 * @param sizes cluster sizes, ascending
 * @param offloadSets offload set labels: none, then single offloads, then combinations, all last ({@link #OFFLOAD_ORDER})
 * @param clients client counts, ascending
 * @param environment environment.json, or null when there is none
 */
public record ResultsData(ResultsDir dir, List<RunRow> rows, List<Integer> sizes, List<String> offloadSets,
                          List<Integer> clients, Map<String, CellResult> cells, JsonNode environment) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Offload sets by how many offloads they hold, then in the order Offload lists them; labels that
     * name no offloads last. The order is the same whatever order the runs were written in.
     */
    static final Comparator<String> OFFLOAD_ORDER = Comparator.comparing(ResultsData::ordinals, ResultsData::compareOrdinals)
            .thenComparing(Comparator.naturalOrder());

    private static List<Integer> ordinals(String label) {
        if (label.equals("none")) return List.of();
        if (label.equals("all")) return Arrays.stream(Offload.values()).map(Enum::ordinal).toList();
        List<Integer> ordinals = new ArrayList<>();
        for (String name : label.split("\\+")) {
            Offload offload = Offload.named(name);
            if (offload == null) return null;
            ordinals.add(offload.ordinal());
        }
        return ordinals;
    }

    private static int compareOrdinals(List<Integer> a, List<Integer> b) {
        if (a == null || b == null) return a == null ? (b == null ? 0 : 1) : -1;
        if (a.size() != b.size()) return Integer.compare(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).equals(b.get(i))) return Integer.compare(a.get(i), b.get(i));
        }
        return 0;
    }

    public static ResultsData load(Path path) throws IOException {
        ResultsDir dir = new ResultsDir(path);
        if (!Files.isRegularFile(dir.resultsCsv())) {
            throw new IOException(path + " has no results.csv; pass a directory `electrolab experiment run` wrote,"
                    + " e.g. experiments/results/<timestamp>");
        }
        List<RunRow> rows = ResultsCsv.read(dir.resultsCsv());
        List<Integer> sizes = rows.stream().map(RunRow::size).distinct().sorted().toList();
        List<String> offloadSets = rows.stream().map(RunRow::offloads).distinct().sorted(OFFLOAD_ORDER).toList();
        List<Integer> clients = rows.stream().map(RunRow::clients).distinct().sorted().toList();
        Map<String, CellResult> cells = new LinkedHashMap<>();
        for (int size : sizes) {
            for (int count : clients) {
                for (String offloads : offloadSets) {
                    List<RunRow> runs = rows.stream()
                            .filter(r -> r.size() == size && r.clients() == count && r.offloads().equals(offloads))
                            .sorted(Comparator.comparingInt(RunRow::repeat)).toList();
                    if (runs.isEmpty()) continue;
                    CellResult cell = CellResult.of(size, offloads, count, runs);
                    cells.put(cell.id(), cell);
                }
            }
        }
        JsonNode environment = Files.isRegularFile(dir.environment()) ? JSON.readTree(dir.environment().toFile()) : null;
        return new ResultsData(dir, rows, sizes, offloadSets, clients, cells, environment);
    }

    /** The cell of this size, offload set and client count, if results.csv has it. */
    public Optional<CellResult> cell(int size, String offloads, int clients) {
        return Optional.ofNullable(cells.get(RunId.cell(size, offloads, clients)));
    }

    /** The cell of offload set none with the same size and client count: what ratios compare against. */
    public Optional<CellResult> baseline(CellResult cell) {
        return cell(cell.size(), "none", cell.clients());
    }

    /**
     * The latency of every completed request of the cell's ok runs, merged from their run.json
     * {@code latencyHistogram}s; empty when a run has none (the CDF then uses the percentiles).
     */
    public Optional<Histogram> latencyHistogram(CellResult cell) {
        List<Histogram> histograms = new ArrayList<>();
        for (RunRow run : cell.runs()) {
            if (!run.isOk()) continue;
            Optional<Histogram> h = histogram(dir.runJson(run.runId()));
            if (h.isEmpty()) return Optional.empty();
            histograms.add(h.get());
        }
        if (histograms.isEmpty()) return Optional.empty();
        // Auto-resizing, so runs whose histograms cover different ranges still merge.
        Histogram merged = new Histogram(histograms.getFirst().getNumberOfSignificantValueDigits());
        for (Histogram h : histograms) merged.add(h);
        return merged.getTotalCount() == 0 ? Optional.empty() : Optional.of(merged);
    }

    /** One interval of a run's interval log: seconds from the client's start, requests completed, warmup or not. */
    public record Interval(double startSeconds, double endSeconds, long completed, boolean warmup) {
        public double opsPerSec() {
            return endSeconds > startSeconds ? completed / (endSeconds - startSeconds) : 0;
        }
    }

    /**
     * The completed run of {@code cell} whose throughput is nearest the cell's median and that has
     * an interval log, with its intervals: what the throughput-over-time chart draws.
     */
    public Optional<Map.Entry<RunRow, List<Interval>>> medianIntervals(CellResult cell) {
        if (!cell.hasResult()) return Optional.empty();
        double median = cell.throughput().median();
        List<RunRow> byDistance = cell.runs().stream().filter(RunRow::isOk)
                .sorted(Comparator.comparingDouble(r -> Math.abs(r.figures().throughputOpsPerSec() - median))).toList();
        for (RunRow run : byDistance) {
            List<Interval> intervals = intervals(dir.runIntervalLog(run.runId()));
            if (!intervals.isEmpty()) return Optional.of(Map.entry(run, intervals));
        }
        return Optional.empty();
    }

    private static List<Interval> intervals(Path log) {
        if (!Files.isRegularFile(log)) return List.of();
        List<Interval> intervals = new ArrayList<>();
        try (HistogramLogReader reader = new HistogramLogReader(log.toFile())) {
            double start = -1;
            while (reader.hasNext()) {
                EncodableHistogram next = reader.nextIntervalHistogram();
                if (!(next instanceof Histogram h)) continue;
                // Timestamps are absolute (the log has a StartTime): seconds from the first interval's start.
                if (start < 0) start = h.getStartTimeStamp() / 1000.0;
                intervals.add(new Interval(h.getStartTimeStamp() / 1000.0 - start, h.getEndTimeStamp() / 1000.0 - start,
                        h.getTotalCount(), "warmup".equals(h.getTag())));
            }
        } catch (IOException | RuntimeException e) {
            // A damaged or cut-off log draws what it has.
        }
        return intervals;
    }

    private static Optional<Histogram> histogram(Path runJson) {
        try {
            if (!Files.isRegularFile(runJson)) return Optional.empty();
            JsonNode encoded = JSON.readTree(runJson.toFile()).get("latencyHistogram");
            if (encoded == null || !encoded.isTextual()) return Optional.empty();
            byte[] bytes = Base64.getDecoder().decode(encoded.asText());
            return Optional.of(Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(bytes), 0));
        } catch (IOException | IllegalArgumentException | DataFormatException e) {
            return Optional.empty();
        }
    }
}

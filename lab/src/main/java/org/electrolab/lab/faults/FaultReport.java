package org.electrolab.lab.faults;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.electrolab.lab.report.ChartFiles;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The campaign's report: faults.csv (one row per run), report.md (per fault x size x offloads:
 * operations, violations, lost writes, unavailability, convergence) and one timeline chart per
 * fault and size (throughput over time, the fault's span shaded).
 */
public final class FaultReport {
    /** The goal the issue sets: service back within this long after a leader kill. */
    public static final double LEADER_KILL_GOAL_MILLIS = 2000;
    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final List<Color> COLOURS = List.of(new Color(0x7f, 0x7f, 0x7f), new Color(0xd6, 0x27, 0x28),
            new Color(0x1f, 0x77, 0xb4), new Color(0xff, 0x7f, 0x0e), new Color(0x2c, 0xa0, 0x2c), new Color(0x94, 0x67, 0xbd));

    private FaultReport() {}

    /** One line per run for the terminal. */
    public static String line(FaultRun r) {
        if (!r.judged()) return r.id() + ": FAILED: " + r.error();
        return String.format(Locale.ROOT, "%s: %,d ops (%d unknown), %s, %d lost writes, unavailable %.0f ms, %s%s",
                r.id(), r.ops(), r.unknown(), r.linearizable() ? "linearizable" : "NOT LINEARIZABLE", r.lostWrites(),
                r.unavailableMillis(), r.convergedMillis() >= 0 ? "converged" : "DID NOT CONVERGE",
                r.crashed().isEmpty() ? "" : ", CRASHED: " + String.join(", ", r.crashed()));
    }

    public static List<FaultRun> read(CampaignDir dir) throws IOException {
        List<FaultRun> runs = new ArrayList<>();
        if (!Files.isDirectory(dir.runs())) throw new IOException(dir.dir() + " has no runs/ directory; is it a fault campaign's results?");
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir.runs(), "*.json")) {
            for (Path file : files) runs.add(JSON.readValue(file.toFile(), FaultRun.class));
        }
        runs.sort(Comparator.comparing((FaultRun r) -> FaultKind.named(r.fault()) == null ? 99 : FaultKind.named(r.fault()).ordinal())
                .thenComparingInt(FaultRun::size).thenComparing(r -> !r.offloads().equals("none")).thenComparing(FaultRun::offloads)
                .thenComparingInt(FaultRun::repeat));
        return runs;
    }

    /** Writes faults.csv, report.md and the charts; returns report.md. */
    public static Path write(CampaignDir dir) throws IOException {
        List<FaultRun> runs = read(dir);
        writeCsv(dir.csv(), runs);
        List<String> charts = charts(dir, runs);
        Files.writeString(dir.report(), markdown(dir, runs, charts), StandardCharsets.UTF_8);
        return dir.report();
    }

    private static void writeCsv(Path csv, List<FaultRun> runs) throws IOException {
        try (Writer w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            w.write("id,fault,size,offloads,repeat,status,ops,ok,fail,unknown,linearizable,lost_writes,unverified_reads,"
                    + "unavailable_ms,converged_ms,fault_at_s,heal_at_s\n");
            for (FaultRun r : runs) {
                w.write(String.join(",", r.id(), r.fault(), Integer.toString(r.size()), '"' + r.offloads() + '"',
                        Integer.toString(r.repeat()), r.status(), Long.toString(r.ops()), Long.toString(r.ok()), Long.toString(r.fail()),
                        Long.toString(r.unknown()), Boolean.toString(r.linearizable()), Integer.toString(r.lostWrites()),
                        Integer.toString(r.unverifiedReads()), fmt(r.unavailableMillis()), Long.toString(r.convergedMillis()),
                        fmt(r.faultAtSeconds()), fmt(r.healAtSeconds())) + "\n");
            }
        }
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private record Cell(String fault, int size, String offloads) {}

    static String markdown(CampaignDir dir, List<FaultRun> runs, List<String> charts) {
        Map<Cell, List<FaultRun>> cells = new LinkedHashMap<>();
        for (FaultRun r : runs) cells.computeIfAbsent(new Cell(r.fault(), r.size(), r.offloads()), c -> new ArrayList<>()).add(r);
        long judged = runs.stream().filter(FaultRun::judged).count();
        long violations = runs.stream().filter(r -> r.judged() && !r.linearizable()).count();
        long lost = runs.stream().filter(FaultRun::judged).mapToLong(FaultRun::lostWrites).sum();
        long unconverged = runs.stream().filter(r -> r.judged() && r.convergedMillis() < 0).count();
        long crashes = runs.stream().mapToLong(r -> r.crashed().size()).sum();
        long ops = runs.stream().mapToLong(FaultRun::ops).sum();
        StringBuilder b = new StringBuilder();
        b.append("# Fault campaign: ").append(dir.dir().getFileName()).append("\n\n");
        b.append(String.format(Locale.ROOT, "%d runs (%d judged, %d failed to run), %,d client operations: **%d linearizability "
                + "violations, %d lost acknowledged writes, %d runs whose replicas did not converge, %d replica crashes.**%n%n",
                runs.size(), judged, runs.size() - judged, ops, violations, lost, unconverged, crashes));
        List<FaultRun> leaderKills = runs.stream().filter(r -> r.judged() && r.fault().equals(FaultKind.LEADER_KILL.label)).toList();
        if (!leaderKills.isEmpty()) {
            double worst = leaderKills.stream().mapToDouble(FaultRun::unavailableMillis).max().orElse(0);
            b.append(String.format(Locale.ROOT, "Leader kill: service back within %.0f ms at worst (goal: %.0f ms) — %s.%n%n",
                    worst, LEADER_KILL_GOAL_MILLIS, worst <= LEADER_KILL_GOAL_MILLIS ? "met" : "**missed**"));
        }
        b.append("Each run: kv clients (get, put, cas on fresh keys) for `before`, the fault for `during`, healed, then `after`;\n")
                .append("then final reads of every key, the linearizability check (with unknown outcomes), the lost-write check,\n")
                .append("and a wait until every replica is NORMAL with the same view, commit and state digest.\n")
                .append("*Unavailable*: the longest time after the fault without an operation completing OK (median / max over repeats).\n\n");
        b.append("| fault | replicas | offloads | runs | ops | unknown | violations | lost writes | unavailable ms (median / max) | converged | what the fault did (repeat 1) |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Map.Entry<Cell, List<FaultRun>> e : cells.entrySet()) {
            List<FaultRun> rs = e.getValue();
            List<FaultRun> ok = rs.stream().filter(FaultRun::judged).toList();
            List<Double> unavailable = ok.stream().map(FaultRun::unavailableMillis).sorted().toList();
            String spread = unavailable.isEmpty() ? "–" : String.format(Locale.ROOT, "%.0f / %.0f",
                    median(unavailable), unavailable.getLast());
            long failed = rs.size() - ok.size();
            b.append(String.format(Locale.ROOT, "| %s | %d | %s | %d%s | %,d | %,d | %d | %d | %s | %s | %s |%n", e.getKey().fault(),
                    e.getKey().size(), e.getKey().offloads(), rs.size(), failed > 0 ? " (" + failed + " failed)" : "",
                    ok.stream().mapToLong(FaultRun::ops).sum(), ok.stream().mapToLong(FaultRun::unknown).sum(),
                    ok.stream().filter(r -> !r.linearizable()).count(), ok.stream().mapToInt(FaultRun::lostWrites).sum(), spread,
                    ok.isEmpty() ? "–" : ok.stream().allMatch(r -> r.convergedMillis() >= 0) ? "yes" : "**no**",
                    ok.isEmpty() ? "–" : effect(ok.getFirst())));
        }
        b.append("\n## Faults\n\n");
        for (FaultKind kind : FaultKind.values()) {
            if (cells.keySet().stream().anyMatch(c -> c.fault().equals(kind.label))) {
                b.append("- `").append(kind.label).append("`: ").append(kind.description).append('\n');
            }
        }
        List<FaultRun> bad = runs.stream().filter(r -> !r.correct()).toList();
        if (!bad.isEmpty()) {
            b.append("\n## Runs that failed or found a problem\n\n");
            for (FaultRun r : bad) {
                b.append("- ").append(line(r)).append('\n');
                if (!r.violation().isEmpty()) b.append("\n```\n").append(r.violation()).append("\n```\n");
            }
        }
        if (!charts.isEmpty()) {
            b.append("\n## Timelines\n\nThroughput (operations completed OK per second, in 100 ms steps) around the fault; ")
                    .append("the shaded span is the fault, from injection to healing.\n\n");
            for (String chart : charts) b.append("![").append(chart).append("](charts/").append(chart).append(")\n");
        }
        b.append("\nFigures per run: runs/ID.json; one row per run: faults.csv; the replicas' logs: logs/.\n");
        return b.toString();
    }

    /** What a run's fault did: its description, and for link faults what the program counted over all replicas' ports. */
    static String effect(FaultRun r) {
        Map<String, Long> total = new LinkedHashMap<>();
        for (Map<String, Long> port : r.links().values()) port.forEach((k, v) -> total.merge(k, v, Long::sum));
        long seen = total.getOrDefault("seen", 0L);
        List<String> parts = new ArrayList<>();
        for (String counter : List.of("dropped_partition", "dropped_loss", "duplicated", "slowed")) {
            long n = total.getOrDefault(counter, 0L);
            if (n > 0) parts.add(String.format(Locale.ROOT, "%s %,d of %,d packets (%.1f%%)", counter.replace('_', ' '), n, seen, 100.0 * n / seen));
        }
        return parts.isEmpty() ? r.injected() : r.injected() + ": " + String.join(", ", parts);
    }

    private static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** One chart per fault and size: a line per offload set and repeat, x = seconds from the fault. */
    static List<String> charts(CampaignDir dir, List<FaultRun> runs) throws IOException {
        System.setProperty("java.awt.headless", "true");
        ImageIO.setUseCache(false);
        Files.createDirectories(dir.charts());
        Map<String, List<FaultRun>> byChart = new LinkedHashMap<>();
        for (FaultRun r : runs) {
            if (r.judged() && !r.timeline().isEmpty()) byChart.computeIfAbsent(r.fault() + "-n" + r.size(), k -> new ArrayList<>()).add(r);
        }
        List<String> files = new ArrayList<>();
        for (Map.Entry<String, List<FaultRun>> e : byChart.entrySet()) {
            List<FaultRun> rs = e.getValue();
            FaultRun first = rs.getFirst();
            XYSeriesCollection data = new XYSeriesCollection();
            for (FaultRun r : rs) {
                XYSeries series = new XYSeries(r.offloads() + (r.repeat() > 1 || rs.stream().anyMatch(o -> o.repeat() > 1) ? " r" + r.repeat() : ""));
                for (int i = 0; i < r.timeline().size(); i++) {
                    series.add((i + 0.5) * r.bucketSeconds() - r.faultAtSeconds(), r.timeline().get(i) / r.bucketSeconds());
                }
                data.addSeries(series);
            }
            JFreeChart chart = ChartFactory.createXYLineChart(first.fault() + " with " + first.size() + " replicas",
                    "seconds from the fault", "operations completed OK per second", data, PlotOrientation.VERTICAL, true, false, false);
            XYPlot plot = chart.getXYPlot();
            plot.setBackgroundPaint(Color.WHITE);
            plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
            plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
            double span = rs.stream().mapToDouble(r -> r.healAtSeconds() - r.faultAtSeconds()).average().orElse(0);
            IntervalMarker fault = new IntervalMarker(0, span, new Color(0xff, 0xcc, 0xcc));
            fault.setLabel("fault");
            plot.addDomainMarker(fault, Layer.BACKGROUND);
            XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
            renderer.setDrawSeriesLineAsPath(true);
            for (int i = 0; i < rs.size(); i++) {
                renderer.setSeriesPaint(i, colour(rs.get(i).offloads(), i));
                renderer.setSeriesStroke(i, new BasicStroke(1.5f));
            }
            plot.setRenderer(renderer);
            files.add(ChartFiles.save(dir.charts(), "timeline-" + e.getKey(), chart, 900, 450));
        }
        return files;
    }

    private static Color colour(String offloads, int index) {
        if (offloads.equals("none")) return COLOURS.get(0);
        if (offloads.equals("all")) return COLOURS.get(1);
        return COLOURS.get(2 + index % (COLOURS.size() - 2));
    }
}

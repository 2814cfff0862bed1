package org.electrolab.lab.faults;

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
import java.util.Objects;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.electrolab.lab.figures.Stat;

/**
 * The campaign's report: faults.csv (one row per run), report.md (per fault x size x offloads:
 * operations, violations, lost writes, goodput around the fault next to the longest gap, p99
 * during the fault, view changes, convergence; the loss goals met or missed) and the charts of
 * {@link FaultCharts}.
 */
public final class FaultReport {
    /** The goal the issue sets: service back within this long after a leader kill. */
    public static final double LEADER_KILL_GOAL_MILLIS = 2000;
    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private FaultReport() {}

    /** One line per run for the terminal. */
    public static String line(FaultRun r) {
        if (!r.judged()) return r.id() + ": FAILED: " + r.error();
        Goodput g = r.goodput();
        String goodput = g == null || g.duringPercent() == null ? "" : String.format(Locale.ROOT, "goodput during the fault %.0f%% of %,.0f ops/s, ",
                g.duringPercent(), g.preFaultOpsPerSec());
        return String.format(Locale.ROOT, "%s: %,d ops (%d unknown), %s, %d lost writes, %sunavailable %.0f ms, %s%s%s",
                r.id(), r.ops(), r.unknown(), r.linearizable() ? "linearizable" : "NOT LINEARIZABLE", r.lostWrites(), goodput,
                r.unavailableMillis(), r.convergedMillis() >= 0 ? "converged" : "DID NOT CONVERGE",
                r.viewChanged() ? " in view " + r.viewAfter() + " (from " + r.viewBefore() + ")" : "",
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
        List<String> charts = FaultCharts.write(dir, runs);
        Files.writeString(dir.report(), markdown(dir, runs, charts), StandardCharsets.UTF_8);
        return dir.report();
    }

    private static void writeCsv(Path csv, List<FaultRun> runs) throws IOException {
        try (Writer w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            w.write("id,fault,size,offloads,repeat,status,ops,ok,fail,unknown,linearizable,lost_writes,unverified_reads,"
                    + "unavailable_ms,converged_ms,fault_at_s,heal_at_s,pre_fault_ops_per_s,pre_fault_drift_pct,"
                    + "goodput_during_pct,goodput_after_pct,p99_during_ms,view_before,view_after\n");
            for (FaultRun r : runs) {
                Goodput g = r.goodput();
                w.write(String.join(",", r.id(), r.fault(), Integer.toString(r.size()), '"' + r.offloads() + '"',
                        Integer.toString(r.repeat()), r.status(), Long.toString(r.ops()), Long.toString(r.ok()), Long.toString(r.fail()),
                        Long.toString(r.unknown()), Boolean.toString(r.linearizable()), Integer.toString(r.lostWrites()),
                        Integer.toString(r.unverifiedReads()), fmt(r.unavailableMillis()), Long.toString(r.convergedMillis()),
                        fmt(r.faultAtSeconds()), fmt(r.healAtSeconds()), g == null ? "" : fmt(g.preFaultOpsPerSec()),
                        g == null ? "" : fmt(g.preFaultDriftPercent()), g == null ? "" : fmt(g.duringPercent()),
                        g == null ? "" : fmt(g.afterPercent()), g == null ? "" : fmt(g.p99DuringMillis()),
                        Long.toString(r.viewBefore()), Long.toString(r.viewAfter())) + "\n");
            }
        }
    }

    private static String fmt(Double v) {
        return v == null ? "" : String.format(Locale.ROOT, "%.3f", v);
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
        List<LossGoals.Verdict> verdicts = new ArrayList<>();
        cells.forEach((c, rs) -> verdicts.addAll(LossGoals.judge(c.fault(), c.size(), c.offloads(), rs)));
        if (!verdicts.isEmpty()) {
            long met = verdicts.stream().filter(LossGoals.Verdict::met).count();
            b.append(String.format(Locale.ROOT, "Loss goals: %d of %d met (section Goals under loss).%n%n", met, verdicts.size()));
        }
        b.append("Each run: kv clients (get, put, cas on fresh keys) for `settle` (not measured: the client's JVM warms up), ")
                .append("`before` (the pre-fault rate), the fault for `during`, healed, then `after`;\n")
                .append("then final reads of every key, the linearizability check (with unknown outcomes), the lost-write check,\n")
                .append("and a wait until every replica is NORMAL with the same view, commit and state digest.\n")
                .append("Figures over repeats: median [min–max].\n")
                .append("*Goodput*: operations completed OK per second during the fault (and after healing), in % of the rate in the ")
                .append("`before` window that ends at the fault, from the 100 ms counts.\n")
                .append("*Unavailable*: the longest time after the fault without an operation completing OK.\n")
                .append("*p99 during*: latency of the operations invoked during the fault (one never answered counts as its 3 s give-up).\n")
                .append("*Views changed*: runs that ended in a later view than they started in.\n\n");
        b.append("| fault | replicas | offloads | runs | ops | unknown | violations | lost writes | goodput during % | unavailable ms "
                + "| goodput after % | p99 during ms | pre-fault ops/s | views changed | converged | what the fault did (repeat 1) |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        boolean unsteady = false;
        for (Map.Entry<Cell, List<FaultRun>> e : cells.entrySet()) {
            List<FaultRun> rs = e.getValue();
            List<FaultRun> ok = rs.stream().filter(FaultRun::judged).toList();
            List<Goodput> goodput = ok.stream().map(FaultRun::goodput).filter(Objects::nonNull).toList();
            boolean steady = goodput.stream().allMatch(Goodput::steady);
            unsteady |= !steady;
            long failed = rs.size() - ok.size();
            b.append(String.format(Locale.ROOT, "| %s | %d | %s | %d%s | %,d | %,d | %d | %d | %s%s | %s | %s | %s | %s | %s | %s | %s |%n",
                    e.getKey().fault(), e.getKey().size(), e.getKey().offloads(), rs.size(), failed > 0 ? " (" + failed + " failed)" : "",
                    ok.stream().mapToLong(FaultRun::ops).sum(), ok.stream().mapToLong(FaultRun::unknown).sum(),
                    ok.stream().filter(r -> !r.linearizable()).count(), ok.stream().mapToInt(FaultRun::lostWrites).sum(),
                    spread(goodput.stream().map(Goodput::duringPercent).toList()), steady ? "" : " †",
                    spread(ok.stream().map(r -> (Double) r.unavailableMillis()).toList()),
                    spread(goodput.stream().map(Goodput::afterPercent).toList()),
                    spread(goodput.stream().map(Goodput::p99DuringMillis).toList()),
                    spread(goodput.stream().map(g -> (Double) g.preFaultOpsPerSec()).toList()),
                    ok.isEmpty() ? "–" : ok.stream().filter(FaultRun::viewChanged).count() + " of " + ok.size(),
                    ok.isEmpty() ? "–" : ok.stream().allMatch(r -> r.convergedMillis() >= 0) ? "yes" : "**no**",
                    ok.isEmpty() ? "–" : effect(ok.getFirst())));
        }
        if (unsteady) {
            b.append(String.format(Locale.ROOT, "%n† In at least one run the pre-fault rate was not steady: the second half of its "
                    + "`before` window differs from the first by more than %.0f%% of the rate (faults.csv, pre_fault_drift_pct), or "
                    + "the rate after healing is above %.0f%% of it (the service was still speeding up), so its percentages are "
                    + "doubtful.%n", Goodput.STEADY_DRIFT_PERCENT, Goodput.STEADY_AFTER_PERCENT_MAX));
        }
        if (!verdicts.isEmpty()) {
            b.append("\n## Goals under loss\n\nJudged on the median over the cell's repeats.\n\n")
                    .append("| fault | replicas | offloads | goal | measured | verdict |\n|---|---|---|---|---|---|\n");
            for (LossGoals.Verdict v : verdicts) {
                b.append("| ").append(v.fault()).append(" | ").append(v.size()).append(" | ").append(v.offloads()).append(" | ")
                        .append(v.goal()).append(" | ").append(v.measured()).append(" | ")
                        .append(v.met() ? "met" : "**" + v.miss() + "**").append(" |\n");
            }
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
        List<String> timelines = charts.stream().filter(c -> c.startsWith("timeline-")).toList();
        if (!timelines.isEmpty()) {
            b.append("\n## Timelines\n\nThroughput (operations completed OK per second, in 100 ms steps) around the fault; ")
                    .append("the blue span is the pre-fault window, the red span the fault, from injection to healing, and each ")
                    .append("dashed line an offload set's pre-fault rate (the median over repeats).\n\n");
            for (String chart : timelines) b.append("![").append(chart).append("](charts/").append(chart).append(")\n");
        }
        List<String> underLoss = charts.stream().filter(c -> c.startsWith("goodput-loss-")).toList();
        if (!underLoss.isEmpty()) {
            b.append("\n## Goodput under loss\n\nGoodput during the fault against the share of packets dropped, per offload set: ")
                    .append("the median over repeats, the bars from min to max.\n\n");
            for (String chart : underLoss) b.append("![").append(chart).append("](charts/").append(chart).append(")\n");
        }
        b.append("\nFigures per run: runs/ID.json; one row per run: faults.csv; the replicas' logs: logs/.\n");
        return b.toString();
    }

    /** A figure over a cell's runs: median [min–max], or – when no run has it. */
    private static String spread(List<Double> values) {
        Stat stat = Stat.of(values.stream().filter(Objects::nonNull).toList());
        return stat == null ? "–" : LossGoals.spread(stat, "");
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
}

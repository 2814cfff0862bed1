package org.electrolab.lab.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

import org.electrolab.lab.figures.Stat;

/**
 * What the protocol must keep under packet loss, judged per cell (fault x size x offloads) on the
 * median over its repeats (docs/faults.md, "Goals under loss"): goodput during {@code loss-5} at
 * least 70% of the pre-fault rate, during {@code loss-20} at least 25%, p99 latency during
 * {@code loss-20} under 20 ms, and no view change in any loss run.
 */
final class LossGoals {

    /** One goal's verdict for one cell; {@code measured} is the median and, over several runs, [min–max]. */
    record Verdict(String fault, int size, String offloads, String goal, String measured, boolean met, String miss) {}

    private record Figure(String fault, String goal, String unit, double bound, boolean atLeast, Function<Goodput, Double> of) {}

    private static final List<Figure> FIGURES = List.of(
            new Figure(FaultKind.LOSS_5.label, "goodput during the fault ≥ 70% of the pre-fault rate", "%", 70, true,
                    Goodput::duringPercent),
            new Figure(FaultKind.LOSS_20.label, "goodput during the fault ≥ 25% of the pre-fault rate", "%", 25, true,
                    Goodput::duringPercent),
            new Figure(FaultKind.LOSS_20.label, "p99 latency during the fault < 20 ms", " ms", 20, false,
                    Goodput::p99DuringMillis));

    private LossGoals() {}

    /** The verdicts for the runs of one cell, in goal order; none for a cell whose fault is no loss. */
    static List<Verdict> judge(String fault, int size, String offloads, List<FaultRun> runs) {
        FaultKind kind = FaultKind.named(fault);
        List<FaultRun> judged = runs.stream().filter(FaultRun::judged).toList();
        List<Verdict> verdicts = new ArrayList<>();
        if (kind == null || !kind.isLoss() || judged.isEmpty()) return verdicts;
        for (Figure figure : FIGURES) {
            if (!figure.fault.equals(fault)) continue;
            List<Double> values = judged.stream().map(FaultRun::goodput).filter(Objects::nonNull).map(figure.of)
                    .filter(Objects::nonNull).toList();
            Stat stat = Stat.of(values);
            if (stat == null) {
                verdicts.add(new Verdict(fault, size, offloads, figure.goal, "–", false, "not measured (no steady reference)"));
                continue;
            }
            boolean met = figure.atLeast ? stat.median() >= figure.bound : stat.median() < figure.bound;
            String miss = met ? "" : String.format(Locale.ROOT, "missed by %s", number(Math.abs(stat.median() - figure.bound))
                    + (figure.unit.equals("%") ? " points" : figure.unit));
            verdicts.add(new Verdict(fault, size, offloads, figure.goal, spread(stat, figure.unit), met, miss));
        }
        long changed = judged.stream().filter(FaultRun::viewChanged).count();
        verdicts.add(new Verdict(fault, size, offloads, "no view change", changed + " of " + judged.size() + " runs changed view",
                changed == 0, changed == 0 ? "" : "missed in " + changed + " of " + judged.size() + " runs"));
        return verdicts;
    }

    /** The median, and [min–max] over more than one value, e.g. {@code 62.5% [55–70]}. */
    static String spread(Stat stat, String unit) {
        if (stat.count() == 1) return number(stat.median()) + unit;
        return number(stat.median()) + unit + " [" + number(stat.min()) + "–" + number(stat.max()) + "]";
    }

    private static String number(double v) {
        return Math.abs(v) >= 100 || v == Math.rint(v) ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }
}

package org.electrolab.lab.report;

import java.util.Optional;

import org.electrolab.lab.figures.Stat;

/**
 * A cell's median against the median of offload set none with the same size and client count.
 * Empty when either side has no completed run.
 */
final class Ratios {
    private Ratios() {}

    /** Above 1: the offloads made it faster. */
    static Optional<Double> throughput(ResultsData data, CellResult cell) {
        return ratio(cell.throughput(), data.baseline(cell).map(CellResult::throughput).orElse(null));
    }

    /** Below 1: the offloads made it quicker. */
    static Optional<Double> p50(ResultsData data, CellResult cell) {
        return ratio(cell.p50(), data.baseline(cell).map(CellResult::p50).orElse(null));
    }

    static Optional<Double> p99(ResultsData data, CellResult cell) {
        return ratio(cell.p99(), data.baseline(cell).map(CellResult::p99).orElse(null));
    }

    private static Optional<Double> ratio(Stat value, Stat baseline) {
        if (value == null || baseline == null || baseline.median() == 0) return Optional.empty();
        return Optional.of(value.median() / baseline.median());
    }
}

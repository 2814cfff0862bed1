package org.electrolab.lab.report;

import org.electrolab.lab.pipeline.RunId;
import java.util.List;
import java.util.function.ToDoubleFunction;

import org.electrolab.lab.experiment.Figures;
import org.electrolab.lab.experiment.RunRow;
import org.electrolab.lab.figures.Stat;

/**
 * Every run of one cell and the spread of its figures over the runs that completed.
 *
 * @param offloads the offload set's label
 * @param runs every row of results.csv for this cell, in repeat order
 * @param throughput requests per second; null when no run completed (also p50 and p99)
 * @param p50 median latency in microseconds
 * @param p99 99th-percentile latency in microseconds
 */
public record CellResult(int size, String offloads, int clients, List<RunRow> runs, Stat throughput, Stat p50, Stat p99) {

    public static CellResult of(int size, String offloads, int clients, List<RunRow> runs) {
        List<Figures> ok = runs.stream().filter(RunRow::isOk).map(RunRow::figures).toList();
        return new CellResult(size, offloads, clients, List.copyOf(runs), stat(ok, Figures::throughputOpsPerSec),
                stat(ok, Figures::p50Micros), stat(ok, Figures::p99Micros));
    }

    private static Stat stat(List<Figures> figures, ToDoubleFunction<Figures> figure) {
        return Stat.of(figures.stream().map(f -> figure.applyAsDouble(f)).toList());
    }

    /** Names the cell as run files do, e.g. {@code n3-all-c16}. */
    public String id() {
        return RunId.cell(size, offloads, clients);
    }

    public boolean hasResult() {
        return throughput != null;
    }

    public long okRuns() {
        return runs.stream().filter(RunRow::isOk).count();
    }
}

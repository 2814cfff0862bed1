package org.electrolab.lab.experiment;

import org.electrolab.lab.pipeline.RunId;

/**
 * One row of results.csv: one run, its outcome and, when a run.json was read, its figures.
 *
 * @param offloads the offload set's label ({@link OffloadSet#label})
 * @param figures null when the run wrote no readable run.json
 * @param reason why a run failed or was skipped; empty for an ok run
 */
public record RunRow(int size, String offloads, int clients, int repeat, Figures figures, RunStatus status, String reason) {

    public RunRow {
        reason = reason == null ? "" : reason;
    }

    public static RunRow ok(Run run, Figures figures) {
        return new RunRow(run.cell().size(), run.cell().offloads().label(), run.cell().clients(), run.repeat(), figures,
                RunStatus.OK, "");
    }

    public static RunRow failed(Run run, Figures figures, String reason) {
        return new RunRow(run.cell().size(), run.cell().offloads().label(), run.cell().clients(), run.repeat(), figures,
                RunStatus.FAILED, reason);
    }

    public static RunRow skipped(Run run, String reason) {
        return new RunRow(run.cell().size(), run.cell().offloads().label(), run.cell().clients(), run.repeat(), null,
                RunStatus.SKIPPED, reason);
    }

    public boolean isOk() {
        return status == RunStatus.OK;
    }

    /** The cell's id, e.g. {@code n3-all-c16}, as {@link Cell#id} spells it. */
    public String cellId() {
        return RunId.cell(size, offloads, clients);
    }

    /** The run's id: its raw result is runs/&lt;id&gt;.json. */
    public String runId() {
        return cellId() + RunId.repeat(repeat);
    }
}

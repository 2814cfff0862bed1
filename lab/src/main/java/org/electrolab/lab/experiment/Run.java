package org.electrolab.lab.experiment;

import org.electrolab.lab.pipeline.RunId;

/** One execution of a cell; {@code repeat} counts from 1. */
public record Run(Cell cell, int repeat) {

    /** Names the run's raw result, e.g. {@code n3-all-c16-r1} for runs/n3-all-c16-r1.json. */
    public String id() {
        return cell.id() + RunId.repeat(repeat);
    }
}

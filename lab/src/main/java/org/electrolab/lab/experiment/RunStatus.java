package org.electrolab.lab.experiment;

/** How a run ended, as results.csv spells it. */
public enum RunStatus {
    /** The client ran and requests completed: the figures count. */
    OK("ok"),
    /** The cluster or the client failed, or nothing completed; the reason says why. */
    FAILED("failed"),
    /** Never ran, because the experiment was stopped (Ctrl-C) first. */
    SKIPPED("skipped");

    public final String csvName;

    RunStatus(String csvName) {
        this.csvName = csvName;
    }

    public static RunStatus named(String csvName) {
        for (RunStatus s : values()) if (s.csvName.equals(csvName)) return s;
        throw new IllegalArgumentException("unknown status '" + csvName + "'; expected ok, failed or skipped");
    }
}

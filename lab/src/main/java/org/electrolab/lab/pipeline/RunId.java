package org.electrolab.lab.pipeline;

/**
 * How results name clusters and runs, written once: a cluster (one lab per key) is
 * {@code n<size>-<offloads>}, e.g. {@code n3-all}; an experiment's cell adds {@code -c<clients>} and
 * a fault run {@code -<fault>}, and a repeat ends in {@code -r<n>}: {@code n3-all-c16-r1},
 * {@code n3-all-leader-kill-r1}.
 */
public final class RunId {
    /** What comes before a repeat's number: every id of a cluster's repeats starts with its key and this. */
    public static final String REPEAT = "-r";

    private RunId() {}

    /** {@code n<size>-<offloads>}, {@code offloads} an {@link OffloadSet#label}. */
    public static String cluster(int size, String offloads) {
        return "n" + size + "-" + offloads;
    }

    public static String cluster(int size, OffloadSet offloads) {
        return cluster(size, offloads.label());
    }

    /** An experiment cell: {@code n<size>-<offloads>-c<clients>}. */
    public static String cell(int size, String offloads, int clients) {
        return cluster(size, offloads) + "-c" + clients;
    }

    /** A fault run: {@code n<size>-<offloads>-<fault>-r<repeat>}. */
    public static String faultRun(int size, OffloadSet offloads, String fault, int repeat) {
        return cluster(size, offloads) + "-" + fault + repeat(repeat);
    }

    /** The end of a repeat's id: {@code -r<repeat>}. */
    public static String repeat(int repeat) {
        return REPEAT + repeat;
    }
}

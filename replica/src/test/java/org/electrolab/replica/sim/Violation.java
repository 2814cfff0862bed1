package org.electrolab.replica.sim;

/** A checker found the replicas or their clients doing something VR forbids. */
public final class Violation extends RuntimeException {
    public final String checker;

    public Violation(String checker, String detail) {
        super(checker + ": " + detail, null, false, false);
        this.checker = checker;
    }
}

package org.electrolab.lab.pipeline;

/** A cluster step failed; the message is one line that ends up as a failed run's reason. */
public final class ClusterException extends Exception {
    public ClusterException(String message) {
        super(message, null, false, false);
    }
}

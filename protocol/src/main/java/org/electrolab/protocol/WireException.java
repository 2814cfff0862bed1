package org.electrolab.protocol;

/** A datagram that is not a valid message of this cluster; {@link #reason} says which check failed. */
public final class WireException extends Exception {

    /** Why a datagram was dropped; each is counted by the transport. */
    public enum Reason {
        TRUNCATED, TOO_LARGE, BAD_MAGIC, BAD_VERSION, FOREIGN_CLUSTER, UNKNOWN_TYPE, BAD_BODY
    }

    public final Reason reason;

    public WireException(Reason reason, String detail) {
        super(reason + ": " + detail, null, false, false);
        this.reason = reason;
    }
}

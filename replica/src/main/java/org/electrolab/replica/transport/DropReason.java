package org.electrolab.replica.transport;

import org.electrolab.protocol.WireException;

/** Why the transport dropped a datagram: every {@link WireException.Reason}, plus the address checks. */
public enum DropReason {
    TRUNCATED, TOO_LARGE, BAD_MAGIC, BAD_VERSION, FOREIGN_CLUSTER, UNKNOWN_TYPE, BAD_BODY,
    /** A replica-to-replica message from an address:port that is no member's. */
    NON_MEMBER_SOURCE,
    /** A replica-to-replica message whose sender index names a different member than its source address. */
    SENDER_MISMATCH;

    public static DropReason of(WireException.Reason reason) {
        return valueOf(reason.name());
    }
}

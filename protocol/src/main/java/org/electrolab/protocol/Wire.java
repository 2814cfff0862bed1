package org.electrolab.protocol;

/**
 * Constants of the wire layout. The one definition is {@code bpf/electrolab_wire.h}; these mirror
 * it and {@code WireLayoutTest} fails when the two disagree.
 */
public final class Wire {
    private Wire() {}

    public static final int MAGIC = 0x42414c45;
    public static final int VERSION = 1;

    public static final int REPLICAS_MAX = 15;
    public static final int SENDER_CLIENT = 0xff;
    public static final int MESSAGE_SIZE_MAX = 8192;
    public static final int PIPELINE_MAX = 64;
    public static final int BATCH_MAX = 32;

    public static final int HEADER_SIZE = 48;
    public static final int OFFSET_MAGIC = 0;
    public static final int OFFSET_VERSION = 4;
    public static final int OFFSET_TYPE = 5;
    public static final int OFFSET_SENDER = 6;
    public static final int OFFSET_FLAGS = 7;
    public static final int OFFSET_CLUSTER_ID = 8;
    public static final int OFFSET_BODY_SIZE = 12;
    public static final int OFFSET_VIEW = 16;
    public static final int OFFSET_OP = 24;
    public static final int OFFSET_COMMIT = 32;
    public static final int OFFSET_ACKS = 40;

    public static final int FLAG_BROADCAST = 0x01;
    public static final int FLAG_QUORUM = 0x02;

    /** Bytes a request adds to a Prepare body beyond its payload: client id, request number, length. */
    public static final int REQUEST_OVERHEAD = 8 + 8 + 4;
    /** Bytes of a Prepare body before its requests: the request count. */
    public static final int ENTRY_OVERHEAD = 4;
    /** The largest entry (Prepare body) that still fits a NewState carrying it with its op. */
    public static final int ENTRY_SIZE_MAX = MESSAGE_SIZE_MAX - HEADER_SIZE - 8 - 4 - 8;
    /** The largest request payload a replica accepts. */
    public static final int PAYLOAD_SIZE_MAX = ENTRY_SIZE_MAX - ENTRY_OVERHEAD - REQUEST_OVERHEAD;

    static {
        Check.that(REPLICAS_MAX < 64, "acks is a 64-bit bitmap of members");
        Check.that(REPLICAS_MAX < SENDER_CLIENT, "member index must not collide with the client sender");
        Check.that(MESSAGE_SIZE_MAX <= 65507, "one UDP datagram over IPv4");
        Check.that(PAYLOAD_SIZE_MAX > 0, "a request must fit a Prepare");
    }
}

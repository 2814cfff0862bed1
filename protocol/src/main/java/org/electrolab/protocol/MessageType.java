package org.electrolab.protocol;

/** header.type values; see {@code enum el_type} in bpf/electrolab_wire.h. */
public enum MessageType {
    REQUEST(1),
    REPLY(2),
    PREPARE(3),
    PREPARE_OK(4),
    COMMIT(5),
    START_VIEW_CHANGE(6),
    DO_VIEW_CHANGE(7),
    START_VIEW(8),
    GET_STATE(9),
    NEW_STATE(10),
    RECOVERY(11),
    RECOVERY_RESPONSE(12);

    public static final int MAX = 12;
    private static final MessageType[] BY_CODE = new MessageType[MAX + 1];

    static {
        for (MessageType t : values()) BY_CODE[t.code] = t;
    }

    public final int code;

    MessageType(int code) {
        this.code = code;
    }

    /** The type with this code, or null when no type has it. */
    public static MessageType of(int code) {
        return code > 0 && code <= MAX ? BY_CODE[code] : null;
    }
}

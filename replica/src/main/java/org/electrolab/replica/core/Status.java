package org.electrolab.replica.core;

/** A replica's status (VR Revisited, section 4). The numeric codes are what the kernel maps hold. */
public enum Status {
    NORMAL(0),
    VIEW_CHANGE(1),
    RECOVERING(2);

    public final int code;

    Status(int code) {
        this.code = code;
    }
}

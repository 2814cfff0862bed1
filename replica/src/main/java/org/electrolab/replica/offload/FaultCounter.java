package org.electrolab.replica.offload;

import java.util.Locale;

/**
 * enum fault_counter (bpf/fault_inject.h): what fault_inject counts on one port, by index in its
 * fault_counters map. The order is the C enum's; OffloadLayoutTest holds it to the header.
 */
public enum FaultCounter {
    /** IPv4 UDP frames examined, duplicates not included. */
    SEEN,
    DROPPED_LOSS,
    DROPPED_PARTITION,
    /** Duplicates sent. */
    DUPLICATED,
    /** Frames (and their duplicates, once) put in the slow class. */
    SLOWED;

    /** The index in fault_counters. */
    public int index() {
        return ordinal();
    }

    /** The name the lab reports it by, e.g. {@code dropped_loss}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}

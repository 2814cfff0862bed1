package org.electrolab.replica.offload;

import java.util.List;
import java.util.Set;

import org.electrolab.protocol.config.Offload;

/**
 * The program behind each of Electrode's offloads: one {@code bpf/<program>.bpf.c}, built into the
 * replica jar, with its counters in a per-CPU map whose fields are {@link #counterNames} in order.
 */
public enum OffloadProgram {
    TC_BROADCAST(Offload.TC_BROADCAST, "tc_broadcast", "el_tc_counters", 0x1,
            List.of("broadcasts", "cloned", "no_route", "fib_fwd_disabled", "fib_no_neigh", "clone_failed",
                    "clones_seen", "passed", "not_member", "other_traffic")),
    FAST_REPLY(Offload.FAST_REPLY, "fast_reply", "el_fr_counters", 0x2,
            List.of("fast_replied", "passed_up", "dropped_invalid", "dropped_foreign", "other_traffic",
                    "not_normal", "wrong_view", "out_of_order", "ring_full")),
    QUORUM_PRUNE(Offload.QUORUM_PRUNE, "quorum_prune", "el_qp_counters", 0x4,
            List.of("quorum_passed", "pruned", "dropped_duplicate", "dropped_late", "passed_up",
                    "dropped_invalid", "dropped_foreign", "other_traffic"));

    public final Offload offload;
    /** The object file and program name. */
    public final String program;
    /** The per-CPU counters map. */
    public final String countersMap;
    /** The bit of struct el_state.offloads that lets the program act. */
    public final int stateBit;
    /** The fields of the counters struct, in order (each a u64). */
    public final List<String> counterNames;

    OffloadProgram(Offload offload, String program, String countersMap, int stateBit, List<String> counterNames) {
        this.offload = offload;
        this.program = program;
        this.countersMap = countersMap;
        this.stateBit = stateBit;
        this.counterNames = counterNames;
    }

    public static OffloadProgram of(Offload offload) {
        for (OffloadProgram p : values()) {
            if (p.offload == offload) return p;
        }
        throw new IllegalArgumentException("no program for " + offload);
    }

    /**
     * The XDP program an interface runs for a replica with {@code offloads} loaded: quorum_prune
     * while it leads (or when it has no fast_reply), fast_reply while it follows; null for neither.
     */
    public static OffloadProgram xdpFor(Set<Offload> offloads, boolean leader) {
        boolean prune = offloads.contains(Offload.QUORUM_PRUNE), reply = offloads.contains(Offload.FAST_REPLY);
        if (prune && (leader || !reply)) return QUORUM_PRUNE;
        return reply ? FAST_REPLY : null;
    }

    /** The bits of struct el_state.offloads for these offloads. */
    public static int bits(Set<Offload> offloads) {
        int bits = 0;
        for (Offload o : offloads) bits |= of(o).stateBit;
        return bits;
    }
}

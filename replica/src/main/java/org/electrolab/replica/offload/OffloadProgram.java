package org.electrolab.replica.offload;

import java.util.List;

/**
 * The three Electrode offloads: each is one program in {@code bpf/<program>.bpf.c}, built into the
 * replica jar, with its counters in a per-CPU map whose fields are {@link #counterNames} in order.
 */
public enum Offload {
    TC_BROADCAST("tc-broadcast", "tc_broadcast", "el_tc_counters", 0x1,
            List.of("broadcasts", "cloned", "no_route", "fib_fwd_disabled", "fib_no_neigh", "clone_failed",
                    "clones_seen", "passed", "not_member", "other_traffic")),
    FAST_REPLY("fast-reply", "fast_reply", "el_fr_counters", 0x2,
            List.of("fast_replied", "passed_up", "dropped_invalid", "dropped_foreign", "other_traffic",
                    "not_normal", "wrong_view", "out_of_order", "ring_full")),
    QUORUM_PRUNE("quorum-prune", "quorum_prune", "el_qp_counters", 0x4,
            List.of("quorum_passed", "pruned", "dropped_duplicate", "dropped_late", "passed_up",
                    "dropped_invalid", "dropped_foreign", "other_traffic"));

    /** The name on the command line ({@code --offload fast-reply}). */
    public final String cliName;
    /** The object file and program name. */
    public final String program;
    /** The per-CPU counters map. */
    public final String countersMap;
    /** The bit of struct el_state.offloads that lets the program act. */
    public final int stateBit;
    /** The fields of the counters struct, in order (each a u64). */
    public final List<String> counterNames;

    Offload(String cliName, String program, String countersMap, int stateBit, List<String> counterNames) {
        this.cliName = cliName;
        this.program = program;
        this.countersMap = countersMap;
        this.stateBit = stateBit;
        this.counterNames = counterNames;
    }

    /** The offload named {@code name} on the command line, or an IllegalArgumentException listing the names. */
    public static Offload ofCliName(String name) {
        for (Offload o : values()) {
            if (o.cliName.equals(name)) return o;
        }
        throw new IllegalArgumentException("unknown offload '" + name + "': use tc-broadcast, fast-reply or quorum-prune");
    }

    /** The bits of struct el_state.offloads for these offloads. */
    public static int bits(Iterable<Offload> offloads) {
        int bits = 0;
        for (Offload o : offloads) bits |= o.stateBit;
        return bits;
    }
}

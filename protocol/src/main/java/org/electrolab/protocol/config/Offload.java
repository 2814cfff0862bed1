package org.electrolab.protocol.config;

/** Electrode's three eBPF offloads, by the names the CLI and scenarios use (docs/architecture.md, "Offload rules"). */
public enum Offload {
    /** TC egress on the leader clones one Prepare/Commit to every follower. */
    TC_BROADCAST("tc-broadcast"),
    /** XDP on a follower answers an in-order Prepare with PrepareOK from the driver. */
    FAST_REPLY("fast-reply"),
    /** XDP on the leader passes up only the PrepareOK that completes a quorum. */
    QUORUM_PRUNE("quorum-prune");

    public final String cliName;

    Offload(String cliName) {
        this.cliName = cliName;
    }

    /** The offload called {@code cliName}, or null. */
    public static Offload named(String cliName) {
        for (Offload o : values()) if (o.cliName.equals(cliName)) return o;
        return null;
    }
}

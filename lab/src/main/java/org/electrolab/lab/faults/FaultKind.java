package org.electrolab.lab.faults;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The faults a campaign injects, one kind per run. Link faults act on packets delivered to the
 * replicas (the bridge ports of the lab's switch namespace, {@code LinkFaults}), so the kernel
 * fast path's packets (XDP_TX replies, TC clones) meet them like any other.
 */
public enum FaultKind {
    LEADER_KILL("leader-kill", "kill -9 of the leader; started again when the fault ends"),
    FOLLOWER_KILL("follower-kill", "kill -9 of a follower; started again when the fault ends"),
    RESTART("restart", "kill -9 of the leader and an immediate restart: it recovers while the others change view"),
    LEADER_PARTITION("leader-partition", "the leader cut off from the other replicas (clients still reach every replica)"),
    MINORITY_PARTITION("minority-partition", "f followers cut off from the other replicas"),
    LOSS_0("loss-0", "the loss program attached, dropping nothing: the reference for the loss faults", 0.0),
    LOSS_1("loss-1", "1% of the packets to the replicas dropped", 0.01),
    LOSS_5("loss-5", "5% of the packets to the replicas dropped", 0.05),
    LOSS_10("loss-10", "10% of the packets to the replicas dropped", 0.10),
    LOSS_20("loss-20", "20% of the packets to the replicas dropped", 0.20),
    DUPLICATE("duplicate", "20% of the packets to the replicas delivered twice"),
    REORDER("reorder", "20% of the packets to the replicas held back in a rate-limited class, so they arrive late and out of order"),
    DELAY("delay", "every packet to the replicas through a rate-limited class (queueing delay)"),
    LEADER_PAUSE("leader-pause", "SIGSTOP of the leader; SIGCONT when the fault ends");

    /** The name in campaign files and reports. */
    public final String label;
    public final String description;
    /** The share of packets a loss fault drops; NaN for the other kinds. */
    public final double lossRate;

    FaultKind(String label, String description) {
        this(label, description, Double.NaN);
    }

    FaultKind(String label, String description, double lossRate) {
        this.label = label;
        this.description = description;
        this.lossRate = lossRate;
    }

    public boolean isLoss() {
        return !Double.isNaN(lossRate);
    }

    /** The kind called {@code label}, or null. */
    public static FaultKind named(String label) {
        for (FaultKind kind : values()) if (kind.label.equals(label)) return kind;
        return null;
    }

    public static String labels() {
        return Arrays.stream(values()).map(k -> k.label).collect(Collectors.joining(", "));
    }
}

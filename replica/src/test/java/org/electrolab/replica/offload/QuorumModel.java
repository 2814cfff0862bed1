package org.electrolab.replica.offload;

import org.electrolab.protocol.Message;
import org.electrolab.protocol.Wire;
import org.electrolab.replica.core.Status;

/**
 * quorum_prune's decisions in Java (bpf/quorum_prune.bpf.c): which PrepareOKs it counts, and the
 * counting per op. The specification its fuzz test holds it to and the simulator's kernel model runs.
 */
public final class QuorumModel {

    public static final int WINDOW = 2 * Wire.PIPELINE_MAX;

    public enum Result { PRUNED, COMPLETE, DUPLICATE, LATE }

    private final long[] view = new long[WINDOW], op = new long[WINDOW], acks = new long[WINDOW];
    private final boolean[] done = new boolean[WINDOW];
    private long lastAcks;

    /** Whether quorum_prune counts {@code ok} under {@code state}; it passes every other message up untouched. */
    public static boolean counts(ElState state, Message.PrepareOk ok) {
        return (state.offloads() & OffloadProgram.QUORUM_PRUNE.stateBit) != 0 && state.status() == Status.NORMAL
                && state.isLeader() && ok.view() == state.view() && ok.sender() != state.myIndex()
                && ok.sender() < state.memberCount() && state.f() != 0 && state.f() < state.memberCount();
    }

    /** Counts member {@code sender}'s PrepareOK for (v, o) with quorum f. */
    public Result count(long v, long o, int sender, int f) {
        int slot = (int) Long.remainderUnsigned(o, WINDOW);
        if (view[slot] != v || Long.compareUnsigned(op[slot], o) < 0) {
            view[slot] = v;
            op[slot] = o;
            acks[slot] = 0;
            done[slot] = false;
        }
        Result result;
        long bit = 1L << sender;
        if (op[slot] != o) {
            result = Result.LATE;
        } else if ((acks[slot] & bit) != 0) {
            result = done[slot] ? Result.COMPLETE : Result.DUPLICATE;
        } else {
            acks[slot] |= bit;
            if (done[slot]) {
                result = Result.LATE;
            } else if (Long.bitCount(acks[slot]) >= f) {
                done[slot] = true;
                result = Result.COMPLETE;
            } else {
                result = Result.PRUNED;
            }
        }
        lastAcks = acks[slot];
        return result;
    }

    /** The slot's ack bitmap after the last {@link #count}. */
    public long lastAcks() {
        return lastAcks;
    }
}

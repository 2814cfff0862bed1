package org.electrolab.replica.offload;

import org.electrolab.protocol.Wire;

/** The counting quorum_prune does, in Java: the specification its fuzz test holds it to. */
final class QuorumModel {

    static final int WINDOW = 2 * Wire.PIPELINE_MAX;

    enum Result { PRUNED, COMPLETE, DUPLICATE, LATE }

    private final long[] view = new long[WINDOW], op = new long[WINDOW], acks = new long[WINDOW];
    private final boolean[] done = new boolean[WINDOW];
    private long lastAcks;

    /** Counts member {@code sender}'s PrepareOK for (v, o) with quorum f. */
    Result count(long v, long o, int sender, int f) {
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
    long lastAcks() {
        return lastAcks;
    }
}

package org.electrolab.replica.offload;

import org.electrolab.protocol.Message;
import org.electrolab.protocol.Wire;
import org.electrolab.replica.core.Status;

/**
 * fast_reply's decision in Java (bpf/fast_reply.bpf.c, fast_path_check and fast_path_claim): the
 * specification the simulator's kernel model runs and the program tests hold the program to.
 */
public final class FastReplyModel {
    private FastReplyModel() {}

    /** What fast_reply does with a well-formed Prepare; the reasons it passes one up are its counters. */
    public enum Verdict { ANSWERED, NOT_NORMAL, WRONG_VIEW, OUT_OF_ORDER, RING_FULL }

    /**
     * Bytes one record takes in el_prepares: struct el_prepare_record and the ring's 8-byte record
     * header, rounded up to 8 (kernel/bpf/ringbuf.c).
     */
    public static final int RECORD_BYTES = (8 + 8 + Wire.MESSAGE_SIZE_MAX + 7) / 8 * 8;

    /** Records a ring of {@code ringBytes} holds unconsumed: a reservation fails once they would fill it. */
    public static int ringCapacity(int ringBytes) {
        return (ringBytes - 1) / RECORD_BYTES;
    }

    /** The check made (again under the lock) before acknowledging {@code p} against {@code state}. */
    public static Verdict check(ElState state, Message.Prepare p) {
        if ((state.offloads() & OffloadProgram.FAST_REPLY.stateBit) == 0 || state.status() != Status.NORMAL
                || state.isLeader() || p.sender() != state.leader()) {
            return Verdict.NOT_NORMAL;
        }
        if (p.view() != state.view()) return Verdict.WRONG_VIEW;
        if (p.op() != state.lastOp() + 1) return Verdict.OUT_OF_ORDER;
        return Verdict.ANSWERED;
    }

    /** The PrepareOK fast_reply sends for {@code p} once it claimed it: the one the core would send. */
    public static Message.PrepareOk answer(ElState state, Message.Prepare p) {
        return new Message.PrepareOk(p.view(), state.myIndex(), p.op(), 0);
    }
}

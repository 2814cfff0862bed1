package org.electrolab.replica.offload;

import java.util.List;
import java.util.TreeSet;

import org.electrolab.protocol.Message;
import org.electrolab.replica.core.Effects;
import org.electrolab.replica.core.Status;

/**
 * User space's half of the protocol with fast_reply (bpf/fast_reply.bpf.c), without the kernel: when
 * a step must stop the fast path and take every record first, whether what a drain took can go to
 * the core, and which of the core's PrepareOKs the kernel has sent already. {@link EbpfPath} runs
 * it against the real ring; the simulator runs it against its kernel model, so the two decide alike.
 */
public final class FastReplyProtocol {

    /** Kernel-acknowledged ops remembered for {@link #sentByKernel}; more than a pipeline. */
    private static final int ACKED_MAX = 4096;

    private final int myIndex;
    private Effects.KernelState mirrored;
    private long ackedView = -1;
    private final TreeSet<Long> ackedOps = new TreeSet<>();
    /** The highest op the kernel acknowledged in {@link #ackedView}; -1 for none. */
    private long ackedHighest = -1;

    public FastReplyProtocol(int myIndex) {
        this.myIndex = myIndex;
    }

    /** The core moved to {@code state}, which the kernel now holds. */
    public void mirrored(Effects.KernelState state) {
        mirrored = state;
        if (state.view() != ackedView) {
            ackedOps.clear();
            ackedView = state.view();
            ackedHighest = -1;
        }
    }

    /**
     * Whether the coming step must first stop fast_reply and take every record: the step may make
     * the core vouch for its log or leave its view ({@code logDecision}, see
     * {@link org.electrolab.replica.transport.PacketPath#drainRecorded}), and the kernel may be
     * acknowledging (a normal follower). Other steps take what is recorded without stopping it.
     */
    public boolean mustDrainAll(boolean logDecision) {
        return logDecision && following();
    }

    private boolean following() {
        return mirrored != null && mirrored.status() == Status.NORMAL && mirrored.leader() != myIndex;
    }

    /**
     * The Prepares of one drain, in ring order, for the core; remembers which ops the kernel
     * acknowledged in the current view. Throws (and the replica stops) when one of the current view
     * lies beyond the next op the core can take: the kernel acknowledged an op that the core would
     * not append. fast_reply acknowledges op n only when its last_op is n - 1, which user space
     * wrote (the core holds n - 1) or fast_reply's own claim of n - 1 set, whose record was reserved
     * before, so it precedes n's in the ring (bpf/fast_reply.bpf.c); a drain takes a prefix of the
     * ring. So this does not happen unless a record is lost.
     */
    public List<Message.Prepare> recorded(List<Message.Prepare> drained) {
        long next = following() ? mirrored.op() + 1 : Long.MAX_VALUE;
        for (Message.Prepare p : drained) {
            if (p.view() != ackedView) continue;
            if (p.op() > next) {
                throw new IllegalStateException("fast_reply acknowledged op " + p.op() + " of view " + p.view() + " but op "
                        + next + " never reached user space: the kernel vouched for an op the core cannot hold; stopping");
            }
            if (next != Long.MAX_VALUE) next = Math.max(next, p.op() + 1);
            ackedOps.add(p.op());
            ackedHighest = Math.max(ackedHighest, p.op());
            if (ackedOps.size() > ACKED_MAX) ackedOps.pollFirst();
        }
        return drained;
    }

    /**
     * True when {@code prepare}, which came up through the socket, is the leader sending again an op
     * the kernel acknowledged in this view: it resends only while it lacks PrepareOKs for the op
     * ({@link ReplyDelivery} judges from these whether the kernel's answers arrive).
     */
    public boolean resentAfterAnswer(Message.Prepare prepare) {
        return prepare.view() == ackedView && prepare.op() <= ackedHighest;
    }

    /** True when the kernel sent this PrepareOK already (from XDP), so user space must not. */
    public boolean sentByKernel(Effects.Send send) {
        if (!(send.message() instanceof Message.PrepareOk ok) || ok.view() != ackedView || !ackedOps.contains(ok.op())) {
            return false;
        }
        ackedOps.headSet(ok.op(), true).clear();
        return true;
    }
}

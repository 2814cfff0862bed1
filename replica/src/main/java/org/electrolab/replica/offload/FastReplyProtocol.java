package org.electrolab.replica.offload;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

import org.electrolab.protocol.Message;
import org.electrolab.replica.core.Effects;
import org.electrolab.replica.core.Status;

/**
 * User space's half of the protocol with fast_reply (bpf/fast_reply.bpf.c), without the kernel: when
 * a step must stop the fast path and take every record first, in which order a drain hands records
 * to the core, and which of the core's PrepareOKs the kernel has sent already. {@link EbpfPath} runs
 * it against the real ring.
 */
public final class FastReplyProtocol {

    /** Kernel-acknowledged ops remembered for {@link #sentByKernel}; more than a pipeline. */
    private static final int ACKED_MAX = 4096;

    private final int myIndex;
    private Effects.KernelState mirrored;
    private long ackedView = -1;
    private final TreeSet<Long> ackedOps = new TreeSet<>();

    public FastReplyProtocol(int myIndex) {
        this.myIndex = myIndex;
    }

    /** The core moved to {@code state}, which the kernel now holds. */
    public void mirrored(Effects.KernelState state) {
        mirrored = state;
        if (state.view() != ackedView) {
            ackedOps.clear();
            ackedView = state.view();
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
     * The Prepares of one drain as the core must get them, in op order (two CPUs may commit their
     * records in the other order); remembers which ops the kernel acknowledged in the current view.
     */
    public List<Message.Prepare> recorded(List<Message.Prepare> drained) {
        List<Message.Prepare> prepares = new ArrayList<>(drained);
        prepares.sort(Comparator.comparingLong(Message.Prepare::op));
        for (Message.Prepare p : prepares) {
            if (p.view() != ackedView) continue;
            ackedOps.add(p.op());
            if (ackedOps.size() > ACKED_MAX) ackedOps.pollFirst();
        }
        return prepares;
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

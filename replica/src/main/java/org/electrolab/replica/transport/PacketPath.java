package org.electrolab.replica.transport;

import java.util.List;
import java.util.Map;

import org.electrolab.protocol.Message;
import org.electrolab.replica.core.Effects;

/**
 * The seam between {@link UdpReplica}, which applies the core's effects, and the kernel fast path.
 * {@link UserSpacePath} is plain VR; the eBPF adapter implements the same calls with maps, TC
 * cloning and the ring buffer of fast-replied Prepares. Every method but {@link #start} and
 * {@link #counters} is called on the replica's event loop.
 */
public interface PacketPath extends AutoCloseable {

    /** {@link #broadcastCarrier} answer: user space sends one copy to every other member. */
    int EACH_MEMBER = -1;

    /** A short name for logs and stats, e.g. {@code user-space}. */
    String name();

    /**
     * Called once on the event loop once the socket is bound, before the core starts.
     * {@code recordedReady} may be run from any thread when {@link #drainRecorded} has something,
     * so the replica drains it promptly instead of at its next datagram or tick.
     */
    void start(Runnable recordedReady);

    /**
     * The core moved to {@code state}. Called before any message of the same step is sent, so the
     * kernel never acts on a view or status that user space has left (docs/architecture.md, "Offload rules").
     */
    void mirror(Effects.KernelState state);

    /**
     * Messages the kernel handled without user space (Prepares that fast-reply answered from XDP)
     * that the core must still see, oldest first. Drained before every core step, so the core never
     * decides on a log that misses them. {@code beforeLogDecision}: the step may make the core vouch
     * for its log or leave its view (a tick may time out into a view change; for messages see
     * {@link #isLogDecision}), so the kernel must stop acknowledging until the step is over and every
     * op it acknowledged must be in the answer; other steps take what is recorded without stopping it.
     */
    List<Message> drainRecorded(boolean beforeLogDecision);

    /**
     * {@code message} came up through the socket (the kernel passed it to user space) and the core
     * is about to step on it: the path may learn from it whether its kernel half works.
     */
    default void passedUp(Message message) {}

    /**
     * Whether the core's step on {@code message}, in {@code view}, is a log decision for
     * {@link #drainRecorded}: it may make the core vouch for its log (a StartViewChange or
     * DoViewChange leads to a DoViewChange) or leave normal operation in its view (a StartView, or
     * any message of a later view: a Prepare or Commit of a new leader makes a follower join its
     * view). What the kernel acknowledged in the old view must reach the core before it leaves it;
     * after, the core ignores it as old, and a later DoViewChange would miss an acknowledged op.
     */
    static boolean isLogDecision(Message message, long view) {
        return message instanceof Message.StartViewChange || message instanceof Message.DoViewChange
                || message instanceof Message.StartView || message.view() > view;
    }

    /**
     * For a broadcast: the member to send a single {@link org.electrolab.protocol.Wire#FLAG_BROADCAST}
     * copy to, which TC egress clones to every other member; or {@link #EACH_MEMBER}.
     */
    int broadcastCarrier(Message message);

    /** True when the kernel already sent this (the PrepareOK fast-reply sent from XDP), so user space must not. */
    boolean sentByKernel(Effects.Send send);

    /** What the kernel programs counted, by program and counter name; empty in user space. May be called from any thread. */
    Map<String, Long> counters();

    /** Detaches whatever the path attached. */
    @Override
    void close();
}

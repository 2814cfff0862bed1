package org.electrolab.replica.offload;

import java.time.Duration;

/**
 * Whether fast_reply's answers reach the leader, judged on a follower from what it sees: the
 * leader resends a Prepare until it holds a PrepareOK for it, so when the answers fast_reply sends
 * with XDP_TX are lost, the leader resends nearly every Prepare the kernel answered, and each comes
 * up to user space as a Prepare for an op already held. A veth drops XDP_TX frames unless its peer
 * has an XDP program: the netns lab gives every bridge port one, a plain veth topology (Docker's,
 * a user's own namespaces) does not, and there fast reply made a 3-replica cluster about 75 times
 * slower than user space (219 against 16,680 requests/s).
 *
 * <p>Fed once per window (about a second) with the running totals of ops the kernel answered and of
 * resends of them that came up; the answers are judged lost after {@link #WINDOWS} windows in a row
 * in which at least {@link #ANSWERED_MIN} ops were answered and at least {@link #RESENT_SHARE} of
 * them were resent. Loss on a working path resends a share close to the loss rate (20% loss, about
 * 20-40%). Lost answers resend most of them, not all: the leader resends an op to a follower only
 * while the op is not committed, and the user-space answer to a resend of op k, or another
 * follower's, may commit the ops after k that arrived meanwhile (measured in the netns lab without
 * XDP on the bridge ports, 3 replicas, 8 clients: 819 of 1,149 and 840 of 1,128 answered ops
 * resent, 71% and 74%; with one client every op is resent).
 */
public final class ReplyDelivery {
    static final long ANSWERED_MIN = 32;
    static final double RESENT_SHARE = 0.5;
    static final int WINDOWS = 3;
    /**
     * How long fast reply stays off after the first judgement; each later one doubles it, up to
     * {@link #OFF_MAX}. A long queueing delay can look like lost answers for a while (the leader
     * resends what it has not heard back about yet), so a follower tries again rather than give up
     * the fast path for good; where the answers are truly lost, each try costs about three seconds.
     */
    static final Duration OFF_FIRST = Duration.ofMinutes(1);
    static final Duration OFF_MAX = Duration.ofMinutes(32);

    private long answered;
    private long resent;
    private int badWindows;
    private boolean lost;
    private int judgements;

    /**
     * The totals at the end of a window: ops fast_reply answered ({@code fast_replied}) and Prepares
     * for ops it had answered that reached user space again. Returns true from the window on which
     * the answers are judged lost, and ever after.
     */
    public boolean window(long answeredTotal, long resentTotal) {
        long answeredNow = answeredTotal - answered, resentNow = resentTotal - resent;
        answered = answeredTotal;
        resent = resentTotal;
        if (lost) return true;
        if (answeredNow < ANSWERED_MIN) return false;
        badWindows = resentNow >= RESENT_SHARE * answeredNow ? badWindows + 1 : 0;
        lost = badWindows >= WINDOWS;
        if (lost) judgements++;
        return lost;
    }

    public boolean lost() {
        return lost;
    }

    /** How many times the answers were judged lost. */
    public int judgements() {
        return judgements;
    }

    /** How long fast reply stays off after the latest judgement. */
    public Duration offFor() {
        Duration off = OFF_FIRST.multipliedBy(1L << Math.min(Math.max(judgements - 1, 0), 10));
        return off.compareTo(OFF_MAX) > 0 ? OFF_MAX : off;
    }

    /** Fast reply is on again: judge afresh from these totals on. */
    public void retry(long answeredTotal, long resentTotal) {
        answered = answeredTotal;
        resent = resentTotal;
        badWindows = 0;
        lost = false;
    }

    /** The one line a replica prints when it first turns fast reply off. */
    public static String message(int replica, String interfaceName, long answered, long resent, Duration offFor) {
        return "replica " + replica + ": fast-reply off: the leader resent " + resent + " of the " + answered
                + " Prepares this replica answered from XDP, so its XDP_TX answers on " + interfaceName + " do not arrive"
                + " (a veth whose peer has no XDP program drops them); user space answers them for " + offFor.toSeconds()
                + " s, then fast reply is tried again (each failed try doubles the pause)."
                + " Fix: attach an XDP program to the peer of " + interfaceName + " (the netns lab does: docs/lab.md),"
                + " or run with --offload tc-broadcast,quorum-prune";
    }

    /** What a replica logs when a later try finds the answers still lost. */
    public static String stillLost(int replica, String interfaceName, Duration offFor) {
        return "replica " + replica + ": fast reply's answers on " + interfaceName + " still do not arrive; off for "
                + offFor.toSeconds() + " s";
    }
}

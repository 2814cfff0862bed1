package org.electrolab.replica.offload;

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

    private long answered;
    private long resent;
    private int badWindows;
    private boolean lost;

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
        return lost;
    }

    public boolean lost() {
        return lost;
    }

    /** The one line a replica prints when it turns fast reply off. */
    public static String message(int replica, String interfaceName, long answered, long resent) {
        return "replica " + replica + ": fast-reply off: the leader resent " + resent + " of the " + answered
                + " Prepares this replica answered from XDP, so its XDP_TX answers on " + interfaceName + " do not arrive"
                + " (a veth whose peer has no XDP program drops them); the kernel passes Prepares up from now on."
                + " Fix: attach an XDP program to the peer of " + interfaceName + " (the netns lab does: docs/lab.md),"
                + " or run with --offload tc-broadcast,quorum-prune";
    }
}

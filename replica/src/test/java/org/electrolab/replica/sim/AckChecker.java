package org.electrolab.replica.sim;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import org.electrolab.protocol.Message.DoViewChange;

/**
 * What acknowledgements promise, whoever sent them (the core, or the kernel's fast path behind its
 * back). A PrepareOK for (view v, op n) from replica r says r holds ops 1..n of view v's log, and a
 * leader counts it towards a quorum; so:
 * <ul>
 * <li>every DoViewChange r sends with last-normal view v reports a log that ends at or after every
 *     op r acknowledged in v (VR Revisited, section 4.2: the new log is built from these reports);</li>
 * <li>r's log, while last normal in v, holds every op r acknowledged in v, once nothing the kernel
 *     acknowledged is still on its way to the core;</li>
 * <li>an op is committed only once f followers of one view acknowledged it (the leader holds it
 *     too: f+1 replicas, section 4.1);</li>
 * <li>a replica that recovers holds every op committed before it asked (section 4.3: the nonce ties
 *     the answers to the asking);</li>
 * <li>a leader learns a quorum as soon as one reached it: once f followers' PrepareOKs for op n of
 *     its view arrived (at its socket, or at quorum_prune), it has committed n, unless one that went
 *     up was lost in its socket buffer.</li>
 * </ul>
 * Processes are named per incarnation (r2#1): a restarted replica has forgotten what it acknowledged.
 */
final class AckChecker {

    private final int n;
    private final int f;
    /** Per process: view -> highest op it acknowledged in that view. */
    private final Map<String, Map<Long, Long>> acked = new HashMap<>();
    /** Per view: the highest op each member acknowledged in it. */
    private final Map<Long, long[]> ackedInView = new HashMap<>();
    /** The highest op f followers of one view acknowledged. */
    private long certified;
    /** Per process: the nonce of its recovery and the highest op committed when it first asked with it. */
    private final Map<String, long[]> recovery = new HashMap<>();
    /** Per leader process: the view whose quorums it is learning, and per op the followers heard and whether one was lost. */
    private final Map<String, LeaderQuorums> quorums = new HashMap<>();

    private static final class LeaderQuorums {
        long view = -1;
        final Map<Long, long[]> byOp = new HashMap<>(); // op -> {follower bitmap, lost (0/1)}
    }

    AckChecker(int members) {
        this.n = members;
        this.f = (members - 1) / 2;
    }

    /** Member {@code member} (process {@code process}) sent PrepareOK(view, op). */
    void acknowledged(String process, int member, long view, long op) {
        acked.computeIfAbsent(process, p -> new HashMap<>()).merge(view, op, Math::max);
        long[] byMember = ackedInView.computeIfAbsent(view, v -> new long[n]);
        byMember[member] = Math.max(byMember[member], op);
        int leader = (int) (view % n);
        long[] followers = new long[n - 1];
        for (int i = 0, j = 0; i < n; i++) if (i != leader) followers[j++] = byMember[i];
        Arrays.sort(followers);
        certified = Math.max(certified, followers[n - 1 - f]);
    }

    void doViewChange(String process, DoViewChange d) {
        Long op = highestAcknowledged(process, d.lastNormalView());
        if (op != null && op > d.op()) {
            throw new Violation("acknowledged op", process + " acknowledged op " + op + " in view " + d.lastNormalView()
                    + " but sent " + d + ", a log of that view ending at op " + d.op());
        }
    }

    /** {@code process} holds a log last normal in {@code lastNormalView} ending at {@code op}, with nothing acknowledged in flight. */
    void holds(String process, long lastNormalView, long op) {
        Long acknowledged = highestAcknowledged(process, lastNormalView);
        if (acknowledged != null && acknowledged > op) {
            throw new Violation("acknowledged op", process + " acknowledged op " + acknowledged + " in view " + lastNormalView
                    + " but its log, last normal in that view, ends at op " + op);
        }
    }

    private Long highestAcknowledged(String process, long view) {
        Map<Long, Long> byView = acked.get(process);
        return byView == null ? null : byView.get(view);
    }

    /** Some replica holds op {@code op} as committed: the first time, f followers of one view must have acknowledged it. */
    void committed(long op) {
        if (op > certified) {
            throw new Violation("commit", "op " + op + " is committed, but f = " + f
                    + " followers of one view acknowledged no op beyond " + certified);
        }
    }

    /** {@code process} asks to recover with {@code nonce}; {@code committed} is the highest op committed so far. */
    void recovering(String process, long nonce, long committed) {
        long[] known = recovery.get(process);
        if (known == null || known[0] != nonce) recovery.put(process, new long[] {nonce, committed});
    }

    /** {@code process} finished recovering with a log ending at {@code op}. */
    void recovered(String process, long op) {
        long[] asked = recovery.get(process);
        if (asked != null && op < asked[1]) {
            throw new Violation("recovery", process + " recovered with a log ending at op " + op + ", but op " + asked[1]
                    + " was committed before it asked (nonce " + asked[0] + ")");
        }
    }

    /**
     * Leader {@code process}, normal in {@code view}, received (at its interface) follower
     * {@code sender}'s PrepareOK for {@code op}. True when that makes f followers for the op.
     */
    boolean quorumArrived(String process, long view, long op, int sender) {
        LeaderQuorums q = quorums.computeIfAbsent(process, p -> new LeaderQuorums());
        if (q.view != view) {
            q.view = view;
            q.byOp.clear();
        }
        long[] seen = q.byOp.computeIfAbsent(op, o -> new long[2]);
        int before = Long.bitCount(seen[0]);
        seen[0] |= 1L << sender;
        return before < f && Long.bitCount(seen[0]) >= f;
    }

    /** A PrepareOK for op of view that went up to leader {@code process}'s socket was lost there. */
    void quorumLost(String process, long view, long op) {
        LeaderQuorums q = quorums.get(process);
        if (q == null || q.view != view) return;
        q.byOp.computeIfAbsent(op, o -> new long[2])[1] = 1;
    }

    /**
     * Leader {@code process} has handled everything that reached its socket: for op (of view), whose
     * quorum arrived, it must have committed it, still be leading view, or have lost one on the way up.
     */
    void quorumLearned(String process, long view, long op, boolean leadsView, long commit) {
        if (!leadsView || commit >= op) return;
        LeaderQuorums q = quorums.get(process);
        long[] seen = q == null || q.view != view ? null : q.byOp.get(op);
        if (seen != null && seen[1] != 0) return;
        throw new Violation("quorum", process + " received PrepareOKs for op " + op + " of view " + view + " from f = " + f
                + " followers" + (seen == null ? "" : " (" + Long.toBinaryString(seen[0]) + ")")
                + " but has committed only up to op " + commit);
    }
}

package org.electrolab.replica.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.electrolab.protocol.Check;
import org.electrolab.protocol.Message;
import org.electrolab.protocol.Message.*;
import org.electrolab.protocol.Wire;
import org.electrolab.replica.app.App;

/**
 * The Viewstamped Replication core (VR Revisited, Liskov &amp; Cowling 2012): normal operation
 * (section 4.1), view change (4.2), recovery (4.3) and state transfer (5.2).
 *
 * <p>Pure and single-threaded: it is fed messages and ticks and returns {@link Effects}; network,
 * time and the kernel fast path belong to the caller. Same seed and inputs, same outputs.
 *
 * <p>Two departures from the paper keep every message one small datagram whatever the log size:
 * DoViewChange and StartView carry no log (the new leader fetches the chosen log from its holder,
 * and followers fetch what they lack from the new leader, both with GetState/NewState); and a
 * recovering replica fetches the leader's log in pages the same way before it becomes normal.
 */
public final class Replica {

    private final int me;
    private final int n;
    private final int f;
    private final App app;
    private final Options options;
    private final Random random;
    private final Log log = new Log();
    private final ClientTable clients;

    private Status status = Status.RECOVERING;
    private long view;
    private long lastNormalView;
    private long commit;
    private long executed;

    // Leader: requests waiting for room in the pipeline, the highest request number per client that
    // is queued or prepared but not executed, the highest op each member is known to hold, our op
    // number at each of the last prepareRetryTicks ticks (by tick count modulo its length), and
    // whether a client's retry made us resend to a follower since the last tick.
    private final ArrayDeque<Request> queue = new ArrayDeque<>();
    private final Map<Long, Long> inFlight = new HashMap<>();
    private final long[] ackedOp;
    private final long[] opAtTick;
    private long leaderTicks;
    private final boolean[] resentOnRetry;
    private int ticksSinceBroadcast;

    // Follower: silence from the leader before a view change starts.
    private int ticksSinceLeader;
    private int timeoutTicks;

    // View change.
    private final boolean[] startViewChanges;
    private final DoViewChange[] doViewChanges;
    private boolean doViewChangeSent;
    private DoViewChange chosen;
    private int ticksInViewChange;

    // State transfer: fetching ops from member fetchFrom with GetState; -1 when not fetching.
    private int fetchFrom = -1;
    private int ticksSinceFetch;

    // Installing the log of a view we join (section 4.2, steps 4-5). Our StartView carries no log,
    // so the ops after installKeep are fetched into `installing` and replace our log only once they
    // reach installOp (-1: the op the first NewState reports). Until then our log and
    // lastNormalView stay as they were: a DoViewChange we send meanwhile must describe a log we
    // hold, or a short log could claim a newer view and lose committed ops. -1 when not installing.
    private long installKeep = -1;
    private long installOp;
    private final List<Entry> installing = new ArrayList<>();

    // Recovery.
    private long recoveryNonce;
    private final RecoveryResponse[] recoveryResponses;
    private long recoveryOp = -1;
    private int ticksInRecovery;
    /**
     * This process knows the cluster is past its genesis: it heard of a committed op, or recovered
     * from normal replicas. Then it is no "never normal" replica of a starting cluster.
     */
    private boolean pastGenesis;

    private Effects out;
    private Effects.KernelState lastKernelState;

    public Replica(int myIndex, int memberCount, App app, Options options, long seed) {
        Check.that(memberCount >= 1 && memberCount <= Wire.REPLICAS_MAX && memberCount % 2 == 1,
                "members = 2f+1 <= REPLICAS_MAX, got %d", memberCount);
        Check.that(myIndex >= 0 && myIndex < memberCount, "index %d of %d members", myIndex, memberCount);
        this.me = myIndex;
        this.n = memberCount;
        this.f = (memberCount - 1) / 2;
        this.app = app;
        this.options = options;
        this.random = new Random(seed);
        this.clients = new ClientTable(options.clientTableMax());
        this.ackedOp = new long[n];
        this.opAtTick = new long[options.prepareRetryTicks()];
        this.resentOnRetry = new boolean[n];
        this.startViewChanges = new boolean[n];
        this.doViewChanges = new DoViewChange[n];
        this.recoveryResponses = new RecoveryResponse[n];
    }

    // ---- accessors (for adapters, checkers and tests) ----

    public int myIndex() { return me; }
    public int memberCount() { return n; }
    public Status status() { return status; }
    public long view() { return view; }
    public long lastNormalView() { return lastNormalView; }
    public long op() { return log.op(); }
    public long commit() { return commit; }
    /** The app's {@link App#digest} after executing ops 1..commit. */
    public long appDigest() { return app.digest(); }
    public int leader() { return leaderOf(view); }
    public boolean isLeader() { return leaderOf(view) == me; }

    /** The entry of {@code op}, 1 &lt;= op &lt;= op(). */
    public Entry entry(long op) { return log.entry(op); }

    private int leaderOf(long v) {
        return (int) (v % n);
    }

    // ---- steps ----

    /**
     * A process start. State is in memory, so a restarted replica has forgotten its log and must
     * not vote with it: it runs the recovery protocol (section 4.3). At cluster genesis every
     * replica is new; f+1 replicas that have never been normal agree to start view 0 empty.
     */
    public Effects start() {
        out = new Effects();
        startRecovery();
        return finish();
    }

    public Effects onTick() {
        out = new Effects();
        switch (status) {
            case NORMAL -> {
                if (isLeader()) leaderTick();
                else followerTick();
            }
            case VIEW_CHANGE -> viewChangeTick();
            case RECOVERING -> recoveryTick();
        }
        if (fetchFrom >= 0 && ++ticksSinceFetch >= options.fetchRetryTicks()) {
            ticksSinceFetch = 0;
            send(fetchFrom, new GetState(view, me, fetchedOp()));
        }
        return finish();
    }

    public Effects onMessage(Message message) {
        out = new Effects();
        boolean fromMember = message.sender() >= 0 && message.sender() < n && message.sender() != me;
        if (fromMember && committedOf(message) > 0) pastGenesis = true;
        if (message instanceof Request r) {
            onRequest(r);
        } else if (fromMember) {
            switch (message) {
                case Prepare p -> onPrepare(p);
                case PrepareOk p -> onPrepareOk(p);
                case Commit c -> onCommit(c);
                case StartViewChange s -> onStartViewChange(s);
                case DoViewChange d -> onDoViewChange(d);
                case StartView s -> onStartView(s);
                case GetState g -> onGetState(g);
                case NewState s -> onNewState(s);
                case Recovery r -> onRecovery(r);
                case RecoveryResponse r -> onRecoveryResponse(r);
                case Reply r -> { }
                case Request r -> { }
            }
        }
        return finish();
    }

    private Effects finish() {
        Check.that(executed == commit && commit <= log.op(), "executed %d = commit %d <= op %d",
                executed, commit, log.op());
        Effects.KernelState state = new Effects.KernelState(view, status, leader(), me, log.op(), commit);
        if (!state.equals(lastKernelState)) {
            out.kernelState = state;
            lastKernelState = state;
        }
        Effects effects = out;
        out = null;
        return effects;
    }

    // ---- normal operation (section 4.1) ----

    private void onRequest(Request r) {
        if (status != Status.NORMAL || !isLeader()) return;
        if (r.payload().length > Wire.PAYLOAD_SIZE_MAX || r.requestNumber() <= 0) return;
        ClientTable.Record last = clients.get(r.clientId());
        if (last != null && r.requestNumber() < last.requestNumber()) return;
        if (last != null && r.requestNumber() == last.requestNumber()) {
            reply(r.clientId(), last.requestNumber(), last.result());
            return;
        }
        Long pending = inFlight.get(r.clientId());
        if (pending != null && pending >= r.requestNumber()) {
            if (pending == r.requestNumber()) resendOnRetry();
            return;
        }
        if (queue.size() >= options.requestQueueMax()) return;
        queue.add(r);
        inFlight.put(r.clientId(), r.requestNumber());
        prepareQueued();
    }

    /** Prepares queued requests while the pipeline has room, batching what waited. */
    private void prepareQueued() {
        while (!queue.isEmpty() && log.op() - commit < options.pipelineMax()) {
            List<Request> batch = new ArrayList<>();
            int size = Wire.ENTRY_OVERHEAD;
            while (!queue.isEmpty() && batch.size() < Wire.BATCH_MAX) {
                int requestSize = Wire.REQUEST_OVERHEAD + queue.peek().payload().length;
                if (!batch.isEmpty() && size + requestSize > options.batchBytesMax()) break;
                size += requestSize;
                batch.add(queue.poll());
            }
            Entry entry = new Entry(batch);
            log.append(entry);
            ackedOp[me] = log.op();
            send(Effects.BROADCAST, new Prepare(view, me, log.op(), commit, entry));
            ticksSinceBroadcast = 0;
            if (f == 0) advanceLeaderCommit();
        }
    }

    private void onPrepare(Prepare p) {
        if (status == Status.RECOVERING || p.view() < view || p.sender() != leaderOf(p.view())) return;
        if (p.view() > view || status == Status.VIEW_CHANGE && !installingAsFollower()) joinViewByFetch(p.view());
        if (installingAsFollower()) {
            ticksInViewChange = 0; // the leader is alive; it resends what we cannot take yet
            return;
        }
        Check.that(p.view() == view && status == Status.NORMAL && !isLeader(), "prepare handled in own view");
        ticksSinceLeader = 0;
        if (p.op() == log.op() + 1) {
            log.append(p.entry());
            send(leader(), new PrepareOk(view, me, log.op(), 0));
        } else if (p.op() <= log.op()) {
            // A retransmission: PrepareOK for our last op acknowledges it and everything before.
            send(leader(), new PrepareOk(view, me, log.op(), 0));
        } else if (fetchFrom < 0) {
            startFetch(leader());
        }
        advanceFollowerCommit(p.commit());
    }

    /** Records acknowledgements: a follower's PrepareOK for op n says it holds every op up to n. */
    private void onPrepareOk(PrepareOk ok) {
        if (status != Status.NORMAL || !isLeader() || ok.view() != view) return;
        long members = ok.acks() == 0 ? 1L << ok.sender() : ok.acks();
        long op = Math.min(ok.op(), log.op());
        for (int r = 0; r < n; r++) {
            if (r != me && (members & (1L << r)) != 0) ackedOp[r] = Math.max(ackedOp[r], op);
        }
        advanceLeaderCommit();
        prepareQueued();
    }

    /** Commits the highest op that f+1 members (the leader among them) hold. */
    private void advanceLeaderCommit() {
        long[] held = ackedOp.clone();
        Arrays.sort(held);
        long quorumOp = Math.min(held[n - 1 - f], log.op());
        if (quorumOp > commit) {
            commit = quorumOp;
            executeCommitted();
        }
    }

    private void onCommit(Commit c) {
        if (status == Status.RECOVERING || c.view() < view || c.sender() != leaderOf(c.view())) return;
        if (c.view() > view || status == Status.VIEW_CHANGE && !installingAsFollower()) joinViewByFetch(c.view());
        if (installingAsFollower()) {
            ticksInViewChange = 0;
            return;
        }
        ticksSinceLeader = 0;
        advanceFollowerCommit(c.commit());
        if (c.commit() > log.op() && fetchFrom < 0) startFetch(leader());
    }

    private void advanceFollowerCommit(long leaderCommit) {
        long newCommit = Math.min(leaderCommit, log.op());
        if (newCommit > commit) {
            commit = newCommit;
            executeCommitted();
        }
    }

    /** Executes committed ops in order; a request already executed for its client is not run again. */
    private void executeCommitted() {
        boolean replying = status == Status.NORMAL && isLeader();
        while (executed < commit) {
            executed++;
            for (Request r : log.entry(executed).requests()) {
                ClientTable.Record last = clients.get(r.clientId());
                if (last != null && r.requestNumber() <= last.requestNumber()) {
                    if (replying && r.requestNumber() == last.requestNumber()) {
                        reply(r.clientId(), last.requestNumber(), last.result());
                    }
                    continue;
                }
                byte[] result = app.execute(r.payload());
                clients.put(r.clientId(), r.requestNumber(), result);
                out.executed.add(new Effects.Executed(executed, r, result));
                if (replying) reply(r.clientId(), r.requestNumber(), result);
                Long pending = inFlight.get(r.clientId());
                if (pending != null && pending <= r.requestNumber()) inFlight.remove(r.clientId());
            }
        }
    }

    private void leaderTick() {
        if (++ticksSinceBroadcast >= options.commitIntervalTicks()) {
            send(Effects.BROADCAST, new Commit(view, me, commit));
            ticksSinceBroadcast = 0;
        }
        // The ops we held prepareRetryTicks - 1 ticks ago: each has gone unacknowledged by a
        // follower that lacks it across at least that many whole ticks, so it is resent to it. An op
        // in flight, younger than that, is not: under load the resends would never stop.
        int slot = (int) (leaderTicks++ % opAtTick.length);
        long overdue = opAtTick.length == 1 ? log.op() : opAtTick[(slot + 1) % opAtTick.length];
        opAtTick[slot] = log.op();
        for (int r = 0; r < n; r++) {
            if (r == me) continue;
            resentOnRetry[r] = false;
            resend(r, overdue);
        }
    }

    /**
     * A client sent again a request that is queued or prepared and not yet executed: its op has not
     * committed within the client's retry timeout, a few of its round trips (docs/client.md), while
     * the tick is far coarser. So each follower that lacks an uncommitted op gets the ones it lacks
     * now, rather than at its next prepareRetryTicks; at most once per follower between two ticks,
     * however many clients retry.
     */
    private void resendOnRetry() {
        for (int r = 0; r < n; r++) {
            if (r != me && !resentOnRetry[r] && resend(r, log.op())) resentOnRetry[r] = true;
        }
    }

    /**
     * Loss repair, per follower (docs/simulator.md, "Loss repair"): follower r gets again every
     * uncommitted op up to {@code upTo} it has not acknowledged, if there is one; returns whether
     * there was. A follower that acknowledged gets nothing, so a lost datagram costs a resend to one
     * follower, not the window to all. Committed ops are not resent: a follower missing one hears of
     * it from the commit number and fetches it (onPrepare, onCommit). That also keeps resends to ops
     * whose PrepareOK the leader lacks, which a follower's fast-reply path counts on (ReplyDelivery):
     * with quorum-prune, the PrepareOKs after a quorum are dropped, so the leader cannot tell a slow
     * follower from one whose ack was pruned, but it resends only ops that have not committed.
     */
    private boolean resend(int r, long upTo) {
        long from = Math.max(ackedOp[r], commit) + 1;
        long to = Math.min(upTo, log.op());
        for (long op = from; op <= to; op++) send(r, new Prepare(view, me, op, commit, log.entry(op)));
        return from <= to;
    }

    private void followerTick() {
        if (++ticksSinceLeader >= timeoutTicks) startViewChange(view + 1);
    }

    // ---- view change (section 4.2) ----

    private void startViewChange(long newView) {
        view = newView;
        status = Status.VIEW_CHANGE;
        clearLeaderState();
        Arrays.fill(startViewChanges, false);
        Arrays.fill(doViewChanges, null);
        startViewChanges[me] = true;
        doViewChangeSent = false;
        chosen = null;
        fetchFrom = -1;
        stopInstalling();
        ticksInViewChange = 0;
        drawTimeout();
        send(Effects.BROADCAST, new StartViewChange(view, me));
        maybeSendDoViewChange();
    }

    private void onStartViewChange(StartViewChange s) {
        if (status == Status.RECOVERING || s.view() < view) return;
        if (s.view() > view) startViewChange(s.view());
        if (status != Status.VIEW_CHANGE || installingAsFollower()) return;
        startViewChanges[s.sender()] = true;
        maybeSendDoViewChange();
    }

    /** With f+1 StartViewChanges (ours included), tell the new leader about our log. */
    private void maybeSendDoViewChange() {
        if (doViewChangeSent || count(startViewChanges) < f + 1) return;
        doViewChangeSent = true;
        DoViewChange mine = new DoViewChange(view, me, lastNormalView, log.op(), commit);
        if (leaderOf(view) == me) {
            doViewChanges[me] = mine;
            maybeCompleteViewChange();
        } else {
            send(leaderOf(view), mine);
        }
    }

    private void onDoViewChange(DoViewChange d) {
        if (status == Status.RECOVERING || d.view() < view) return;
        if (d.view() > view) startViewChange(d.view());
        if (status != Status.VIEW_CHANGE || leaderOf(view) != me) return;
        doViewChanges[d.sender()] = d;
        startViewChanges[d.sender()] = true;
        maybeSendDoViewChange();
        maybeCompleteViewChange();
    }

    /**
     * With f+1 DoViewChanges (ours included) the new leader takes the log with the largest
     * last-normal view, then the largest op: it holds every committed op. Its holder is asked for
     * the ops we lack; ours may then stay only if it is a prefix (same last-normal view), else
     * only its committed part stays.
     */
    private void maybeCompleteViewChange() {
        if (chosen != null || doViewChanges[me] == null || count(doViewChanges) < f + 1) return;
        DoViewChange best = doViewChanges[me];
        for (DoViewChange d : doViewChanges) {
            if (d != null && (d.lastNormalView() > best.lastNormalView()
                    || (d.lastNormalView() == best.lastNormalView() && d.op() > best.op()))) {
                best = d;
            }
        }
        chosen = best;
        Check.that(commit <= chosen.op(), "chosen log (op %d) holds our commit %d", chosen.op(), commit);
        long keep = lastNormalView == chosen.lastNormalView() ? log.op() : commit;
        Check.that(keep <= chosen.op(), "our log (op %d) is a prefix of the chosen (op %d)", keep, chosen.op());
        if (keep == chosen.op()) {
            log.truncate(keep);
            finishViewChange();
        } else {
            startInstalling(chosen.sender(), keep, chosen.op());
        }
    }

    private void finishViewChange() {
        long chosenLastNormalView = chosen.lastNormalView();
        long newCommit = commit;
        for (DoViewChange d : doViewChanges) if (d != null) newCommit = Math.max(newCommit, d.commit());
        chosen = null;
        Arrays.fill(doViewChanges, null);
        fetchFrom = -1;
        status = Status.NORMAL;
        lastNormalView = view;
        Arrays.fill(ackedOp, 0);
        ackedOp[me] = log.op();
        advanceFollowerCommit(newCommit);
        for (long op = commit + 1; op <= log.op(); op++) {
            for (Request r : log.entry(op).requests()) inFlight.merge(r.clientId(), r.requestNumber(), Math::max);
        }
        send(Effects.BROADCAST, new StartView(view, me, chosenLastNormalView, log.op(), commit));
        ticksSinceBroadcast = 0;
    }

    private void onStartView(StartView s) {
        if (status == Status.RECOVERING || s.view() < view || s.sender() != leaderOf(s.view())) return;
        if (s.view() == view && status == Status.NORMAL) return;
        Check.that(commit <= s.op(), "the new view's log (op %d) holds our commit %d", s.op(), commit);
        long keep = lastNormalView == s.lastNormalView() ? Math.min(log.op(), s.op()) : commit;
        if (keep < s.op()) {
            enterInstalling(s.view());
            startInstalling(leaderOf(view), keep, s.op());
            return;
        }
        log.truncate(keep);
        enterNormal(s.view());
        advanceFollowerCommit(s.commit());
        send(leader(), new PrepareOk(view, me, log.op(), 0));
    }

    /** Joins view {@code newView}, whose StartView we missed: keep the committed prefix, fetch the rest. */
    private void joinViewByFetch(long newView) {
        enterInstalling(newView);
        startInstalling(leaderOf(newView), commit, -1);
    }

    /** A follower of {@code newView} that must install the view's log before it may act in it. */
    private void enterInstalling(long newView) {
        view = newView;
        status = Status.VIEW_CHANGE;
        clearLeaderState();
        Arrays.fill(startViewChanges, false);
        Arrays.fill(doViewChanges, null);
        chosen = null;
        ticksInViewChange = 0;
        drawTimeout();
    }

    private void startInstalling(int from, long keep, long op) {
        installKeep = keep;
        installOp = op;
        installing.clear();
        startFetch(from);
    }

    private void stopInstalling() {
        installKeep = -1;
        installing.clear();
    }

    private boolean installingAsFollower() {
        return installKeep >= 0 && chosen == null;
    }

    /** The fetched ops reached the target: they replace our log after installKeep. */
    private void installFetched(long senderCommit) {
        Check.that(installKeep >= commit && installKeep <= log.op(), "install keeps %d of op %d, commit %d",
                installKeep, log.op(), commit);
        log.truncate(installKeep);
        for (Entry e : installing) log.append(e);
        stopInstalling();
        if (chosen != null) {
            log.truncate(chosen.op());
            finishViewChange();
            return;
        }
        enterNormal(view);
        advanceFollowerCommit(senderCommit);
        send(leader(), new PrepareOk(view, me, log.op(), 0));
    }

    private void enterNormal(long newView) {
        view = newView;
        status = Status.NORMAL;
        lastNormalView = newView;
        clearLeaderState();
        Arrays.fill(startViewChanges, false);
        Arrays.fill(doViewChanges, null);
        chosen = null;
        fetchFrom = -1;
        stopInstalling();
        ticksSinceLeader = 0;
        drawTimeout();
    }

    private void viewChangeTick() {
        ticksInViewChange++;
        if (ticksInViewChange >= timeoutTicks) {
            startViewChange(view + 1);
        } else if (!installingAsFollower() && ticksInViewChange % options.commitIntervalTicks() == 0) {
            send(Effects.BROADCAST, new StartViewChange(view, me));
            if (doViewChangeSent && leaderOf(view) != me) {
                send(leaderOf(view), new DoViewChange(view, me, lastNormalView, log.op(), commit));
            }
        }
    }

    // ---- state transfer (section 5.2) ----

    private void startFetch(int from) {
        fetchFrom = from;
        ticksSinceFetch = 0;
        send(from, new GetState(view, me, fetchedOp()));
    }

    /** The op up to which we hold what we fetch: the log, or the kept prefix plus the ops being installed. */
    private long fetchedOp() {
        return installKeep >= 0 ? installKeep + installing.size() : log.op();
    }

    private void onGetState(GetState g) {
        if (status == Status.RECOVERING || g.view() != view) return;
        long first = Math.min(g.op(), log.op()) + 1;
        List<Entry> entries = new ArrayList<>();
        int size = Wire.HEADER_SIZE + 12;
        for (long op = first; op <= log.op(); op++) {
            Entry e = log.entry(op);
            if (size + e.size() > Wire.MESSAGE_SIZE_MAX) break;
            size += e.size();
            entries.add(e);
        }
        send(g.sender(), new NewState(view, me, log.op(), commit, first, entries));
    }

    private void onNewState(NewState s) {
        if (s.sender() != fetchFrom || s.view() != view || s.firstOp() > fetchedOp() + 1) return;
        // Only a page that adds ops asks for the next one. A page that adds nothing answers a
        // request already followed up (a retry overtook it); asking again would start a second
        // chain of requests, and each further retry another, every chain fetching every page.
        long before = fetchedOp();
        if (installKeep >= 0) {
            for (int i = (int) (fetchedOp() + 1 - s.firstOp()); i < s.entries().size(); i++) installing.add(s.entries().get(i));
            if (installOp < 0) installOp = s.op();
            if (fetchedOp() >= installOp) {
                installFetched(s.commit());
            } else if (fetchedOp() > before) {
                ticksSinceFetch = 0;
                ticksInViewChange = 0;
                send(fetchFrom, new GetState(view, me, fetchedOp()));
            }
            return;
        }
        if (status == Status.VIEW_CHANGE) return; // a view change fetches only to install
        // Ops we already hold are the same as the sender's: our log is a prefix of its log.
        for (int i = (int) (log.op() + 1 - s.firstOp()); i < s.entries().size(); i++) log.append(s.entries().get(i));
        boolean progressed = log.op() > before;
        if (progressed) ticksSinceFetch = 0;
        switch (status) {
            case VIEW_CHANGE -> { }
            case NORMAL -> {
                advanceFollowerCommit(s.commit());
                if (log.op() < s.op()) {
                    if (progressed) send(fetchFrom, new GetState(view, me, log.op()));
                } else {
                    fetchFrom = -1;
                    send(leader(), new PrepareOk(view, me, log.op(), 0));
                }
            }
            case RECOVERING -> {
                if (progressed) ticksInRecovery = 0;
                advanceFollowerCommit(s.commit());
                if (log.op() >= recoveryOp) {
                    enterNormal(view);
                    send(leader(), new PrepareOk(view, me, log.op(), 0));
                    if (log.op() < s.op()) startFetch(leader());
                } else if (progressed) {
                    send(fetchFrom, new GetState(view, me, log.op()));
                }
            }
        }
    }

    // ---- recovery (section 4.3) ----

    private void startRecovery() {
        status = Status.RECOVERING;
        log.truncate(commit);
        fetchFrom = -1;
        recoveryOp = -1;
        askToRecover();
        maybeFinishRecovery();
    }

    /**
     * A round of recovery: a new nonce, and only this round's answers count. Answers gathered over
     * a long recovery no longer hold together: a replica that answered "never normal" may be normal
     * by now (found by the simulator: such answers gathered tens of ticks apart made a restarted
     * replica start the cluster again at genesis, with an empty log, after hundreds of ops had
     * committed).
     */
    private void askToRecover() {
        recoveryNonce = random.nextLong();
        Arrays.fill(recoveryResponses, null);
        ticksInRecovery = 0;
        send(Effects.BROADCAST, new Recovery(me, recoveryNonce));
    }

    /** The commit number {@code m} carries, 0 for messages without one. */
    private static long committedOf(Message m) {
        return switch (m) {
            case Prepare p -> p.commit();
            case Commit c -> c.commit();
            case DoViewChange d -> d.commit();
            case StartView s -> s.commit();
            case NewState s -> s.commit();
            case RecoveryResponse r -> r.commit();
            default -> 0;
        };
    }

    private void onRecovery(Recovery r) {
        if (status == Status.RECOVERING) {
            // Never normal, and nothing heard of a committed op: we may be starting the cluster together.
            if (!pastGenesis && commit == 0) send(r.sender(), new RecoveryResponse(0, me, r.nonce(), false, 0, 0));
        } else if (status == Status.NORMAL) {
            send(r.sender(), new RecoveryResponse(view, me, r.nonce(), true, log.op(), commit));
        }
    }

    private void onRecoveryResponse(RecoveryResponse r) {
        if (status != Status.RECOVERING || recoveryOp >= 0 || r.nonce() != recoveryNonce) return;
        recoveryResponses[r.sender()] = r;
        maybeFinishRecovery();
    }

    /**
     * Recovers from f+1 normal answers of this round, one of them from the leader of the latest
     * view among them: fetch that leader's log up to the op it reported, then become normal. Or,
     * when f+1 replicas (us included) have never been normal nor heard of a committed op, and every
     * normal answer is view 0 with nothing committed, the cluster is starting: join view 0 with
     * an empty log, a prefix of any view-0 log (its leader may already have prepared ops with the
     * replicas that started before us; we catch up as a follower).
     */
    private void maybeFinishRecovery() {
        int normal = 0;
        int fresh = 1;
        boolean emptyGenesis = true;
        RecoveryResponse latest = null;
        for (RecoveryResponse r : recoveryResponses) {
            if (r == null) continue;
            if (!r.normal()) {
                fresh++;
                continue;
            }
            normal++;
            emptyGenesis &= r.view() == 0 && r.commit() == 0;
            if (latest == null || r.view() > latest.view()) latest = r;
        }
        if (fresh >= f + 1 && emptyGenesis && !pastGenesis && commit == 0) {
            view = 0;
            enterNormal(0);
            if (isLeader()) {
                Arrays.fill(ackedOp, 0);
                ticksSinceBroadcast = 0;
            }
            return;
        }
        if (normal < f + 1) return;
        RecoveryResponse leaderResponse = recoveryResponses[leaderOf(latest.view())];
        if (leaderResponse == null || !leaderResponse.normal() || leaderResponse.view() != latest.view()) return;
        pastGenesis = true;
        view = latest.view();
        recoveryOp = leaderResponse.op();
        ticksInRecovery = 0;
        if (recoveryOp == 0) {
            enterNormal(view);
        } else {
            startFetch(leaderOf(view));
        }
    }

    private void recoveryTick() {
        if (++ticksInRecovery < (recoveryOp < 0 ? options.recoveryRetryTicks() : options.viewChangeTimeoutTicks())) return;
        if (recoveryOp < 0) {
            askToRecover();
        } else {
            startRecovery(); // the leader we fetch from went silent: ask again who leads
        }
    }

    // ---- helpers ----

    private void clearLeaderState() {
        queue.clear();
        inFlight.clear();
        Arrays.fill(opAtTick, 0);
        Arrays.fill(resentOnRetry, false);
        ticksSinceBroadcast = 0;
    }

    private void drawTimeout() {
        timeoutTicks = options.viewChangeTimeoutTicks() + random.nextInt(options.viewChangeJitterTicks() + 1);
    }

    private void send(int to, Message message) {
        Check.that(to != me, "no message to self");
        out.sends.add(new Effects.Send(to, message));
    }

    private void reply(long clientId, long requestNumber, byte[] result) {
        out.replies.add(new Effects.ClientReply(clientId, new Reply(view, me, clientId, requestNumber, result)));
    }

    private static int count(boolean[] flags) {
        int c = 0;
        for (boolean b : flags) if (b) c++;
        return c;
    }

    private static int count(Object[] items) {
        int c = 0;
        for (Object o : items) if (o != null) c++;
        return c;
    }
}

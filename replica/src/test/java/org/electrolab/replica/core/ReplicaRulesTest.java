package org.electrolab.replica.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.electrolab.protocol.Kv;
import org.electrolab.protocol.Message;
import org.electrolab.protocol.Message.*;
import org.electrolab.replica.app.KvApp;
import org.junit.jupiter.api.Test;

/**
 * One test per rule of VR Revisited (Liskov &amp; Cowling 2012), each driving single replicas with
 * hand-made messages and asserting the effects (in the manner of etcd's raft_paper_test.go).
 */
class ReplicaRulesTest {

    private static final Options OPTIONS = Options.defaults();

    private static Request request(long clientId, long n, String key, String value) {
        return new Request(clientId, n, Kv.encode(new Kv.Put(key, value)));
    }

    private static Entry entry(long clientId, long n) {
        return new Entry(List.of(request(clientId, n, "k", "v" + clientId + "." + n)));
    }

    /** A new replica of a new cluster: starts recovering, and f never-normal peers let it start view 0. */
    private static Replica genesis(int me, int members) {
        Replica r = new Replica(me, members, new KvApp(), OPTIONS, 1);
        long nonce = recoveryNonce(r.start());
        int f = (members - 1) / 2;
        for (int j = 0, answered = 0; answered < f; j++) {
            if (j == me) continue;
            r.onMessage(new RecoveryResponse(0, j, nonce, false, 0, 0));
            answered++;
        }
        assertThat(r.status()).isEqualTo(Status.NORMAL);
        assertThat(r.view()).isZero();
        return r;
    }

    private static long recoveryNonce(Effects started) {
        assertThat(started.sends).hasSize(1);
        assertThat(started.sends.getFirst().to()).isEqualTo(Effects.BROADCAST);
        return ((Recovery) started.sends.getFirst().message()).nonce();
    }

    /** Follower {@code me} of a 3-replica cluster in view 0 holding ops 1..ops, committed up to {@code commit}. */
    private static Replica followerWithLog(int me, int ops, long commit) {
        Replica r = genesis(me, 3);
        for (int op = 1; op <= ops; op++) r.onMessage(new Prepare(0, 0, op, Math.min(commit, op - 1), entry(9, op)));
        r.onMessage(new Commit(0, 0, commit));
        assertThat(r.op()).isEqualTo(ops);
        assertThat(r.commit()).isEqualTo(commit);
        return r;
    }

    private static List<Message> sent(Effects e, int to) {
        List<Message> messages = new ArrayList<>();
        for (Effects.Send s : e.sends) if (s.to() == to) messages.add(s.message());
        return messages;
    }

    private static List<Message> allSent(Effects e) {
        List<Message> messages = new ArrayList<>();
        for (Effects.Send s : e.sends) messages.add(s.message());
        return messages;
    }

    // Section 4.1, step 3: a replica only accepts a Prepare in its own view.
    @Test
    void aReplicaInALaterViewIgnoresAPrepareOfAnOlderView() {
        Replica r = followerWithLog(1, 1, 0);
        r.onMessage(new StartViewChange(1, 2));
        assertThat(r.view()).isEqualTo(1);
        Effects e = r.onMessage(new Prepare(0, 0, 2, 0, entry(9, 2)));
        assertThat(e.sends).isEmpty();
        assertThat(r.op()).isEqualTo(1);
        assertThat(r.view()).isEqualTo(1);
    }

    // Section 4.1, step 4: a follower appends a Prepare for the next op and answers PrepareOK.
    @Test
    void aFollowerAcknowledgesAnInOrderPrepare() {
        Replica r = genesis(1, 3);
        Effects e = r.onMessage(new Prepare(0, 0, 1, 0, entry(9, 1)));
        assertThat(e.sends).containsExactly(new Effects.Send(0, new PrepareOk(0, 1, 1, 0)));
        assertThat(r.op()).isEqualTo(1);
        assertThat(r.entry(1)).isEqualTo(entry(9, 1));
    }

    // Section 4.1, step 4: "won't accept a prepare with op-number n until it has entries for all earlier requests";
    // it does state transfer instead (section 5.2).
    @Test
    void aFollowerDoesNotAcknowledgeAGapButFetchesTheMissingOps() {
        Replica r = followerWithLog(1, 1, 0);
        Effects e = r.onMessage(new Prepare(0, 0, 3, 0, entry(9, 3)));
        assertThat(allSent(e)).noneMatch(m -> m instanceof PrepareOk);
        assertThat(sent(e, 0)).containsExactly(new GetState(0, 1, 1));
        assertThat(r.op()).isEqualTo(1);
    }

    // Section 5.2: state transfer asks for the next page only when a page brought new ops. A
    // duplicate page (a retry overtook it) must not start a second chain of requests; found by the
    // simulator, where chains multiplied until one seed spent 30 s moving the same pages.
    @Test
    void aDuplicatePageOfStateTransferDoesNotAskAgain() {
        Replica r = followerWithLog(1, 1, 0);
        r.onMessage(new Prepare(0, 0, 4, 0, entry(9, 4)));
        NewState page = new NewState(0, 0, 4, 0, 2, List.of(entry(9, 2)));
        assertThat(sent(r.onMessage(page), 0)).containsExactly(new GetState(0, 1, 2));
        assertThat(r.onMessage(page).sends).isEmpty();
        assertThat(r.op()).isEqualTo(2);
    }

    /** Leader 1 of view 6 in a 5-replica cluster, normal before in view 0 with two ops, collecting DoViewChanges. */
    private static Replica newLeaderOfView6() {
        Replica r = genesis(1, 5);
        r.onMessage(new Prepare(0, 0, 1, 0, entry(9, 1)));
        r.onMessage(new Prepare(0, 0, 2, 0, entry(9, 2)));
        r.onMessage(new StartViewChange(6, 2));
        r.onMessage(new StartViewChange(6, 3));
        assertThat(r.status()).isEqualTo(Status.VIEW_CHANGE);
        assertThat(r.view()).isEqualTo(6);
        return r;
    }

    // Section 4.2, step 3: the new log is the one with the largest last-normal view, then the largest op.
    @Test
    void aDoViewChangeWithTheLargestLastNormalViewWinsOverALongerLog() {
        Replica r = newLeaderOfView6();
        r.onMessage(new DoViewChange(6, 3, 0, 9, 0));
        Effects e = r.onMessage(new DoViewChange(6, 2, 3, 4, 0));
        assertThat(sent(e, 2)).as("a log of an older view keeps only its committed prefix").containsExactly(new GetState(6, 1, 0));
        assertThat(r.op()).as("until the chosen log arrives, ours stays").isEqualTo(2);

        Effects done = r.onMessage(new NewState(6, 2, 4, 0, 1, List.of(entry(7, 1), entry(7, 2), entry(7, 3), entry(7, 4))));
        assertThat(r.status()).isEqualTo(Status.NORMAL);
        assertThat(r.op()).isEqualTo(4);
        assertThat(r.entry(1)).isEqualTo(entry(7, 1));
        assertThat(sent(done, Effects.BROADCAST)).containsExactly(new StartView(6, 1, 3, 4, 0));
    }

    // Same rule, seen from the next view: a new leader that gave up fetching the chosen log still
    // holds, and reports, its own whole log (it was not cut back before the chosen log arrived).
    @Test
    void aNewLeaderThatGivesUpFetchingTheChosenLogReportsItsWholeLog() {
        Replica r = newLeaderOfView6();
        r.onMessage(new DoViewChange(6, 3, 0, 9, 0));
        r.onMessage(new DoViewChange(6, 2, 3, 4, 0));
        r.onMessage(new StartViewChange(7, 0));
        Effects e = r.onMessage(new StartViewChange(7, 3));
        assertThat(sent(e, 2)).containsExactly(new DoViewChange(7, 1, 0, 2, 0));
    }

    @Test
    void amongDoViewChangesOfTheSameLastNormalViewTheLargestOpWins() {
        Replica r = newLeaderOfView6();
        r.onMessage(new DoViewChange(6, 2, 0, 3, 0));
        Effects e = r.onMessage(new DoViewChange(6, 3, 0, 5, 0));
        assertThat(sent(e, 3)).containsExactly(new GetState(6, 1, 2));
        assertThat(r.op()).as("our log of the same view is a prefix and stays").isEqualTo(2);

        Effects done = r.onMessage(new NewState(6, 3, 5, 0, 3, List.of(entry(9, 3), entry(9, 4), entry(9, 5))));
        assertThat(r.status()).isEqualTo(Status.NORMAL);
        assertThat(r.op()).isEqualTo(5);
        assertThat(sent(done, Effects.BROADCAST)).containsExactly(new StartView(6, 1, 0, 5, 0));
    }

    // Section 4.1, step 2: a request already executed is answered from the client table, not executed again.
    @Test
    void aRetriedRequestIsAnsweredFromTheClientTable() {
        Replica leader = genesis(0, 3);
        Request put = request(5, 1, "k", "v");
        leader.onMessage(put);
        Effects committed = leader.onMessage(new PrepareOk(0, 1, 1, 0));
        assertThat(committed.executed).hasSize(1);
        assertThat(committed.replies).hasSize(1);
        Reply first = committed.replies.getFirst().reply();

        Effects retried = leader.onMessage(put);
        assertThat(retried.executed).isEmpty();
        assertThat(retried.sends).isEmpty();
        assertThat(retried.replies).containsExactly(new Effects.ClientReply(5, first));
        assertThat(leader.op()).isEqualTo(1);
    }

    // Section 4.1, steps 5-6: the leader commits an op once f followers acknowledged it, executes it, replies.
    @Test
    void theLeaderCommitsAfterFPrepareOksAndReplies() {
        Replica leader = genesis(0, 5);
        Effects prepared = leader.onMessage(request(5, 1, "k", "v"));
        assertThat(sent(prepared, Effects.BROADCAST))
                .containsExactly(new Prepare(0, 0, 1, 0, new Entry(List.of(request(5, 1, "k", "v")))));

        Effects one = leader.onMessage(new PrepareOk(0, 1, 1, 0));
        assertThat(leader.commit()).isZero();
        assertThat(one.replies).isEmpty();
        assertThat(one.executed).isEmpty();

        Effects two = leader.onMessage(new PrepareOk(0, 2, 1, 0));
        assertThat(leader.commit()).isEqualTo(1);
        assertThat(two.executed).hasSize(1);
        assertThat(two.replies).hasSize(1);
        Reply reply = two.replies.getFirst().reply();
        assertThat(reply.view()).isZero();
        assertThat(reply.requestNumber()).isEqualTo(1);
        assertThat(Kv.decodeResult(reply.result()).status()).isEqualTo(Kv.Status.OK);
    }

    // Section 4.2, step 5: a replica whose log was last normal in an older view than the new log
    // keeps only its committed prefix and brings its log up to date (here by state transfer: our
    // StartView carries no log), and acts in the new view only once it holds the view's log.
    @Test
    void aStartViewMakesAFollowerWithAnOlderLogTruncateToItsCommitAndFetch() {
        Replica r = followerWithLog(1, 3, 1);
        Effects e = r.onMessage(new StartView(3, 0, 2, 4, 2));
        assertThat(r.view()).isEqualTo(3);
        assertThat(sent(e, 0)).containsExactly(new GetState(3, 1, 1));
        assertThat(allSent(e)).noneMatch(m -> m instanceof PrepareOk);
        assertThat(r.status()).as("not normal before it holds the view's log").isEqualTo(Status.VIEW_CHANGE);
        assertThat(allSent(r.onMessage(new Prepare(3, 0, 5, 2, entry(8, 5))))).noneMatch(m -> m instanceof PrepareOk);

        Effects installed = r.onMessage(new NewState(3, 0, 4, 2, 2, List.of(entry(8, 2), entry(8, 3), entry(8, 4))));
        assertThat(r.status()).isEqualTo(Status.NORMAL);
        assertThat(r.op()).isEqualTo(4);
        assertThat(r.entry(1)).isEqualTo(entry(9, 1));
        assertThat(r.entry(2)).as("the uncommitted op of the old view is replaced").isEqualTo(entry(8, 2));
        assertThat(r.commit()).isEqualTo(2);
        assertThat(sent(installed, 0)).containsExactly(new PrepareOk(3, 1, 4, 0));
    }

    // Section 4.2: a DoViewChange reports a log the sender holds. A follower that joined a view but
    // has not yet fetched its log must not claim that view as last normal with its shorter log: the
    // new leader would take it over a longer log of the older view and lose committed ops. Found by
    // the simulator (a view change that chose a 70-op log after ops up to 85 had committed).
    @Test
    void aFollowerStillFetchingANewViewsLogReportsItsOldLogInADoViewChange() {
        Replica r = followerWithLog(2, 3, 1);
        r.onMessage(new StartView(3, 0, 0, 5, 4));
        Effects e = r.onMessage(new StartViewChange(4, 0));
        assertThat(r.status()).isEqualTo(Status.VIEW_CHANGE);
        assertThat(r.view()).isEqualTo(4);
        assertThat(sent(e, 1)).containsExactly(new DoViewChange(4, 2, 0, 3, 1));
    }

    // Section 4.3: a recovering replica does not take part in the protocol until it has recovered.
    @Test
    void aRecoveringReplicaAnswersNoPrepareUntilItHasRecovered() {
        Replica r = new Replica(2, 3, new KvApp(), OPTIONS, 1);
        long nonce = recoveryNonce(r.start());
        assertThat(r.onMessage(new Prepare(4, 1, 1, 0, entry(9, 1))).sends).isEmpty();

        r.onMessage(new RecoveryResponse(4, 0, nonce, true, 1, 0));
        Effects fetch = r.onMessage(new RecoveryResponse(4, 1, nonce, true, 1, 0));
        assertThat(sent(fetch, 1)).containsExactly(new GetState(4, 2, 0));
        assertThat(r.onMessage(new Prepare(4, 1, 2, 0, entry(9, 2))).sends).isEmpty();
        assertThat(r.status()).isEqualTo(Status.RECOVERING);

        r.onMessage(new NewState(4, 1, 1, 0, 1, List.of(entry(9, 1))));
        assertThat(r.status()).isEqualTo(Status.NORMAL);
        Effects e = r.onMessage(new Prepare(4, 1, 2, 0, entry(9, 2)));
        assertThat(e.sends).containsExactly(new Effects.Send(1, new PrepareOk(4, 2, 2, 0)));
    }

    // Section 4.3: while recovering a replica neither votes in view changes nor acknowledges ops.
    @Test
    void aRecoveringReplicaNeverSendsPrepareOkOrDoViewChange() {
        Replica r = new Replica(1, 3, new KvApp(), OPTIONS, 1);
        List<Message> sent = new ArrayList<>(allSent(r.start()));
        List<Message> stimuli = List.of(
                new Prepare(0, 0, 1, 0, entry(9, 1)),
                new Commit(0, 0, 0),
                new StartViewChange(1, 0), new StartViewChange(1, 2),
                new DoViewChange(1, 0, 0, 0, 0), new DoViewChange(1, 2, 0, 0, 0),
                new StartView(1, 1, 0, 0, 0), new StartView(2, 2, 0, 0, 0),
                new GetState(0, 0, 0), new NewState(0, 0, 1, 0, 1, List.of(entry(9, 1))));
        for (int round = 0; round < 50; round++) {
            for (Message m : stimuli) sent.addAll(allSent(r.onMessage(m)));
            sent.addAll(allSent(r.onTick()));
        }
        assertThat(r.status()).isEqualTo(Status.RECOVERING);
        assertThat(sent).isNotEmpty().allMatch(m -> m instanceof Recovery || m instanceof RecoveryResponse);
        assertThat(sent).noneMatch(m -> m instanceof RecoveryResponse rr && rr.normal());
    }

    // Genesis happens once: a recovering replica that heard of a committed op is no "never normal"
    // replica of a starting cluster (a guard besides the rounds below: a replica that answered as
    // new may be normal by the time its answer counts).
    @Test
    void aRecoveringReplicaThatHeardOfACommittedOpNeitherStartsNorHelpsStartTheClusterAtGenesis() {
        Replica r = new Replica(2, 3, new KvApp(), OPTIONS, 1);
        long nonce = recoveryNonce(r.start());
        r.onMessage(new Commit(7, 1, 5));
        assertThat(r.onMessage(new Recovery(0, 99)).sends).as("no 'never normal' answer").isEmpty();
        r.onMessage(new RecoveryResponse(0, 0, nonce, false, 0, 0));
        assertThat(r.status()).isEqualTo(Status.RECOVERING);
    }

    // Section 4.3: answers count for the round they answer. A retry asks with a new nonce, because
    // an answer from an earlier round may no longer hold: its sender may be normal by now. Found by
    // the simulator's recovery check: "never normal" answers gathered over 70 ticks of retries made
    // a restarted replica start the cluster again at genesis after op 1,125 had committed.
    @Test
    void answersToAnEarlierRoundOfRecoveryDoNotCount() {
        Replica r = new Replica(0, 5, new KvApp(), OPTIONS, 1);
        long first = recoveryNonce(r.start());
        r.onMessage(new RecoveryResponse(0, 1, first, false, 0, 0));
        Effects retry = r.onTick();
        for (int tick = 1; tick < OPTIONS.recoveryRetryTicks() && retry.sends.isEmpty(); tick++) retry = r.onTick();
        long second = recoveryNonce(retry);
        assertThat(second).isNotEqualTo(first);
        r.onMessage(new RecoveryResponse(0, 2, second, false, 0, 0));
        assertThat(r.status()).as("r1's answer was to the first round").isEqualTo(Status.RECOVERING);
        r.onMessage(new RecoveryResponse(0, 3, second, false, 0, 0));
        assertThat(r.status()).as("three never-normal replicas of this round: genesis").isEqualTo(Status.NORMAL);
    }

    // Genesis: a replica that starts after f+1 others began view 0 joins it even though its leader
    // already prepared ops (nothing committed yet); found by the simulator, where it left the cluster
    // without a quorum forever.
    @Test
    void aLateGenesisReplicaJoinsView0WhoseLeaderAlreadyPreparedOps() {
        Replica late = new Replica(2, 3, new KvApp(), OPTIONS, 1);
        long nonce = recoveryNonce(late.start());
        late.onMessage(new RecoveryResponse(0, 0, nonce, true, 2, 0));
        late.onMessage(new RecoveryResponse(0, 1, nonce, false, 0, 0));
        assertThat(late.status()).isEqualTo(Status.NORMAL);
        assertThat(late.view()).isZero();
        Effects e = late.onMessage(new Prepare(0, 0, 1, 0, entry(9, 1)));
        assertThat(e.sends).containsExactly(new Effects.Send(0, new PrepareOk(0, 2, 1, 0)));
    }

    // Loss repair (docs/simulator.md, "Loss repair"): the leader resends per follower, not the window to all.

    /** Leader 0 of a 5-replica cluster with ops 1 and 2 prepared; follower 1 acknowledged both, follower 2 op 1: op 1 committed. */
    private static Replica leaderWithOp2AckedByOneFollower() {
        Replica leader = genesis(0, 5);
        leader.onMessage(request(5, 1, "a", "1"));
        leader.onMessage(request(6, 1, "b", "1"));
        leader.onMessage(new PrepareOk(0, 1, 2, 0));
        leader.onMessage(new PrepareOk(0, 2, 1, 0));
        assertThat(leader.op()).isEqualTo(2);
        assertThat(leader.commit()).isEqualTo(1);
        return leader;
    }

    private static Effects ticks(Replica r, int ticks) {
        Effects last = null;
        for (int i = 0; i < ticks; i++) last = r.onTick();
        return last;
    }

    @Test
    void anOpUnacknowledgedForPrepareRetryTicksIsResentOnlyToTheFollowersLackingIt() {
        Replica leader = leaderWithOp2AckedByOneFollower();
        assertThat(allSent(ticks(leader, OPTIONS.prepareRetryTicks() - 1))).noneMatch(m -> m instanceof Prepare);

        Effects resent = leader.onTick();

        Prepare op2 = new Prepare(0, 0, 2, 1, leader.entry(2));
        assertThat(sent(resent, 1)).as("follower 1 holds op 2").noneMatch(m -> m instanceof Prepare);
        for (int follower = 2; follower <= 4; follower++) {
            // Op 1 is committed: followers 3 and 4 fetch it when they see the commit number, it is not resent.
            assertThat(sent(resent, follower)).as("to follower %d", follower).containsExactly(op2);
        }
        assertThat(sent(resent, Effects.BROADCAST)).noneMatch(m -> m instanceof Prepare);
    }

    @Test
    void theResendRepeatsUntilTheFollowerAcknowledgesThenStops() {
        Replica leader = leaderWithOp2AckedByOneFollower();
        ticks(leader, OPTIONS.prepareRetryTicks());
        Effects again = ticks(leader, OPTIONS.prepareRetryTicks());
        assertThat(sent(again, 2)).containsExactly(new Prepare(0, 0, 2, 1, leader.entry(2)));

        leader.onMessage(new PrepareOk(0, 2, 2, 0));
        assertThat(leader.commit()).isEqualTo(2);
        for (int i = 0; i < 3 * OPTIONS.prepareRetryTicks(); i++) {
            assertThat(allSent(leader.onTick())).as("tick %d after the commit", i).noneMatch(m -> m instanceof Prepare);
        }
    }

    @Test
    void whileTheOthersCarryTheQuorumASilentFollowerIsResentNothing() {
        Replica leader = genesis(0, 5);
        List<Message> prepares = new ArrayList<>();
        for (int i = 1; i <= 4 * OPTIONS.prepareRetryTicks(); i++) {
            leader.onMessage(request(5, i, "k", "v" + i));
            prepares.addAll(allSent(leader.onTick()).stream().filter(m -> m instanceof Prepare).toList());
            // Followers 1 and 2 acknowledge every op; 3 and 4 nothing (down, or their Prepares or PrepareOKs are lost).
            leader.onMessage(new PrepareOk(0, 1, i, 0));
            leader.onMessage(new PrepareOk(0, 2, i, 0));
            assertThat(leader.commit()).isEqualTo(i);
        }
        // Every op committed within a tick: none was overdue. Followers 3 and 4 fetch what they lack from the commit number.
        assertThat(prepares).isEmpty();
    }

    @Test
    void anOpInFlightAtATickIsNotResentUntilItIsOverdue() {
        Replica leader = genesis(0, 3);
        leader.onMessage(request(5, 1, "k", "v"));
        ticks(leader, OPTIONS.prepareRetryTicks() - 1);
        // Op 2 is prepared just before a tick: at that tick it is in flight, not lost.
        leader.onMessage(request(6, 1, "k", "w"));
        Effects tick = leader.onTick();
        assertThat(sent(tick, 1)).extracting(m -> ((Prepare) m).op()).as("op 1 is overdue, op 2 is not").containsExactly(1L);
        assertThat(sent(leader.onTick(), 1)).extracting(m -> ((Prepare) m).op()).containsExactly(1L, 2L);
    }

    // A client's retry comes after its retry timeout, a few round trips; the tick is far coarser.
    @Test
    void aRetriedRequestWhoseOpHasNotCommittedIsResentAtOnceToTheFollowersLackingItOncePerTick() {
        Replica leader = leaderWithOp2AckedByOneFollower();
        Request retry = request(6, 1, "b", "1");
        Prepare op2 = new Prepare(0, 0, 2, 1, leader.entry(2));

        Effects retried = leader.onMessage(retry);

        assertThat(sent(retried, 1)).as("follower 1 holds op 2").isEmpty();
        for (int follower = 2; follower <= 4; follower++) assertThat(sent(retried, follower)).containsExactly(op2);
        assertThat(leader.op()).as("not prepared again").isEqualTo(2);
        assertThat(retried.replies).isEmpty();
        assertThat(allSent(leader.onMessage(retry))).as("a second retry before the next tick").isEmpty();
        assertThat(allSent(leader.onTick())).as("op 2 is not overdue at the first tick").noneMatch(m -> m instanceof Prepare);
        assertThat(sent(leader.onMessage(retry), 2)).containsExactly(op2);
    }

    // A lost PrepareOK with no later op to carry the acknowledgement: the resend repairs it.
    @Test
    void anOpWhosePrepareOksWereLostCommitsAfterTheResendWithoutAViewChange() {
        Replica leader = genesis(0, 3);
        Replica follower = genesis(1, 3);
        Effects prepared = leader.onMessage(request(5, 1, "k", "v"));
        Prepare prepare = (Prepare) sent(prepared, Effects.BROADCAST).getFirst();
        follower.onMessage(prepare); // its PrepareOK is lost

        Effects resent = ticks(leader, OPTIONS.prepareRetryTicks());
        Message again = sent(resent, 1).getFirst();
        Effects answered = follower.onMessage(again);
        Effects committed = leader.onMessage(sent(answered, 0).getFirst());

        assertThat(committed.replies).hasSize(1);
        assertThat(leader.commit()).isEqualTo(1);
        assertThat(leader.view()).isZero();
        assertThat(follower.view()).isZero();
    }

    // Section 5.2: a follower that sees a gap fetches at once, and asks again if the answer is lost.
    @Test
    void aFollowerWhoseFetchGoesUnansweredAsksAgainAfterFetchRetryTicks() {
        Replica r = followerWithLog(1, 1, 0);
        assertThat(sent(r.onMessage(new Prepare(0, 0, 3, 0, entry(9, 3))), 0)).containsExactly(new GetState(0, 1, 1));
        for (int i = 1; i < OPTIONS.fetchRetryTicks(); i++) assertThat(sent(r.onTick(), 0)).isEmpty();
        assertThat(sent(r.onTick(), 0)).containsExactly(new GetState(0, 1, 1));
        assertThat(r.status()).isEqualTo(Status.NORMAL);
    }
}

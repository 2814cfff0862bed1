package org.electrolab.replica.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.electrolab.client.history.History;
import org.electrolab.client.history.History.Op;
import org.electrolab.protocol.Kv;
import org.electrolab.protocol.Kv.Result;
import org.electrolab.protocol.Kv.Status;
import org.electrolab.protocol.Message.Entry;
import org.electrolab.protocol.Message.Request;
import org.junit.jupiter.api.Test;

/** Self-tests of the agreement, execution and final-read checkers. */
class ReplicaCheckersTest {

    private static Entry entry(long clientId, long n) {
        return new Entry(List.of(new Request(clientId, n, new byte[] {(byte) n})));
    }

    @Test
    void agreementAcceptsEqualCommittedLogsAndRejectsADivergentOp() {
        AgreementChecker checker = new AgreementChecker();
        checker.committed("r0", 1, entry(1, 1));
        checker.committed("r0", 2, entry(1, 2));
        checker.committed("r1", 1, entry(1, 1));
        checker.committed("r1", 2, entry(1, 2));
        checker.committed("r1", 3, entry(2, 1));
        assertThat(checker.highestCommitted()).isEqualTo(3);
        assertThatThrownBy(() -> checker.committed("r2", 3, entry(3, 1)))
                .isInstanceOf(Violation.class).hasMessageContaining("r2 committed op 3").hasMessageContaining("r1");
    }

    @Test
    void identicalExecutionsAcrossProcessesAndRestartsAreAccepted() {
        ExecutionChecker checker = new ExecutionChecker();
        for (String process : List.of("r0", "r1", "r0#2")) {
            checker.executed(process, 1, 1, 1, new byte[] {1});
            checker.executed(process, 1, 2, 1, new byte[] {2});
            // op 2 held only a retried request, so nothing executed
            checker.executed(process, 3, 1, 2, new byte[] {3});
            checker.finish(process);
        }
        assertThatCode(() -> checker.replied(1, 2, new byte[] {3})).doesNotThrowAnyException();
    }

    @Test
    void aRequestExecutedTwiceIsRejected() {
        ExecutionChecker checker = new ExecutionChecker();
        checker.executed("r0", 1, 1, 1, new byte[] {1});
        assertThatThrownBy(() -> checker.executed("r0", 2, 1, 1, new byte[] {1}))
                .isInstanceOf(Violation.class).hasMessageContaining("at-most-once").hasMessageContaining("twice");
    }

    @Test
    void aRequestExecutedInDifferentOpsByDifferentReplicasIsRejected() {
        ExecutionChecker checker = new ExecutionChecker();
        checker.executed("r0", 1, 1, 1, new byte[] {1});
        assertThatThrownBy(() -> checker.executed("r1", 2, 1, 1, new byte[] {1}))
                .isInstanceOf(Violation.class).hasMessageContaining("at-most-once");
    }

    @Test
    void divergentResultsOrSkippedOpsAreRejected() {
        ExecutionChecker results = new ExecutionChecker();
        results.executed("r0", 1, 1, 1, new byte[] {1});
        results.finish("r0");
        results.executed("r1", 1, 1, 1, new byte[] {9});
        assertThatThrownBy(() -> results.finish("r1")).isInstanceOf(Violation.class).hasMessageContaining("op 1");

        ExecutionChecker skipped = new ExecutionChecker();
        skipped.executed("r0", 1, 1, 1, new byte[] {1});
        skipped.executed("r0", 2, 2, 1, new byte[] {2});
        skipped.finish("r0");
        skipped.executed("r1", 1, 1, 1, new byte[] {1});
        assertThatThrownBy(() -> skipped.executed("r1", 3, 3, 1, new byte[] {3}))
                .isInstanceOf(Violation.class).hasMessageContaining("op 2");
    }

    @Test
    void executingAnEarlierOpAfterALaterOneIsRejected() {
        ExecutionChecker checker = new ExecutionChecker();
        checker.executed("r0", 2, 1, 1, new byte[] {1});
        assertThatThrownBy(() -> checker.executed("r0", 1, 2, 1, new byte[] {1})).isInstanceOf(Violation.class);
    }

    @Test
    void aReplyMustCarryTheExecutedResult() {
        ExecutionChecker checker = new ExecutionChecker();
        checker.executed("r0", 1, 1, 1, new byte[] {1});
        assertThatThrownBy(() -> checker.replied(1, 1, new byte[] {2})).isInstanceOf(Violation.class);
        assertThatThrownBy(() -> checker.replied(1, 2, new byte[] {1})).isInstanceOf(Violation.class)
                .hasMessageContaining("no replica executed");
    }

    private static Result ok() { return new Result(Status.OK, null); }

    @Test
    void finalReadCheckerRejectsALostWriteAndAcceptsSurvivingOnes() {
        History h = new History();
        Op a = h.invoke(1, 1, new Kv.Put("x", "a"), 0);
        h.complete(a, ok(), 1);
        Op b = h.invoke(1, 2, new Kv.Put("x", "b"), 2);
        h.complete(b, ok(), 3);
        Op c = h.invoke(2, 1, new Kv.Put("x", "c"), 4); // outcome unknown
        Op readB = h.invoke(9, 1, new Kv.Get("x"), 10);
        h.complete(readB, new Result(Status.OK, "b"), 11);
        assertThat(FinalReadChecker.check(h, List.of(readB))).isNull();
        Op readC = h.invoke(9, 2, new Kv.Get("x"), 12);
        h.complete(readC, new Result(Status.OK, "c"), 13);
        assertThat(FinalReadChecker.check(h, List.of(readC))).isNull();
        assertThat(c.completed()).isFalse();

        Op readA = h.invoke(9, 3, new Kv.Get("x"), 14);
        h.complete(readA, new Result(Status.OK, "a"), 15);
        assertThat(FinalReadChecker.check(h, List.of(readA))).contains("put(x=b)");
        Op readNothing = h.invoke(9, 4, new Kv.Get("x"), 16);
        h.complete(readNothing, new Result(Status.NOT_FOUND, null), 17);
        assertThat(FinalReadChecker.check(h, List.of(readNothing))).contains("acknowledged write lost");
        Op readInvented = h.invoke(9, 5, new Kv.Get("x"), 18);
        h.complete(readInvented, new Result(Status.OK, "zzz"), 19);
        assertThat(FinalReadChecker.check(h, List.of(readInvented))).isNotNull();
    }
}

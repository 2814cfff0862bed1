package org.electrolab.client.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.electrolab.protocol.Kv;
import org.electrolab.protocol.Kv.Result;
import org.electrolab.protocol.Kv.Status;
import org.electrolab.client.history.History.Op;
import org.junit.jupiter.api.Test;

/** The checkers must reject what is wrong and accept what is right, or the simulation proves nothing. */
class LinearizabilityCheckerTest {

    private final History h = new History();
    private long requestNumber;

    private Op op(long client, Kv.Command c, long invoke, long complete, Result r) {
        Op op = h.invoke(client, ++requestNumber, c, invoke);
        if (r != null) h.complete(op, r, complete);
        return op;
    }

    private static Result ok() { return new Result(Status.OK, null); }
    private static Result value(String v) { return new Result(Status.OK, v); }
    private static Result notFound() { return new Result(Status.NOT_FOUND, null); }
    private static Result casFailed(String current) { return new Result(Status.CAS_FAILED, current); }
    private static Kv.Get get(String k) { return new Kv.Get(k); }
    private static Kv.Put put(String k, String v) { return new Kv.Put(k, v); }
    private static Kv.Cas cas(String k, String expected, String v) { return new Kv.Cas(k, expected, v); }

    private LinearizabilityChecker.Result check() {
        return new LinearizabilityChecker().check(h);
    }

    @Test
    void sequentialHistoryIsAccepted() {
        op(1, get("x"), 0, 1, notFound());
        op(1, put("x", "a"), 2, 3, ok());
        op(2, get("x"), 4, 5, value("a"));
        op(2, cas("x", "a", "b"), 6, 7, ok());
        op(1, cas("x", "a", "c"), 8, 9, casFailed("b"));
        op(1, get("x"), 10, 11, value("b"));
        assertThat(check().ok()).isTrue();
    }

    @Test
    void staleReadIsRejected() {
        op(1, put("x", "a"), 0, 1, ok());
        op(1, put("x", "b"), 2, 3, ok());
        op(2, get("x"), 4, 5, value("a"));
        LinearizabilityChecker.Result r = check();
        assertThat(r.ok()).isFalse();
        assertThat(r.key()).isEqualTo("x");
        assertThat(r.explanation()).contains("get(x)");
    }

    @Test
    void lostWriteIsRejected() {
        op(1, put("x", "a"), 0, 1, ok());
        op(2, get("x"), 2, 3, notFound());
        assertThat(check().ok()).isFalse();
    }

    @Test
    void readFromTheFutureIsRejected() {
        op(2, get("x"), 0, 1, value("a"));
        op(1, put("x", "a"), 2, 3, ok());
        assertThat(check().ok()).isFalse();
    }

    @Test
    void twoWinningCasFromTheSameValueAreRejected() {
        op(1, put("x", "0"), 0, 1, ok());
        op(1, cas("x", "0", "1"), 2, 5, ok());
        op(2, cas("x", "0", "2"), 3, 6, ok());
        assertThat(check().ok()).isFalse();
    }

    @Test
    void casFailureMustReportTheCurrentValue() {
        op(1, put("x", "0"), 0, 1, ok());
        op(2, cas("x", "9", "1"), 2, 3, casFailed("7"));
        assertThat(check().ok()).isFalse();
    }

    @Test
    void casThatFailedWhileItsExpectedValueHeldIsRejected() {
        op(1, put("x", "0"), 0, 1, ok());
        op(2, cas("x", "0", "1"), 2, 3, casFailed("0"));
        assertThat(check().ok()).isFalse();
    }

    @Test
    void concurrentOperationsMayTakeEffectInEitherOrder() {
        op(1, put("x", "a"), 0, 10, ok());
        op(2, get("x"), 1, 2, notFound());
        op(3, get("x"), 3, 4, value("a"));
        op(2, get("x"), 5, 6, value("a"));
        op(4, cas("x", "a", "b"), 7, 20, ok());
        op(3, get("x"), 8, 9, value("b"));
        op(2, put("x", "c"), 11, 21, ok());
        op(1, get("x"), 22, 23, value("c"));
        assertThat(check().ok()).isTrue();
    }

    @Test
    void concurrentCasWhereOneWinsIsAccepted() {
        op(1, put("x", "0"), 0, 1, ok());
        op(1, cas("x", "0", "1"), 2, 5, ok());
        op(2, cas("x", "0", "2"), 3, 6, casFailed("1"));
        op(3, get("x"), 7, 8, value("1"));
        assertThat(check().ok()).isTrue();
    }

    @Test
    void unknownWriteMayTakeEffectLateOrNever() {
        op(1, put("x", "a"), 0, 1, ok());
        op(2, put("x", "b"), 2, 0, null);
        op(3, get("x"), 3, 4, value("a"));
        op(3, get("x"), 5, 6, value("b"));
        assertThat(check().ok()).isTrue();

        History never = new History();
        Op put = never.invoke(1, 1, put("y", "a"), 0);
        never.invoke(2, 1, put("y", "b"), 1);
        never.complete(put, ok(), 2);
        Op read = never.invoke(3, 1, get("y"), 3);
        never.complete(read, value("a"), 4);
        assertThat(new LinearizabilityChecker().check(never).ok()).isTrue();
    }

    @Test
    void unknownWriteCannotBeUndone() {
        op(2, put("x", "b"), 0, 0, null);
        op(3, get("x"), 1, 2, value("b"));
        op(3, get("x"), 3, 4, notFound());
        assertThat(check().ok()).isFalse();
    }

    @Test
    void unknownCasTakesEffectOnlyWhereItsExpectedValueHolds() {
        op(1, put("x", "a"), 0, 1, ok());
        op(2, cas("x", "a", "b"), 2, 0, null);
        op(1, get("x"), 3, 4, value("b"));
        assertThat(check().ok()).isTrue();

        History wrong = new History();
        Op put = wrong.invoke(1, 1, put("x", "z"), 0);
        wrong.complete(put, ok(), 1);
        wrong.invoke(2, 1, cas("x", "a", "b"), 2);
        Op read = wrong.invoke(1, 2, get("x"), 3);
        wrong.complete(read, value("b"), 4);
        assertThat(new LinearizabilityChecker().check(wrong).ok()).isFalse();
    }

    @Test
    void keysAreJudgedIndependently() {
        op(1, put("x", "a"), 0, 1, ok());
        op(1, put("y", "b"), 2, 3, ok());
        op(2, get("y"), 4, 5, value("b"));
        op(2, get("x"), 6, 7, value("b"));
        LinearizabilityChecker.Result r = check();
        assertThat(r.ok()).isFalse();
        assertThat(r.key()).isEqualTo("x");
    }

    /**
     * Histories made from a real sequential register, each op's interval stretched at random around
     * its linearization point, are linearizable; the same history with one read changed to a value
     * never written is not.
     */
    @Test
    void randomHistoriesFromARealRegisterAreAcceptedAndCorruptedOnesRejected() {
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            History history = new History();
            List<Op> reads = new ArrayList<>();
            String[] state = new String[2];
            long[] busyUntil = new long[5];
            long point = 0;
            for (int i = 0; i < 150; i++) {
                point += 1 + random.nextInt(3);
                int client = random.nextInt(5);
                if (busyUntil[client] >= point) continue;
                long invoke = point - random.nextLong(Math.min(10, point - busyUntil[client]));
                long complete = point + random.nextInt(10);
                int keyIndex = random.nextInt(2);
                String key = "k" + keyIndex, v = "v" + i;
                Kv.Command c;
                Result r;
                switch (random.nextInt(3)) {
                    case 0 -> {
                        c = get(key);
                        r = state[keyIndex] == null ? notFound() : value(state[keyIndex]);
                    }
                    case 1 -> {
                        c = put(key, v);
                        r = ok();
                        state[keyIndex] = v;
                    }
                    default -> {
                        String expected = random.nextBoolean() ? state[keyIndex] : "v" + random.nextInt(i + 1);
                        c = cas(key, expected, v);
                        r = java.util.Objects.equals(expected, state[keyIndex]) ? ok() : casFailed(state[keyIndex]);
                        if (r.status() == Status.OK) state[keyIndex] = v;
                    }
                }
                Op op = history.invoke(client, i, c, invoke);
                if (random.nextInt(40) == 0) {
                    busyUntil[client] = Long.MAX_VALUE;
                    continue;
                }
                history.complete(op, r, complete);
                busyUntil[client] = complete;
                if (c instanceof Kv.Get) reads.add(op);
            }
            assertThat(new LinearizabilityChecker().check(history).ok()).as("round %d", round).isTrue();
            if (reads.isEmpty()) continue;
            History bad = copyWithResult(history, reads.get(random.nextInt(reads.size())), value("never-written"));
            assertThat(new LinearizabilityChecker().check(bad).ok()).as("corrupted round %d", round).isFalse();
        }
    }

    private static History copyWithResult(History history, Op victim, Result result) {
        History copy = new History();
        for (Op op : history.ops()) {
            Op c = copy.invoke(op.clientId, op.requestNumber, op.command, op.invokeNanos);
            if (op == victim) copy.complete(c, result, op.completeNanos());
            else if (op.completed()) copy.complete(c, op.result(), op.completeNanos());
        }
        return copy;
    }
}

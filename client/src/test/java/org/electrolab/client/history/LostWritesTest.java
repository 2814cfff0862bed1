package org.electrolab.client.history;

import static org.assertj.core.api.Assertions.assertThat;

import org.electrolab.client.KvClient.Outcome;
import org.electrolab.client.history.History.Op;
import org.electrolab.protocol.Kv;
import org.electrolab.protocol.Kv.Result;
import org.electrolab.protocol.Kv.Status;
import org.junit.jupiter.api.Test;

/** Acknowledged writes must survive to the final reads; unknown ones and unanswered final reads are not losses. */
class LostWritesTest {

    private final History h = new History();
    private long requestNumber;

    private Op write(Kv.Command c, long invoke, long complete) {
        Op op = h.invoke(1, ++requestNumber, c, invoke);
        h.complete(op, new Result(Status.OK, null), complete);
        return op;
    }

    private Op unknown(Kv.Command c, long invoke) {
        return h.invoke(2, ++requestNumber, c, invoke);
    }

    private Op finalRead(String key, Result result, long invoke) {
        Op op = h.invoke(9, ++requestNumber, new Kv.Get(key), invoke, true);
        if (result != null) h.complete(op, result, invoke + 1);
        return op;
    }

    @Test
    void theLatestWriteSurvivingIsNoLoss() {
        write(new Kv.Put("x", "a"), 0, 1);
        write(new Kv.Cas("x", "a", "b"), 2, 3);
        finalRead("x", new Result(Status.OK, "b"), 10);
        LostWrites.Result r = LostWrites.check(h);
        assertThat(r.ok()).isTrue();
        assertThat(r.lost()).isEmpty();
        assertThat(r.unverified()).isEmpty();
    }

    @Test
    void aFinalValueFromAnEarlierWriteLosesTheLaterAcknowledgedOnes() {
        write(new Kv.Put("x", "a"), 0, 1);
        Op b = write(new Kv.Put("x", "b"), 2, 3);
        Op c = write(new Kv.Put("x", "c"), 4, 5);
        finalRead("x", new Result(Status.OK, "a"), 10);
        LostWrites.Result r = LostWrites.check(h);
        assertThat(r.ok()).isFalse();
        assertThat(r.lost()).extracting(LostWrites.Loss::write).containsExactly(b, c);
        assertThat(r.lost().getFirst().toString()).contains("acknowledged write lost", "put(x=b)", "put(x=a)");
    }

    @Test
    void aFinalValueFromAnOverlappingOrUnknownWriteIsNoLoss() {
        write(new Kv.Put("x", "a"), 0, 10);
        write(new Kv.Put("x", "b"), 5, 15);
        finalRead("x", new Result(Status.OK, "a"), 20);
        assertThat(LostWrites.check(h).ok()).as("a and b overlap: a may have come last").isTrue();

        History later = new History();
        Op put = later.invoke(1, 1, new Kv.Put("y", "a"), 0);
        later.complete(put, new Result(Status.OK, null), 1);
        later.invoke(2, 1, new Kv.Put("y", "u"), 2);
        Op read = later.invoke(9, 1, new Kv.Get("y"), 10, true);
        later.complete(read, new Result(Status.OK, "u"), 11);
        assertThat(LostWrites.check(later).ok()).as("an unknown write may take effect late").isTrue();
    }

    @Test
    void findingNothingOrAnUnwrittenValueLosesEveryAcknowledgedWrite() {
        Op a = write(new Kv.Put("x", "a"), 0, 1);
        finalRead("x", new Result(Status.NOT_FOUND, null), 10);
        Op b = write(new Kv.Put("y", "b"), 0, 1);
        finalRead("y", new Result(Status.OK, "never-written"), 10);
        LostWrites.Result r = LostWrites.check(h);
        assertThat(r.lost()).extracting(LostWrites.Loss::write).containsExactly(a, b);
        assertThat(r.lost().get(0).toString()).contains("found nothing");
        assertThat(r.lost().get(1).toString()).contains("found a value no operation wrote");
    }

    @Test
    void withoutAnAnsweredFinalReadWritesAreUnverifiedNotLost() {
        Op a = write(new Kv.Put("x", "a"), 0, 1);
        finalRead("x", null, 10);
        finalRead("x", null, 20);
        Op b = write(new Kv.Put("z", "b"), 0, 1);
        LostWrites.Result r = LostWrites.check(h);
        assertThat(r.ok()).isTrue();
        assertThat(r.unverified()).containsExactly(a, b);
    }

    @Test
    void theLastAnsweredFinalReadCountsAndFailedCasIsNoWrite() {
        write(new Kv.Put("x", "a"), 0, 1);
        Op failedCas = h.invoke(3, 1, new Kv.Cas("x", "zz", "c"), 2);
        h.complete(failedCas, Outcome.FAIL, new Result(Status.CAS_FAILED, "a"), 3);
        finalRead("x", null, 10);
        finalRead("x", new Result(Status.OK, "a"), 20);
        assertThat(LostWrites.check(h).ok()).isTrue();
        unknown(new Kv.Put("x", "late"), 4);
        assertThat(LostWrites.check(h).ok()).isTrue();
    }
}

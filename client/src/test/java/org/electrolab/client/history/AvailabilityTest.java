package org.electrolab.client.history;

import static org.assertj.core.api.Assertions.assertThat;

import org.electrolab.client.KvClient.Outcome;
import org.electrolab.client.history.History.Op;
import org.electrolab.protocol.Kv;
import org.electrolab.protocol.Kv.Result;
import org.electrolab.protocol.Kv.Status;
import org.junit.jupiter.api.Test;

/** Throughput per bucket and the longest silence after a fault, from OK completions only. */
class AvailabilityTest {

    private final History h = new History();

    private void ok(long invoke, long complete) {
        Op op = h.invoke(1, 1, new Kv.Get("k"), invoke);
        h.complete(op, new Result(Status.NOT_FOUND, null), complete);
    }

    @Test
    void timelineCountsOkCompletionsPerBucketFromTheFirstInvoke() {
        ok(100, 105);
        ok(100, 109);
        ok(110, 135);
        h.invoke(2, 1, new Kv.Put("k", "u"), 111); // unknown: not counted
        Op failed = h.invoke(3, 1, new Kv.Cas("k", "x", "y"), 112);
        h.complete(failed, Outcome.FAIL, new Result(Status.CAS_FAILED, null), 113);
        Op audit = h.invoke(9, 1, new Kv.Get("k"), 200, true);
        h.complete(audit, new Result(Status.NOT_FOUND, null), 201);
        assertThat(Availability.timeline(h, 10)).containsExactly(2, 0, 0, 1);
        assertThat(Availability.timeline(new History(), 10)).isEmpty();
    }

    @Test
    void unavailabilityIsTheLongestStretchWithoutOkCompletionInTheWindow() {
        ok(0, 10);
        ok(0, 20); // fault at 25
        ok(20, 60); // first after the fault: 35 after it
        ok(60, 70);
        ok(70, 120); // gap of 50
        ok(120, 125);
        ok(125, 400); // after the end: not seen
        assertThat(Availability.unavailableNanos(h, 25, 130)).isEqualTo(50);
        assertThat(Availability.unavailableNanos(h, 25, 65)).as("capped at the end").isEqualTo(35);
        assertThat(Availability.unavailableNanos(h, 125, 300)).as("from the last completion to the end").isEqualTo(175);
        assertThat(Availability.unavailableNanos(h, 126, 300)).as("nothing completed in the window").isEqualTo(174);
    }
}

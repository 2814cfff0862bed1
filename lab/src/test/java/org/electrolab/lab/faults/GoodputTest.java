package org.electrolab.lab.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Goodput from per-interval counts: which intervals make each window, and when the reference is steady. */
class GoodputTest {
    private static final double BUCKET = 0.1;

    private static List<Long> counts(long... values) {
        List<Long> list = new ArrayList<>();
        for (long v : values) list.add(v);
        return list;
    }

    private static List<Long> repeat(long value, int times) {
        return new ArrayList<>(Collections.nCopies(times, value));
    }

    @Test
    void onlyIntervalsWhollyInsideAWindowCount() {
        // 1 s at 100 per interval, the fault at 1.05 s: the interval it starts in belongs to neither window.
        List<Long> t = repeat(100, 10);
        t.addAll(counts(1000, 10, 10, 10, 10, 10));
        t.addAll(repeat(90, 10));
        t.add(5L); // the last interval, cut short by the end of the load
        Goodput g = Goodput.of(t, BUCKET, 1.05, 1.6, 1.0, 2.0);
        assertThat(g.preFaultOpsPerSec()).as("intervals 1..9, not 0 (it starts before the window) nor 10").isEqualTo(1000);
        assertThat(g.duringPercent()).as("intervals 11..15").isEqualTo(10.0);
        assertThat(g.afterPercent()).as("intervals 16..25, not the last").isEqualTo(90.0);
        assertThat(g.p99DuringMillis()).isEqualTo(2.0);
        assertThat(g.steady()).isTrue();
    }

    @Test
    void aRampingReferenceIsNotSteady() {
        List<Long> t = counts(10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 50, 50, 50, 50, 50);
        Goodput g = Goodput.of(t, BUCKET, 1.0, 1.3, 1.0, null);
        assertThat(g.preFaultOpsPerSec()).isEqualTo(550);
        assertThat(g.preFaultDriftPercent()).as("(800 - 300) / 550").isEqualTo(90.9);
        assertThat(g.steady()).isFalse();
        assertThat(g.p99DuringMillis()).isNull();
    }

    @Test
    void aReferenceFarBelowTheRateAfterHealingIsNotSteady() {
        // Flat at 100 per interval before the fault, but 200 after healing: the service was still speeding up.
        List<Long> t = repeat(100, 10);
        t.addAll(repeat(10, 5));
        t.addAll(repeat(200, 10));
        t.add(1L);
        Goodput g = Goodput.of(t, BUCKET, 1.0, 1.5, 1.0, null);
        assertThat(g.preFaultDriftPercent()).isZero();
        assertThat(g.afterPercent()).isEqualTo(200.0);
        assertThat(g.steady()).isFalse();
    }

    @Test
    void noReferenceMeansNoGoodput() {
        assertThat(Goodput.of(counts(0, 0, 0, 5, 5), BUCKET, 0.3, 0.4, 0.3, null)).isNull();
        assertThat(Goodput.of(counts(5, 5, 5), BUCKET, 0.05, 0.1, 0.05, null)).as("no whole interval before the fault").isNull();
        Goodput shortFault = Goodput.of(repeat(10, 20), BUCKET, 1.0, 1.05, 1.0, null);
        assertThat(shortFault.duringPercent()).as("a fault shorter than an interval").isNull();
    }
}

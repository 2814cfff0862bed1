package org.electrolab.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class RetryTimeoutTest {

    private static final long MS = 1_000_000;
    private static final Duration CEILING = Duration.ofMillis(200);

    @Test
    void beforeAnyReplyTheWaitIsTheCeiling() {
        RetryTimeout t = new RetryTimeout(CEILING);
        assertThat(t.timeoutNanos(0)).isEqualTo(200 * MS);
        assertThat(t.timeoutNanos(3)).isEqualTo(200 * MS);
        assertThat(t.smoothedNanos()).isEqualTo(-1);
    }

    // RFC 6298, section 2.2: the first sample R sets SRTT = R, RTTVAR = R/2, RTO = SRTT + max(G, 4 RTTVAR).
    @Test
    void theFirstSampleSetsTheEstimate() {
        RetryTimeout t = new RetryTimeout(CEILING);
        t.sample(10 * MS);
        assertThat(t.smoothedNanos()).isEqualTo(10 * MS);
        assertThat(t.variationNanos()).isEqualTo(5 * MS);
        assertThat(t.timeoutNanos(0)).isEqualTo(30 * MS);
    }

    // Section 2.3: RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R'|, then SRTT = 7/8 SRTT + 1/8 R'.
    @Test
    void laterSamplesAreSmoothed() {
        RetryTimeout t = new RetryTimeout(CEILING);
        t.sample(8 * MS);
        t.sample(16 * MS);
        assertThat(t.variationNanos()).isEqualTo(3 * MS + 2 * MS);
        assertThat(t.smoothedNanos()).isEqualTo(9 * MS);
        assertThat(t.timeoutNanos(0)).isEqualTo(29 * MS);
    }

    @Test
    void aSteadyRoundTripOfMicrosecondsWaitsItPlusTheOneMillisecondGranularity() {
        RetryTimeout t = new RetryTimeout(CEILING);
        for (int i = 0; i < 100; i++) t.sample(80_000);
        assertThat(t.smoothedNanos()).isBetween(79_000L, 81_000L);
        assertThat(t.timeoutNanos(0)).isEqualTo(t.smoothedNanos() + RetryTimeout.FLOOR_NANOS);
    }

    @Test
    void aRoundTripOfZeroStillWaitsTheFloor() {
        RetryTimeout t = new RetryTimeout(CEILING);
        for (int i = 0; i < 10; i++) t.sample(0);
        assertThat(t.timeoutNanos(0)).isEqualTo(RetryTimeout.FLOOR_NANOS);
    }

    @Test
    void aNoisyRoundTripWaitsLongerThanASteadyOneOfTheSameMean() {
        RetryTimeout steady = new RetryTimeout(CEILING);
        RetryTimeout noisy = new RetryTimeout(CEILING);
        for (int i = 0; i < 200; i++) {
            steady.sample(2 * MS);
            noisy.sample(i % 2 == 0 ? MS : 3 * MS);
        }
        assertThat(noisy.timeoutNanos(0)).isGreaterThan(steady.timeoutNanos(0) + 2 * MS);
    }

    // Section 5.5: each retransmission doubles the wait, up to the ceiling.
    @Test
    void retransmissionsBackOffExponentiallyUpToTheCeiling() {
        RetryTimeout t = new RetryTimeout(CEILING);
        for (int i = 0; i < 10; i++) t.sample(0);
        assertThat(t.timeoutNanos(0)).isEqualTo(MS);
        assertThat(t.timeoutNanos(1)).isEqualTo(2 * MS);
        assertThat(t.timeoutNanos(2)).isEqualTo(4 * MS);
        assertThat(t.timeoutNanos(7)).isEqualTo(128 * MS);
        assertThat(t.timeoutNanos(8)).isEqualTo(200 * MS);
        assertThat(t.timeoutNanos(1000)).isEqualTo(200 * MS);
    }

    @Test
    void aRoundTripLongerThanTheCeilingWaitsTheCeiling() {
        RetryTimeout t = new RetryTimeout(CEILING);
        t.sample(900 * MS);
        assertThat(t.timeoutNanos(0)).isEqualTo(200 * MS);
    }

    @Test
    void aCeilingBelowTheFloorIsRefused() {
        assertThatThrownBy(() -> new RetryTimeout(Duration.ofNanos(999_999))).hasMessageContaining("at least 1 ms");
    }
}

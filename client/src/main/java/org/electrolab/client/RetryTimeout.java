package org.electrolab.client;

import java.time.Duration;

import org.electrolab.protocol.Check;

/**
 * How long a request waits for its reply before it is sent again, tuned to the network in the
 * manner of TCP's retransmission timer (RFC 6298): a smoothed round-trip time {@code SRTT} and its
 * variation {@code RTTVAR} from the replies, {@code RTO = SRTT + max(G, 4 * RTTVAR)}, where the
 * clock granularity {@code G} is {@link #FLOOR_NANOS} (Vert.x timers count whole milliseconds), at
 * least {@link #FLOOR_NANOS} and at most {@code ceiling}. Before the first sample the timeout is the
 * ceiling. Each retransmission of one request doubles its wait (exponential backoff, up to the
 * ceiling); the next request starts from the estimate again. Only a request answered on its first
 * transmission gives a sample (Karn's algorithm): the reply to a retransmitted one may answer
 * either copy.
 *
 * <p>So a lost datagram costs a few round trips rather than a fixed timeout, while a cluster that
 * does not answer (a view change) is asked again at most every {@code ceiling}. Pure: the caller
 * measures the round trips.
 */
public final class RetryTimeout {

    /**
     * The shortest timeout, and the clock granularity {@code G} added to {@code SRTT}: a timer of
     * Vert.x fires in whole milliseconds, and on a loaded machine late; with less, a steady round
     * trip of microseconds (RTTVAR near 0) would retry every reply that a scheduler hiccup delays.
     */
    public static final long FLOOR_NANOS = 1_000_000;

    // RFC 6298, section 2: alpha = 1/8, beta = 1/4, K = 4.
    private static final int ALPHA_SHIFT = 3;
    private static final int BETA_SHIFT = 2;
    private static final int K = 4;
    /** Doublings beyond which any timeout of at least the floor has reached a ceiling of at most days. */
    private static final int BACKOFF_SHIFT_MAX = 40;

    private final long ceilingNanos;
    private long smoothedNanos = -1;
    private long variationNanos;
    private long samples;

    /** @param ceiling the longest wait before a retransmission, and the wait before the first sample */
    public RetryTimeout(Duration ceiling) {
        Check.that(ceiling.toNanos() >= FLOOR_NANOS, "a retry timeout ceiling of at least 1 ms, not %s", ceiling);
        this.ceilingNanos = ceiling.toNanos();
    }

    /** A round trip measured on a request answered on its first transmission. */
    public void sample(long roundTripNanos) {
        Check.that(roundTripNanos >= 0, "a round trip is not negative: %d ns", roundTripNanos);
        if (smoothedNanos < 0) {
            smoothedNanos = roundTripNanos;
            variationNanos = roundTripNanos / 2;
        } else {
            variationNanos += (Math.abs(smoothedNanos - roundTripNanos) - variationNanos) >> BETA_SHIFT;
            smoothedNanos += (roundTripNanos - smoothedNanos) >> ALPHA_SHIFT;
        }
        samples++;
    }

    /** The wait before retransmission number {@code retransmissions + 1} of a request (0: after its first send). */
    public long timeoutNanos(int retransmissions) {
        Check.that(retransmissions >= 0, "retransmissions are not negative: %d", retransmissions);
        long base = smoothedNanos < 0 ? ceilingNanos
                : Math.min(smoothedNanos + Math.max(FLOOR_NANOS, (long) K * variationNanos), ceilingNanos);
        int shift = Math.min(retransmissions, BACKOFF_SHIFT_MAX);
        return base > ceilingNanos >> shift ? ceilingNanos : base << shift;
    }

    /** {@code SRTT}, -1 before the first sample. */
    public long smoothedNanos() {
        return smoothedNanos;
    }

    /** {@code RTTVAR}, 0 before the first sample. */
    public long variationNanos() {
        return variationNanos;
    }

    /** Round trips sampled so far. */
    public long samples() {
        return samples;
    }
}

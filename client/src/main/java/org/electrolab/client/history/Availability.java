package org.electrolab.client.history;

import java.util.Arrays;

import org.electrolab.client.KvClient.Outcome;
import org.electrolab.client.history.History.Op;

/**
 * How the service looked to its clients over time, from the OK completions of a history. Final
 * reads ({@link Op#finalRead}) are not counted: they are the audit after the workload, not service.
 * Times are those of the history (see {@link History} on which clock).
 */
public final class Availability {
    private Availability() {}

    /**
     * Throughput over time: element {@code i} counts the OK operations that completed in
     * {@code [first + i * bucketNanos, first + (i + 1) * bucketNanos)}, where {@code first} is the
     * earliest invocation of the history. Empty for a history without operations.
     */
    public static long[] timeline(History history, long bucketNanos) {
        if (bucketNanos < 1) throw new IllegalArgumentException("bucket of " + bucketNanos + " ns; use at least 1");
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (Op op : history.ops()) {
            if (op.finalRead) continue;
            first = Math.min(first, op.invokeNanos);
            if (op.outcome() == Outcome.OK) last = Math.max(last, op.completeNanos());
        }
        if (first == Long.MAX_VALUE) return new long[0];
        long[] buckets = new long[last < first ? 1 : (int) ((last - first) / bucketNanos) + 1];
        for (Op op : history.ops()) {
            if (!op.finalRead && op.outcome() == Outcome.OK) buckets[(int) ((op.completeNanos() - first) / bucketNanos)]++;
        }
        return buckets;
    }

    /**
     * The longest stretch of time inside {@code [faultNanos, endNanos]} in which no operation
     * completed OK. A stretch is bounded by consecutive OK completions, by {@code faultNanos} (the
     * first stretch runs from the fault to the first OK completion after it) and by
     * {@code endNanos} (the last runs from the last OK completion to the end). So it is the maximum
     * of: first OK completion after the fault minus {@code faultNanos}; the largest gap between
     * consecutive OK completions after the fault; {@code endNanos} minus the last OK completion.
     * Completions after {@code endNanos} are not seen; with none in the window the answer is
     * {@code endNanos - faultNanos}.
     *
     * <p>With a fault injected at {@code faultNanos} this is how long the cluster was unavailable
     * because of it, provided clients kept asking all along (a closed-loop workload does).
     */
    public static long unavailableNanos(History history, long faultNanos, long endNanos) {
        if (endNanos < faultNanos) throw new IllegalArgumentException("window ends (" + endNanos + ") before the fault (" + faultNanos + ")");
        long[] completions = history.ops().stream()
                .filter(op -> !op.finalRead && op.outcome() == Outcome.OK)
                .mapToLong(Op::completeNanos)
                .filter(t -> t >= faultNanos && t <= endNanos)
                .toArray();
        Arrays.sort(completions);
        long longest = 0;
        long previous = faultNanos;
        for (long t : completions) {
            longest = Math.max(longest, t - previous);
            previous = t;
        }
        return Math.max(longest, endNanos - previous);
    }
}

package org.electrolab.lab.faults;

import java.util.List;

import org.electrolab.client.KvClient.Outcome;
import org.electrolab.client.history.History;

/**
 * What a fault did to the service, as rates: the operations completed OK per second in the
 * {@code before} window right up to the fault (the reference), and the rates during the fault and
 * after healing as percentages of it, all from a run's per-interval counts ({@link FaultRun#timeline}:
 * only intervals wholly inside a window count). Unlike the longest gap ({@code unavailableMillis}),
 * a trickle of completions cannot hide a collapse here.
 *
 * @param preFaultOpsPerSec OK completions per second in the {@code before} window that ends at the fault
 * @param preFaultDriftPercent the second half of that window's rate minus the first half's, in percent
 *     of the window's rate: near 0 when the reference is steady; far from 0 (a client still warming
 *     up, a cluster still catching up) makes every percentage of the run doubtful
 * @param duringPercent the rate from injection to healing, in percent of {@code preFaultOpsPerSec}
 * @param afterPercent the rate from healing to the end of the load, in percent of {@code preFaultOpsPerSec}
 * @param p99DuringMillis the 99th percentile latency of the operations invoked during the fault, in
 *     ms; an operation never answered counts as the time its client waited before giving up
 * Each of the last three is null when its window holds no whole interval or no operation.
 */
public record Goodput(double preFaultOpsPerSec, double preFaultDriftPercent, Double duringPercent, Double afterPercent,
                      Double p99DuringMillis) {

    /** Drift beyond this, either way, and the report marks the run's reference as not steady. */
    public static final double STEADY_DRIFT_PERCENT = 20;
    /**
     * A rate after healing this much above the reference (in percent) marks it as not steady too:
     * the service was still speeding up when the fault came (a client JVM warming up on a loaded
     * machine ramps for longer than {@code settle}), so the reference understates it.
     */
    public static final double STEADY_AFTER_PERCENT_MAX = 150;

    /** Whether the reference looks like the steady rate: flat across its halves, and not far below the rate after healing. */
    public boolean steady() {
        return Math.abs(preFaultDriftPercent) <= STEADY_DRIFT_PERCENT && (afterPercent == null || afterPercent <= STEADY_AFTER_PERCENT_MAX);
    }

    /**
     * From a run's timeline (OK completions per {@code bucketSeconds}, from the first invocation),
     * the fault's injection and healing times on the same scale, and the length of the reference
     * window. The last interval of the timeline is cut short by the end of the load, so it is left
     * out. Null when the reference window holds no whole interval or no completion.
     */
    public static Goodput of(List<Long> timeline, double bucketSeconds, double faultAtSeconds, double healAtSeconds,
                             double beforeSeconds, Double p99DuringMillis) {
        int whole = timeline.size() - 1;
        double preStart = Math.max(0, faultAtSeconds - beforeSeconds);
        double preMid = (preStart + faultAtSeconds) / 2;
        Window first = Window.of(timeline, whole, bucketSeconds, preStart, preMid);
        Window second = Window.of(timeline, whole, bucketSeconds, preMid, faultAtSeconds);
        Window pre = Window.of(timeline, whole, bucketSeconds, preStart, faultAtSeconds);
        if (pre.buckets == 0 || pre.completed == 0) return null;
        double reference = pre.rate(bucketSeconds);
        double drift = first.buckets == 0 || second.buckets == 0 ? 0
                : 100 * (second.rate(bucketSeconds) - first.rate(bucketSeconds)) / reference;
        Window during = Window.of(timeline, whole, bucketSeconds, faultAtSeconds, healAtSeconds);
        Window after = Window.of(timeline, whole, bucketSeconds, healAtSeconds, whole * bucketSeconds);
        return new Goodput(round(reference), round(drift), percent(during, bucketSeconds, reference),
                percent(after, bucketSeconds, reference), p99DuringMillis);
    }

    /**
     * The 99th percentile (nearest rank) of the latency of the operations of {@code history}
     * invoked in {@code [fromNanos, toNanos)}, in ms, an operation never answered counting as
     * {@code giveUpNanos}; final reads are not service and do not count. Null when none was invoked.
     */
    public static Double p99Millis(History history, long fromNanos, long toNanos, long giveUpNanos) {
        long[] latencies = history.ops().stream()
                .filter(op -> !op.finalRead && op.invokeNanos >= fromNanos && op.invokeNanos < toNanos)
                .mapToLong(op -> op.outcome() == Outcome.UNKNOWN ? giveUpNanos : op.completeNanos() - op.invokeNanos)
                .sorted().toArray();
        if (latencies.length == 0) return null;
        return round(latencies[(int) Math.ceil(0.99 * latencies.length) - 1] / 1e6);
    }

    private static Double percent(Window w, double bucketSeconds, double reference) {
        return w.buckets == 0 ? null : round(100 * w.rate(bucketSeconds) / reference);
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    /** The whole intervals of a timeline inside {@code [from, to)} seconds, among its first {@code whole}. */
    private record Window(int buckets, long completed) {
        static Window of(List<Long> timeline, int whole, double bucketSeconds, double from, double to) {
            // A bucket i spans [i, i + 1) * bucketSeconds; the small slack absorbs rounding of the times.
            int first = (int) Math.ceil(from / bucketSeconds - 1e-9);
            int last = Math.min(whole, (int) Math.floor(to / bucketSeconds + 1e-9));
            if (last <= first) return new Window(0, 0);
            return new Window(last - first, timeline.subList(first, last).stream().mapToLong(Long::longValue).sum());
        }

        double rate(double bucketSeconds) {
            return completed / (buckets * bucketSeconds);
        }
    }
}

package org.electrolab.client;

import java.time.Duration;
import java.util.function.Consumer;

import org.HdrHistogram.Histogram;

/**
 * A run cut into intervals of {@link #LENGTH}, and at the end of the warmup and of the load, so no
 * interval mixes phases: each interval's completed requests, latencies, errors and
 * retransmissions, handed to a listener as soon as it ends. What {@code electrolab client} prints
 * each second, writes to its interval log and to its stats file. An answer belongs to the interval
 * its reply time falls in, so the measured intervals add up to the run's figures. Runs on the
 * socket's context only, like everything that records into it.
 */
public final class Intervals {
    public static final Duration LENGTH = Duration.ofSeconds(1);

    public enum Phase {
        WARMUP("warmup"), MEASURED("measured"), FINAL_READS("final-reads");

        /** How the progress line, the interval log's tags and the stats file name it. */
        public final String label;

        Phase(String label) {
            this.label = label;
        }
    }

    /**
     * One finished interval.
     *
     * @param startNanos, endNanos {@link System#nanoTime()} at its start and end
     * @param startSeconds its start, in seconds from the run's start
     * @param completed answered requests (for a checked workload: calls answered OK or FAIL)
     * @param errors app errors and undecodable datagrams
     * @param timeouts retransmissions: requests sent again to every member after the client's timeout
     * @param unknown checked workload: calls given up on without an answer (their outcome is unknown)
     * @param latencyMicros the latencies of {@code completed}, first transmission to reply
     * @param view the highest view a reply named so far
     */
    public record Interval(Phase phase, long startNanos, long endNanos, double startSeconds, long completed, long errors,
                           long timeouts, long unknown, Histogram latencyMicros, long view, String leader) {
        public double lengthSeconds() {
            return (endNanos - startNanos) / 1e9;
        }

        public double opsPerSec() {
            double seconds = lengthSeconds();
            return seconds > 0 ? completed / seconds : 0;
        }

        public long p50Micros() {
            return latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getValueAtPercentile(50);
        }

        public long p99Micros() {
            return latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getValueAtPercentile(99);
        }
    }

    /** Does nothing with an interval: a run nobody watches. */
    public static final Consumer<Interval> IGNORED = interval -> {};

    private final ClientSocket socket;
    private final long runStartNanos;
    private final long warmupEndNanos;
    private final long loadEndNanos;
    private final Consumer<Interval> listener;
    private long startNanos;
    private long endNanos;
    private Phase phase;
    private Histogram latency = new Histogram(3);
    private long completed;
    private long errors;
    private long unknown;
    private long retransmissionsAtStart;
    private long undecodableAtStart;
    private long timerId = -1;
    private boolean finished;

    /**
     * Intervals of a run on {@code socket} from {@code runStartNanos}: warmup until
     * {@code warmupEndNanos} (equal to the start for a run without warmup), measured until
     * {@code loadEndNanos}, final reads after it. Call on the socket's context.
     */
    public static Intervals of(ClientSocket socket, long runStartNanos, long warmupEndNanos, long loadEndNanos,
                               Consumer<Interval> listener) {
        return new Intervals(socket, runStartNanos, warmupEndNanos, loadEndNanos, listener);
    }

    private Intervals(ClientSocket socket, long runStartNanos, long warmupEndNanos, long loadEndNanos, Consumer<Interval> listener) {
        this.socket = socket;
        this.runStartNanos = runStartNanos;
        this.warmupEndNanos = warmupEndNanos;
        this.loadEndNanos = loadEndNanos;
        this.listener = listener;
        open(runStartNanos);
        schedule();
    }

    /** A reply at {@code nanos}: completed with {@code latencyMicros}. */
    public void completed(long nanos, long latencyMicros) {
        advanceTo(nanos);
        completed++;
        latency.recordValue(Math.max(0, latencyMicros));
    }

    public void error(long nanos) {
        advanceTo(nanos);
        errors++;
    }

    public void unknown(long nanos) {
        advanceTo(nanos);
        unknown++;
    }

    /** The run ended at {@code nanos}: the intervals up to it, then the last, shorter one. */
    public void finish(long nanos) {
        if (finished) return;
        advanceTo(nanos);
        if (nanos - startNanos > 0 || completed + errors + unknown > 0) close(nanos);
        finished = true;
        if (timerId >= 0) socket.vertx().cancelTimer(timerId);
    }

    private void schedule() {
        long delayMillis = Math.max(1, (endNanos - System.nanoTime()) / 1_000_000 + 1);
        timerId = socket.vertx().setTimer(delayMillis, id -> {
            timerId = -1;
            if (finished) return;
            advanceTo(System.nanoTime());
            schedule();
        });
    }

    private void advanceTo(long nanos) {
        while (!finished && nanos - endNanos >= 0) {
            long end = endNanos;
            close(end);
            open(end);
        }
    }

    private void open(long start) {
        long next = runStartNanos + ((start - runStartNanos) / LENGTH.toNanos() + 1) * LENGTH.toNanos();
        if (start - warmupEndNanos < 0 && next - warmupEndNanos > 0) next = warmupEndNanos;
        if (start - loadEndNanos < 0 && next - loadEndNanos > 0) next = loadEndNanos;
        endNanos = next;
        phase = start - warmupEndNanos < 0 ? Phase.WARMUP : start - loadEndNanos < 0 ? Phase.MEASURED : Phase.FINAL_READS;
        reset(start);
    }

    /** An empty interval from {@code start}. */
    private void reset(long start) {
        startNanos = start;
        latency = new Histogram(3);
        completed = 0;
        errors = 0;
        unknown = 0;
        retransmissionsAtStart = socket.retransmissions();
        undecodableAtStart = socket.undecodable();
    }

    private void close(long end) {
        long undecodable = socket.undecodable() - undecodableAtStart;
        Interval interval = new Interval(phase, startNanos, end, (startNanos - runStartNanos) / 1e9, completed, errors + undecodable,
                socket.retransmissions() - retransmissionsAtStart, unknown, latency, socket.view(),
                ClusterEndpoints.describe(socket.leaderAddress()));
        listener.accept(interval);
        reset(end);
    }
}

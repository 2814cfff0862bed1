package org.electrolab.client.history;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.electrolab.client.KvClient;
import org.electrolab.client.KvClient.Outcome;
import org.electrolab.protocol.Kv;

/**
 * Every kv operation the clients invoked, with when it was invoked and when (if ever) its result
 * arrived: what {@link LinearizabilityChecker}, {@link LostWrites} and {@link Availability} judge.
 *
 * <p>Times are in nanoseconds of one monotonic clock. A real run records {@link System#nanoTime()}
 * of the client process, which on Linux is {@code CLOCK_MONOTONIC}: one clock for every process on
 * the machine, so times of a history can be compared with fault times taken by another process
 * there (never with another machine's). The simulator records a logical event counter instead, so
 * "a completed before b was invoked" is exact even inside one tick. The checkers need only that
 * later events have larger times.
 *
 * <p>Built from one thread; not thread-safe.
 */
public final class History {

    /** Completion time of an operation whose outcome is unknown: it may take effect at any later point or never. */
    public static final long NEVER = Long.MAX_VALUE;

    /**
     * One operation. While its outcome is {@link Outcome#UNKNOWN} its {@link #result()} is null and
     * it completes at {@link #NEVER}. {@code OK} took effect (a get that found nothing is OK with
     * status NOT_FOUND), {@code FAIL} did not (a CAS that found another value, a rejected request).
     */
    public static final class Op {
        public final int id;
        public final long clientId;
        public final long requestNumber;
        public final Kv.Command command;
        public final long invokeNanos;
        /** A read of the workload's final phase, made after every other operation had finished. */
        public final boolean finalRead;
        private long completeNanos = NEVER;
        private Outcome outcome = Outcome.UNKNOWN;
        private Kv.Result result;
        private String label;

        Op(int id, long clientId, long requestNumber, Kv.Command command, long invokeNanos, boolean finalRead) {
            this.id = id;
            this.clientId = clientId;
            this.requestNumber = requestNumber;
            this.command = command;
            this.invokeNanos = invokeNanos;
            this.finalRead = finalRead;
        }

        public long completeNanos() { return completeNanos; }

        public Outcome outcome() { return outcome; }

        public Kv.Result result() { return result; }

        public boolean completed() { return outcome != Outcome.UNKNOWN; }

        /** Free text shown with the op in explanations, e.g. the simulator's ticks; null when none. */
        public String label() { return label; }

        public void label(String label) { this.label = label; }

        /** True when the operation writes (put, or a cas that succeeded or whose outcome is unknown). */
        public boolean mayWrite() {
            return switch (command) {
                case Kv.Get g -> false;
                case Kv.Put p -> outcome != Outcome.FAIL;
                case Kv.Cas c -> outcome == Outcome.UNKNOWN || result.status() == Kv.Status.OK;
            };
        }

        /** The value this operation writes when it writes. */
        public String writtenValue() {
            return switch (command) {
                case Kv.Get g -> null;
                case Kv.Put p -> p.value();
                case Kv.Cas c -> c.value();
            };
        }

        @Override
        public String toString() {
            String shown = result == null ? "?" : result.status() + (result.value() == null ? "" : " " + result.value());
            String done = completeNanos == NEVER ? "never" : "t" + completeNanos;
            return "#" + id + (finalRead ? " final read" : "") + " client " + Long.toUnsignedString(clientId, 16)
                    + " n=" + requestNumber + " " + describe(command) + " -> " + shown + " [t" + invokeNanos + " .. " + done + "]"
                    + (label == null ? "" : " (" + label + ")");
        }

        static String describe(Kv.Command c) {
            return switch (c) {
                case Kv.Get g -> "get(" + g.key() + ")";
                case Kv.Put p -> "put(" + p.key() + "=" + p.value() + ")";
                case Kv.Cas s -> "cas(" + s.key() + ": " + s.expected() + "->" + s.value() + ")";
            };
        }
    }

    private final List<Op> ops = new ArrayList<>();

    public Op invoke(long clientId, long requestNumber, Kv.Command command, long invokeNanos) {
        return invoke(clientId, requestNumber, command, invokeNanos, false);
    }

    public Op invoke(long clientId, long requestNumber, Kv.Command command, long invokeNanos, boolean finalRead) {
        if (invokeNanos == NEVER) throw new IllegalArgumentException("invocation at NEVER for " + Op.describe(command));
        Op op = new Op(ops.size(), clientId, requestNumber, command, invokeNanos, finalRead);
        ops.add(op);
        return op;
    }

    /** The op got {@code result}: OK when the app did what was asked (NOT_FOUND for a get), else FAIL. */
    public void complete(Op op, Kv.Result result, long completeNanos) {
        boolean ok = result.status() == Kv.Status.OK || result.status() == Kv.Status.NOT_FOUND;
        complete(op, ok ? Outcome.OK : Outcome.FAIL, result, completeNanos);
    }

    public void complete(Op op, Outcome outcome, Kv.Result result, long completeNanos) {
        if (op.completed()) throw new IllegalStateException("op " + op + " completed twice");
        if (outcome == Outcome.UNKNOWN || result == null) throw new IllegalArgumentException("completing " + op + " needs an outcome and a result");
        if (completeNanos < op.invokeNanos || completeNanos == NEVER) {
            throw new IllegalArgumentException("completion at " + completeNanos + " for " + op);
        }
        op.outcome = outcome;
        op.result = result;
        op.completeNanos = completeNanos;
    }

    /** Records a finished client call; an UNKNOWN one stays incomplete (its give-up time is not a completion). */
    public Op record(KvClient.Call call, boolean finalRead) {
        Op op = invoke(call.clientId(), call.requestNumber(), call.command(), call.invokeNanos(), finalRead);
        if (call.outcome() != Outcome.UNKNOWN) complete(op, call.outcome(), call.result(), call.completeNanos());
        return op;
    }

    public List<Op> ops() {
        return Collections.unmodifiableList(ops);
    }
}

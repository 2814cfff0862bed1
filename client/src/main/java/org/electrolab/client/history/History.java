package org.electrolab.replica.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.electrolab.protocol.Kv;

/**
 * Every kv operation the clients invoked, with when it was invoked and when (if ever) its result
 * arrived. Times are a logical event counter, so "a completed before b was invoked" is exact even
 * inside one tick; ticks are kept for reading traces.
 */
public final class History {

    /** Completion time of an operation whose outcome is unknown: it may take effect at any later point or never. */
    public static final long NEVER = Long.MAX_VALUE;

    /** One operation. {@link #result} is null while the outcome is unknown. */
    public static final class Op {
        public final int id;
        public final long clientId;
        public final long requestNumber;
        public final Kv.Command command;
        public final long invokeTime;
        public final long invokeTick;
        private long completeTime = NEVER;
        private long completeTick = -1;
        private Kv.Result result;

        Op(int id, long clientId, long requestNumber, Kv.Command command, long invokeTime, long invokeTick) {
            this.id = id;
            this.clientId = clientId;
            this.requestNumber = requestNumber;
            this.command = command;
            this.invokeTime = invokeTime;
            this.invokeTick = invokeTick;
        }

        public long completeTime() { return completeTime; }

        public long completeTick() { return completeTick; }

        public Kv.Result result() { return result; }

        public boolean completed() { return result != null; }

        /** True when the operation writes (put, or a cas that succeeded or whose outcome is unknown). */
        public boolean mayWrite() {
            return switch (command) {
                case Kv.Get g -> false;
                case Kv.Put p -> true;
                case Kv.Cas c -> result == null || result.status() == Kv.Status.OK;
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
            String outcome = result == null ? "?" : result.status() + (result.value() == null ? "" : " " + result.value());
            String done = result == null ? "never" : "t" + completeTime + "/tick " + completeTick;
            return "#" + id + " client " + clientId + " n=" + requestNumber + " " + describe(command) + " -> " + outcome
                    + " [t" + invokeTime + "/tick " + invokeTick + " .. " + done + "]";
        }

        private static String describe(Kv.Command c) {
            return switch (c) {
                case Kv.Get g -> "get(" + g.key() + ")";
                case Kv.Put p -> "put(" + p.key() + "=" + p.value() + ")";
                case Kv.Cas s -> "cas(" + s.key() + ": " + s.expected() + "->" + s.value() + ")";
            };
        }
    }

    private final List<Op> ops = new ArrayList<>();

    public Op invoke(long clientId, long requestNumber, Kv.Command command, long time, long tick) {
        Op op = new Op(ops.size(), clientId, requestNumber, command, time, tick);
        ops.add(op);
        return op;
    }

    public void complete(Op op, Kv.Result result, long time, long tick) {
        if (op.result != null) throw new IllegalStateException("op " + op + " completed twice");
        if (time < op.invokeTime || time == NEVER) throw new IllegalArgumentException("completion at " + time + " for " + op);
        op.result = result;
        op.completeTime = time;
        op.completeTick = tick;
    }

    public List<Op> ops() {
        return Collections.unmodifiableList(ops);
    }
}

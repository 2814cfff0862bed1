package org.electrolab.client.history;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.electrolab.protocol.Kv;
import org.electrolab.client.history.History.Op;

/**
 * Decides whether a kv history is linearizable: is there one order of the operations, consistent
 * with real time (an operation that completed before another was invoked comes first), in which
 * every result is what a single register per key would have returned?
 *
 * <p>The search is Wing &amp; Gong's with Lowe's memoisation, as in Porcupine: walk the events in
 * time order, try to linearize each pending call, backtrack at a return whose call could not be
 * placed, and never revisit a (set of linearized ops, register value) pair. Keys are independent
 * registers and linearizability is compositional (Herlihy &amp; Wing), so each key is checked on
 * its own, which keeps the searches small.
 *
 * <p>An operation whose outcome is unknown (the client never got a reply) completes at
 * {@link History#NEVER}: it may take effect at any point after its invocation, and placing it
 * after everything else is the same as it never taking effect.
 */
public final class LinearizabilityChecker {

    /** The outcome: {@code ok}, or the first key without a linearization and why. */
    public record Result(boolean ok, String key, String explanation) {
        static final Result OK = new Result(true, null, "linearizable");
    }

    private final long stepBudget;

    public LinearizabilityChecker() {
        this(20_000_000);
    }

    /** {@code stepBudget}: search steps per key before giving up (reported as a failure, never as a pass). */
    public LinearizabilityChecker(long stepBudget) {
        this.stepBudget = stepBudget;
    }

    public Result check(History history) {
        Map<String, List<Op>> byKey = new LinkedHashMap<>();
        for (Op op : history.ops()) {
            // A read whose outcome is unknown constrains nothing.
            if (!op.completed() && op.command instanceof Kv.Get) continue;
            byKey.computeIfAbsent(op.command.key(), k -> new ArrayList<>()).add(op);
        }
        for (Map.Entry<String, List<Op>> e : byKey.entrySet()) {
            Result r = checkKey(e.getKey(), e.getValue());
            if (!r.ok()) return r;
        }
        return Result.OK;
    }

    /** One call or return event in the doubly linked list the search lifts entries out of. */
    private static final class Node {
        final Op op;
        final int index;
        final boolean call;
        final long time;
        Node match;
        Node prev, next;

        Node(Op op, int index, boolean call, long time) {
            this.op = op;
            this.index = index;
            this.call = call;
            this.time = time;
        }
    }

    private record Frame(Node call, String state) {}

    private record Seen(BitSet linearized, String state) {}

    private Result checkKey(String key, List<Op> ops) {
        List<Node> events = new ArrayList<>(2 * ops.size());
        for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            Node call = new Node(op, i, true, op.invokeNanos);
            Node ret = new Node(op, i, false, op.completeNanos());
            call.match = ret;
            events.add(call);
            events.add(ret);
        }
        // At equal times calls come first: such operations count as concurrent, never as ordered.
        events.sort(Comparator.comparingLong((Node n) -> n.time).thenComparing(n -> !n.call).thenComparingInt(n -> n.index));
        Node head = new Node(null, -1, false, Long.MIN_VALUE);
        Node last = head;
        for (Node n : events) {
            last.next = n;
            n.prev = last;
            last = n;
        }

        Set<Seen> seen = new HashSet<>();
        Deque<Frame> calls = new ArrayDeque<>();
        BitSet linearized = new BitSet(ops.size());
        String state = null;
        Node entry = head.next;
        int deepest = -1;
        Node stuckAt = null;
        long steps = 0;
        while (head.next != null) {
            if (++steps > stepBudget) {
                return new Result(false, key, "search gave up after " + stepBudget + " steps on " + ops.size()
                        + " ops of key '" + key + "' (too much concurrency to decide)");
            }
            if (entry.call) {
                Step step = step(state, entry.op);
                if (step != null) {
                    BitSet next = (BitSet) linearized.clone();
                    next.set(entry.index);
                    if (seen.add(new Seen(next, step.state))) {
                        calls.push(new Frame(entry, state));
                        state = step.state;
                        linearized.set(entry.index);
                        lift(entry);
                        entry = head.next;
                        continue;
                    }
                }
                entry = entry.next;
            } else {
                int depth = calls.size();
                if (depth > deepest) {
                    deepest = depth;
                    stuckAt = entry;
                }
                if (calls.isEmpty()) return new Result(false, key, explain(key, ops, deepest, stuckAt.op));
                Frame frame = calls.pop();
                entry = frame.call;
                state = frame.state;
                linearized.clear(entry.index);
                unlift(entry);
                entry = entry.next;
            }
        }
        return Result.OK;
    }

    private static void lift(Node call) {
        call.prev.next = call.next;
        call.next.prev = call.prev;
        Node ret = call.match;
        ret.prev.next = ret.next;
        if (ret.next != null) ret.next.prev = ret.prev;
    }

    private static void unlift(Node call) {
        Node ret = call.match;
        ret.prev.next = ret;
        if (ret.next != null) ret.next.prev = ret;
        call.prev.next = call;
        call.next.prev = call;
    }

    private record Step(String state) {}

    /** The register after {@code op} when its recorded result is possible from {@code state}, else null. */
    static Step step(String state, Op op) {
        Kv.Result r = op.result();
        return switch (op.command) {
            case Kv.Get g -> {
                if (r == null) yield new Step(state);
                if (r.status() == Kv.Status.OK) yield state != null && state.equals(r.value()) ? new Step(state) : null;
                if (r.status() == Kv.Status.NOT_FOUND) yield state == null ? new Step(state) : null;
                yield null;
            }
            case Kv.Put p -> r == null || r.status() == Kv.Status.OK ? new Step(p.value()) : null;
            case Kv.Cas c -> {
                boolean matches = Objects.equals(state, c.expected());
                if (r == null) yield new Step(matches ? c.value() : state);
                if (r.status() == Kv.Status.OK) yield matches ? new Step(c.value()) : null;
                if (r.status() == Kv.Status.CAS_FAILED) yield !matches && Objects.equals(state, r.value()) ? new Step(state) : null;
                yield null;
            }
        };
    }

    private static String explain(String key, List<Op> ops, int linearized, Op stuck) {
        StringBuilder b = new StringBuilder();
        b.append("key '").append(key).append("' is not linearizable: at most ").append(linearized)
                .append(" of its ").append(ops.size()).append(" ops fit a legal order before op #").append(stuck.id)
                .append(" had to complete:\n  ").append(stuck).append("\nops overlapping it or just before it:");
        List<Op> near = new ArrayList<>();
        for (Op op : ops) {
            boolean overlaps = op.invokeNanos <= stuck.completeNanos() && op.completeNanos() >= stuck.invokeNanos;
            if (overlaps) near.add(op);
        }
        List<Op> before = new ArrayList<>();
        for (Op op : ops) if (op.completeNanos() < stuck.invokeNanos) before.add(op);
        before.sort(Comparator.comparingLong(Op::completeNanos));
        near.addAll(0, before.subList(Math.max(0, before.size() - 5), before.size()));
        near.sort(Comparator.comparingLong(o -> o.invokeNanos));
        int shown = 0;
        for (Op op : near) {
            if (shown++ == 20) {
                b.append("\n  ...");
                break;
            }
            b.append("\n  ").append(op);
        }
        return b.toString();
    }
}

package org.electrolab.replica.sim;

import java.util.function.IntFunction;

/**
 * The last events of a run, kept cheaply (an object per event, formatted only when a run fails) so
 * a failure can show what led to it.
 */
final class Trace {

    /** {@code from}/{@code to} are network nodes, -1 where the event has none. */
    record Event(long tick, String what, int from, int to, Object detail) {
        String format(IntFunction<String> nodeNames) {
            String route = from < 0 ? "" : to < 0 ? nodeNames.apply(from) : nodeNames.apply(from) + "->" + nodeNames.apply(to);
            return String.format("%6d %-9s %-8s %s", tick, what, route, detail == null ? "" : detail);
        }
    }

    private final Event[] ring;
    private long count;

    Trace(int capacity) {
        ring = new Event[capacity];
    }

    void add(long tick, String what, int from, int to, Object detail) {
        ring[(int) (count++ % ring.length)] = new Event(tick, what, from, to, detail);
    }

    String tail(int events, IntFunction<String> nodeNames) {
        StringBuilder b = new StringBuilder();
        long first = Math.max(0, count - Math.min(events, ring.length));
        for (long i = first; i < count; i++) {
            b.append("  ").append(ring[(int) (i % ring.length)].format(nodeNames)).append('\n');
        }
        return b.toString();
    }
}

package org.electrolab.replica.core;

import java.util.ArrayList;
import java.util.List;

import org.electrolab.protocol.Check;
import org.electrolab.protocol.Message.Entry;

/** The replicated log: op numbers start at 1, op 0 is the empty log. Held in memory. */
final class Log {

    private final List<Entry> entries = new ArrayList<>();

    long op() {
        return entries.size();
    }

    Entry entry(long op) {
        Check.that(op >= 1 && op <= op(), "op %d in log of %d", op, op());
        return entries.get((int) (op - 1));
    }

    void append(Entry entry) {
        entries.add(entry);
    }

    /** Drops every op after {@code op}. */
    void truncate(long op) {
        Check.that(op >= 0 && op <= op(), "truncate to %d in log of %d", op, op());
        entries.subList((int) op, entries.size()).clear();
    }
}

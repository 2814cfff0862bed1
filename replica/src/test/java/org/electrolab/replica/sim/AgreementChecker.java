package org.electrolab.replica.sim;

import java.util.ArrayList;
import java.util.List;

import org.electrolab.protocol.Message.Entry;

/**
 * Replicas agree on the log: whenever any replica holds op {@code n} as committed, every other
 * replica that ever holds op {@code n} as committed holds the same entry (VR Revisited, section 4:
 * committed ops survive view changes and recoveries unchanged). Fed incrementally, so replicas that
 * later crash are judged too.
 */
public final class AgreementChecker {

    private final List<Entry> committed = new ArrayList<>();
    private final List<String> firstHolder = new ArrayList<>();

    /** Replica {@code who} holds {@code entry} as committed op {@code op} (1-based). */
    public void committed(String who, long op, Entry entry) {
        if (op < 1) throw new IllegalArgumentException("op " + op);
        if (op <= committed.size()) {
            Entry known = committed.get((int) (op - 1));
            if (!known.equals(entry)) {
                throw new Violation("agreement", who + " committed op " + op + " as " + entry.requests()
                        + " but " + firstHolder.get((int) (op - 1)) + " committed it as " + known.requests());
            }
            return;
        }
        if (op != committed.size() + 1) {
            throw new IllegalArgumentException("committed ops are reported in order: expected op "
                    + (committed.size() + 1) + ", got " + op + " from " + who);
        }
        committed.add(entry);
        firstHolder.add(who);
    }

    /** The highest op any replica has reported as committed. */
    public long highestCommitted() {
        return committed.size();
    }
}

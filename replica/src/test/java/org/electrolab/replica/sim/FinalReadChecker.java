package org.electrolab.replica.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.electrolab.client.history.History;
import org.electrolab.client.history.History.Op;
import org.electrolab.protocol.Kv;

/**
 * No acknowledged write is lost: a read issued after the cluster went quiet returns the value of a
 * write that no acknowledged write strictly follows in real time. Linearizability implies this; this
 * check exists because its failure message names the lost write directly.
 */
public final class FinalReadChecker {
    private FinalReadChecker() {}

    /** Null when every final read is fine, else what went wrong. */
    public static String check(History history, List<Op> finalReads) {
        for (Op read : finalReads) {
            if (!read.completed()) return "final read never completed: " + read;
            String key = read.command.key();
            List<Op> writes = new ArrayList<>();
            for (Op op : history.ops()) {
                if (op != read && op.command.key().equals(key) && op.mayWrite()) writes.add(op);
            }
            String value = read.result().status() == Kv.Status.OK ? read.result().value() : null;
            if (value == null) {
                for (Op w : writes) {
                    if (w.completed() && w.completeNanos() < read.invokeNanos) {
                        return "acknowledged write lost: " + w + "\n  but the final read found nothing: " + read;
                    }
                }
                continue;
            }
            Op latest = latestAcknowledged(writes, read);
            boolean explained = false;
            for (Op w : writes) {
                if (!Objects.equals(w.writtenValue(), value) || w.invokeNanos > read.completeNanos()) continue;
                if (latest == null || latest.invokeNanos <= w.completeNanos()) {
                    explained = true;
                    break;
                }
            }
            if (!explained) {
                return "final read " + read + "\n  returned a value no surviving write wrote; last acknowledged write: " + latest;
            }
        }
        return null;
    }

    /** The acknowledged write before {@code read} that was invoked last: every surviving value is at least as new. */
    private static Op latestAcknowledged(List<Op> writes, Op read) {
        Op latest = null;
        for (Op w : writes) {
            if (w.completed() && w.completeNanos() < read.invokeNanos && (latest == null || w.invokeNanos > latest.invokeNanos)) {
                latest = w;
            }
        }
        return latest;
    }
}

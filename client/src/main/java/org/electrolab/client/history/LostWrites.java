package org.electrolab.client.history;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.electrolab.client.KvClient.Outcome;
import org.electrolab.client.history.History.Op;
import org.electrolab.protocol.Kv;

/**
 * Is every acknowledged write still readable at the end? Judged from the final reads of a history
 * ({@link Op#finalRead}), made after every other operation had finished.
 *
 * <p>Values are unique per write, so the write behind the final value of a key is known. An
 * acknowledged (OK) put or cas {@code W} of key {@code k} is <b>lost</b> when
 * <ul>
 *   <li>the final read of {@code k} found nothing, or a value no operation wrote, or</li>
 *   <li>the final value was written by an operation that completed before {@code W} was invoked:
 *       {@code W} came strictly later in real time, so it must have overwritten that value.</li>
 * </ul>
 * A final value written by an operation that overlapped {@code W}, or whose outcome is unknown, may
 * legally have come after {@code W}, so {@code W} is not lost. When no final read of {@code k} came
 * back OK (every attempt timed out), its acknowledged writes are <b>unverified</b>, not lost.
 *
 * <p>Linearizability of the whole history implies no loss; this check exists because its answer
 * names the lost writes and counts them, and it is cheap on histories too large to search.
 */
public final class LostWrites {
    private LostWrites() {}

    /**
     * One lost write.
     *
     * @param finalRead the read that should have seen it (or a later write)
     * @param finalWriter the op that wrote the value the final read found; null when nothing or an unknown value was found
     */
    public record Loss(Op write, Op finalRead, Op finalWriter) {
        @Override
        public String toString() {
            String found = finalWriter != null ? "written by " + finalWriter + ", which completed before it was invoked"
                    : finalRead.result().status() == Kv.Status.NOT_FOUND ? "nothing" : "a value no operation wrote";
            return "acknowledged write lost: " + write + "\n    final read " + finalRead + "\n    found " + found;
        }
    }

    /**
     * @param lost acknowledged writes that the final reads show were lost (must be empty)
     * @param unverified acknowledged writes whose key no final read answered
     */
    public record Result(List<Loss> lost, List<Op> unverified) {
        public Result {
            lost = List.copyOf(lost);
            unverified = List.copyOf(unverified);
        }

        public boolean ok() {
            return lost.isEmpty();
        }
    }

    public static Result check(History history) {
        Map<String, List<Op>> acknowledgedByKey = new LinkedHashMap<>();
        Map<String, Op> writerOfValue = new HashMap<>();
        Map<String, Op> finalReadOfKey = new HashMap<>();
        for (Op op : history.ops()) {
            String key = op.command.key();
            if (op.finalRead) {
                // Of several answered final reads of a key, the last one invoked is the final state.
                if (op.command instanceof Kv.Get && op.outcome() == Outcome.OK) {
                    Op previous = finalReadOfKey.get(key);
                    if (previous == null || previous.invokeNanos <= op.invokeNanos) finalReadOfKey.put(key, op);
                }
                continue;
            }
            if (!op.mayWrite()) continue;
            writerOfValue.put(key + "\u0000" + op.writtenValue(), op);
            if (op.outcome() == Outcome.OK) acknowledgedByKey.computeIfAbsent(key, k -> new ArrayList<>()).add(op);
        }
        List<Loss> lost = new ArrayList<>();
        List<Op> unverified = new ArrayList<>();
        for (Map.Entry<String, List<Op>> e : acknowledgedByKey.entrySet()) {
            Op read = finalReadOfKey.get(e.getKey());
            if (read == null) {
                unverified.addAll(e.getValue());
                continue;
            }
            String value = read.result().status() == Kv.Status.OK ? read.result().value() : null;
            Op writer = value == null ? null : writerOfValue.get(e.getKey() + "\u0000" + value);
            for (Op write : e.getValue()) {
                if (write == writer) continue;
                if (writer == null || writer.completeNanos() < write.invokeNanos) lost.add(new Loss(write, read, writer));
            }
        }
        return new Result(lost, unverified);
    }
}

package org.electrolab.client.history;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.electrolab.client.KvClient.Outcome;
import org.electrolab.client.history.History.Op;
import org.electrolab.protocol.Kv;

/**
 * A {@link History} as JSON lines: one operation per line, in id order, so a history can be
 * written by a client process and judged by another (and read with {@code jq}). Fields:
 * <pre>
 * id             0, 1, 2, ... in file order
 * clientId       the client's 64-bit id (signed decimal)
 * requestNumber  the number its request carried
 * op             "get" | "put" | "cas"
 * key            the key
 * value          put, cas: the value written
 * expected       cas: the value it expects (null: the key is absent)
 * invokeNanos    when it was invoked (System.nanoTime() of the client process: CLOCK_MONOTONIC)
 * completeNanos  when its result arrived; null when the outcome is unknown
 * outcome        "OK" | "FAIL" | "UNKNOWN"
 * status         the kv result status ("OK", "NOT_FOUND", "CAS_FAILED", "BAD_REQUEST"); null when unknown
 * result         get: the value read; a failed cas: the value it found; else null
 * finalRead      true for the reads made after the workload stopped
 * label          optional free text
 * </pre>
 */
public final class HistoryFile {
    private HistoryFile() {}

    /** A file that is not a history: the message is one line naming the file, the line and the field. */
    public static final class FormatException extends IOException {
        FormatException(String message) {
            super(message);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FIELDS = Set.of("id", "clientId", "requestNumber", "op", "key", "value", "expected",
            "invokeNanos", "completeNanos", "outcome", "status", "result", "finalRead", "label");

    public static void write(Path file, History history) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        try (BufferedWriter out = Files.newBufferedWriter(file)) {
            for (Op op : history.ops()) {
                out.write(JSON.writeValueAsString(toJson(op)));
                out.newLine();
            }
        }
    }

    static ObjectNode toJson(Op op) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", op.id);
        o.put("clientId", op.clientId);
        o.put("requestNumber", op.requestNumber);
        switch (op.command) {
            case Kv.Get g -> o.put("op", "get").put("key", g.key());
            case Kv.Put p -> o.put("op", "put").put("key", p.key()).put("value", p.value());
            case Kv.Cas c -> o.put("op", "cas").put("key", c.key()).put("expected", c.expected()).put("value", c.value());
        }
        o.put("invokeNanos", op.invokeNanos);
        if (op.completed()) o.put("completeNanos", op.completeNanos());
        else o.putNull("completeNanos");
        o.put("outcome", op.outcome().name());
        o.put("status", op.result() == null ? null : op.result().status().name());
        o.put("result", op.result() == null ? null : op.result().value());
        o.put("finalRead", op.finalRead);
        if (op.label() != null) o.put("label", op.label());
        return o;
    }

    /** Reads a history written by {@link #write}; blank lines are skipped. */
    public static History read(Path file) throws IOException {
        History history = new History();
        try (BufferedReader in = Files.newBufferedReader(file)) {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank()) continue;
                String where = file + " line " + number + ": ";
                try {
                    parse(history, line);
                } catch (JsonProcessingException e) {
                    throw new FormatException(where + "not a JSON object (" + e.getOriginalMessage() + ")");
                } catch (IllegalArgumentException e) {
                    throw new FormatException(where + e.getMessage());
                }
            }
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such history file");
        }
        return history;
    }

    private static void parse(History history, String line) throws JsonProcessingException {
        JsonNode o = JSON.readTree(line);
        if (o == null || !o.isObject()) throw new IllegalArgumentException("not a JSON object; each line holds one operation");
        for (Iterator<String> names = o.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) throw new IllegalArgumentException("unknown field '" + name + "'");
        }
        long id = number(o, "id");
        if (id != history.ops().size()) {
            throw new IllegalArgumentException("id " + id + " where " + history.ops().size() + " was expected (ids count 0, 1, 2, ... in file order)");
        }
        String key = text(o, "key", false);
        Kv.Command command = switch (text(o, "op", false)) {
            case "get" -> new Kv.Get(key);
            case "put" -> new Kv.Put(key, text(o, "value", false));
            case "cas" -> {
                if (!o.has("expected")) throw new IllegalArgumentException("a cas needs field 'expected' (null: the key is absent)");
                yield new Kv.Cas(key, text(o, "expected", true), text(o, "value", false));
            }
            default -> throw new IllegalArgumentException("op '" + o.get("op").asText() + "' is not get, put or cas");
        };
        Outcome outcome = enumValue(Outcome.class, o, "outcome");
        boolean finalRead = o.has("finalRead") && !o.get("finalRead").isNull() && bool(o, "finalRead");
        Op op = history.invoke(number(o, "clientId"), number(o, "requestNumber"), command, number(o, "invokeNanos"), finalRead);
        String label = text(o, "label", true);
        if (label != null) op.label(label);
        if (outcome == Outcome.UNKNOWN) {
            if (o.hasNonNull("completeNanos") || o.hasNonNull("status")) {
                throw new IllegalArgumentException("outcome UNKNOWN with a completeNanos or status; an unknown outcome has neither");
            }
            return;
        }
        Kv.Result result = new Kv.Result(enumValue(Kv.Status.class, o, "status"), text(o, "result", true));
        history.complete(op, outcome, result, number(o, "completeNanos"));
    }

    private static JsonNode field(JsonNode o, String name) {
        JsonNode v = o.get(name);
        if (v == null || v.isNull()) throw new IllegalArgumentException("missing field '" + name + "'");
        return v;
    }

    private static long number(JsonNode o, String name) {
        JsonNode v = field(o, name);
        if (!v.canConvertToLong() || !v.isIntegralNumber()) throw new IllegalArgumentException("field '" + name + "' is " + v + ", not a whole number");
        return v.longValue();
    }

    private static String text(JsonNode o, String name, boolean nullable) {
        JsonNode v = o.get(name);
        if (v == null || v.isNull()) {
            if (nullable) return null;
            throw new IllegalArgumentException("missing field '" + name + "'");
        }
        if (!v.isTextual()) throw new IllegalArgumentException("field '" + name + "' is " + v + ", not a string");
        return v.textValue();
    }

    private static boolean bool(JsonNode o, String name) {
        JsonNode v = field(o, name);
        if (!v.isBoolean()) throw new IllegalArgumentException("field '" + name + "' is " + v + ", not true or false");
        return v.booleanValue();
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, JsonNode o, String name) {
        String text = text(o, name, false);
        try {
            return Enum.valueOf(type, text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("field '" + name + "' is '" + text + "'; use one of " + java.util.Arrays.toString(type.getEnumConstants()));
        }
    }
}

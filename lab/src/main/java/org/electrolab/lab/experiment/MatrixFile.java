package org.electrolab.lab.experiment;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import org.electrolab.lab.scenario.ScenarioFile;
import org.electrolab.protocol.Wire;
import org.electrolab.protocol.config.Offload;

/**
 * Reads and validates a matrix file (docs/experiments.md). Every mistake is reported, each on one
 * line naming the file, the field and the fix; nothing runs from a file that has any.
 */
public final class MatrixFile {
    public static final int REPEATS_MAX = 1000;
    /** What {@code electrolab client --payload-bytes} accepts. */
    public static final int PAYLOAD_BYTES_MAX = Wire.PAYLOAD_SIZE_MAX - 64;

    /** Every key, with the example shown when a required one is missing (optional keys have none). */
    private static final Map<String, String> KEYS = new LinkedHashMap<>();

    static {
        KEYS.put("sizes", "sizes: [3, 5, 7]");
        KEYS.put("offloads", "offloads: [none, tc-broadcast, fast-reply, quorum-prune, all]");
        KEYS.put("clients", "clients: [1, 16]");
        KEYS.put("repeats", "repeats: 3");
        KEYS.put("warmup", "warmup: 5s");
        KEYS.put("duration", "duration: 20s");
        KEYS.put("app", "app: null");
        KEYS.put("payload-bytes", "payload-bytes: 64");
        KEYS.put("cluster-id", "");
        KEYS.put("port", "");
    }

    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m)");

    private MatrixFile() {}

    public static Matrix load(Path path) throws MatrixException {
        String source = path.toString();
        try {
            return parse(Files.readString(path, StandardCharsets.UTF_8), source, nameOf(path));
        } catch (NoSuchFileException e) {
            throw new MatrixException(List.of(source + ": file not found; pass the path of a matrix file,"
                    + " e.g. experiments/matrix.yaml"));
        } catch (IOException e) {
            throw new MatrixException(List.of(source + ": cannot read (" + e.getMessage() + "); check the path and its permissions"));
        }
    }

    private static String nameOf(Path path) {
        String file = path.getFileName().toString();
        return file.endsWith(".yaml") ? file.substring(0, file.length() - ".yaml".length()) : file;
    }

    /** Validates matrix text; {@code source} names it in messages, {@code name} becomes the matrix's name. */
    public static Matrix parse(String yaml, String source, String name) throws MatrixException {
        Problems problems = new Problems(source);
        JsonNode root = readYaml(yaml, source);
        if (root == null || !root.isObject()) {
            throw new MatrixException(List.of(source + ": must be a mapping with the keys " + String.join(", ", required())
                    + "; see experiments/matrix.yaml"));
        }
        for (Iterator<String> keys = root.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!KEYS.containsKey(key)) problems.add(key, "unknown key; the keys are " + String.join(", ", KEYS.keySet()));
        }
        for (String key : required()) {
            if (!root.has(key)) problems.add(key, "missing; add e.g. " + KEYS.get(key));
        }
        List<Integer> sizes = root.has("sizes") ? sizes(root.get("sizes"), problems) : List.of();
        List<OffloadSet> offloadSets = root.has("offloads") ? offloadSets(root.get("offloads"), problems) : List.of();
        List<Integer> clients = root.has("clients") ? clients(root.get("clients"), problems) : List.of();
        int repeats = root.has("repeats")
                ? (int) integer(root.get("repeats"), "repeats", 1, REPEATS_MAX, "runs per cell, e.g. repeats: 3", problems) : 1;
        Duration warmup = root.has("warmup") ? duration(root.get("warmup"), "warmup", true, problems) : Duration.ZERO;
        Duration duration = root.has("duration") ? duration(root.get("duration"), "duration", false, problems) : Duration.ZERO;
        String app = root.has("app") ? app(root.get("app"), problems) : "null";
        int payloadBytes = root.has("payload-bytes")
                ? (int) integer(root.get("payload-bytes"), "payload-bytes", 0, PAYLOAD_BYTES_MAX, "request payload bytes, e.g. 64", problems)
                : 0;
        long clusterId = root.has("cluster-id")
                ? integer(root.get("cluster-id"), "cluster-id", 0, 0xffff_ffffL, "a u32, e.g. cluster-id: 1", problems)
                : ScenarioFile.CLUSTER_ID_DEFAULT;
        int port = root.has("port")
                ? (int) integer(root.get("port"), "port", 1, 65535, "a UDP port, e.g. port: 7000", problems)
                : ScenarioFile.PORT_DEFAULT;
        if (!problems.lines.isEmpty()) throw new MatrixException(problems.lines);
        return new Matrix(name, sizes, offloadSets, clients, repeats, warmup, duration, app, payloadBytes, clusterId, port);
    }

    private static List<String> required() {
        return KEYS.keySet().stream().filter(k -> !KEYS.get(k).isEmpty()).toList();
    }

    private static JsonNode readYaml(String yaml, String source) throws MatrixException {
        ObjectMapper mapper = new ObjectMapper(new YAMLFactory());
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        try {
            return mapper.readTree(yaml);
        } catch (JsonProcessingException e) {
            JsonLocation where = e.getLocation();
            String line = where != null && where.getLineNr() > 0 ? " line " + where.getLineNr() : "";
            String problem = e.getOriginalMessage().lines().map(String::strip).filter(l -> !l.isEmpty())
                    .findFirst().orElse("unreadable");
            throw new MatrixException(List.of(source + line + ": bad YAML: " + problem + "; fix the YAML there"));
        }
    }

    private static List<Integer> sizes(JsonNode node, Problems problems) {
        List<Integer> sizes = new ArrayList<>();
        String what = "odd replica counts 3.." + Wire.REPLICAS_MAX + " (2f+1 members)";
        for (JsonNode item : list(node, "sizes", KEYS.get("sizes"), problems)) {
            int size = (int) integer(item, "sizes", 3, Wire.REPLICAS_MAX, what, problems);
            if (size == 0) continue;
            if (size % 2 == 0) {
                problems.add("sizes", size + " is even; use " + what + ", e.g. " + (size + 1));
            } else if (sizes.contains(size)) {
                problems.add("sizes", size + " is listed twice; name each size once");
            } else {
                sizes.add(size);
            }
        }
        return sizes;
    }

    private static List<Integer> clients(JsonNode node, Problems problems) {
        List<Integer> clients = new ArrayList<>();
        for (JsonNode item : list(node, "clients", KEYS.get("clients"), problems)) {
            int count = (int) integer(item, "clients", 1, ScenarioFile.CLIENTS_MAX, "closed-loop client counts, e.g. 16", problems);
            if (count == 0) continue;
            if (clients.contains(count)) {
                problems.add("clients", count + " is listed twice; name each client count once");
            } else {
                clients.add(count);
            }
        }
        return clients;
    }

    private static List<OffloadSet> offloadSets(JsonNode node, Problems problems) {
        List<OffloadSet> sets = new ArrayList<>();
        for (JsonNode item : list(node, "offloads", KEYS.get("offloads"), problems)) {
            OffloadSet set = offloadSet(item, problems);
            if (set == null) continue;
            if (sets.contains(set)) {
                problems.add("offloads", "'" + item.asText() + "' is the set " + set.label() + " again; name each set once");
            } else {
                sets.add(set);
            }
        }
        return sets;
    }

    /** One entry: none, all, or a comma list of offload names (one set of offloads run together). */
    private static OffloadSet offloadSet(JsonNode item, Problems problems) {
        String choices = "none, all, or a comma list of " + offloadNames();
        if (!item.isTextual()) {
            problems.add("offloads", "'" + item.asText() + "' must be text: " + choices);
            return null;
        }
        String text = item.asText().strip();
        if (text.equals("none")) return OffloadSet.NONE;
        if (text.equals("all")) return OffloadSet.of(List.of(Offload.values()));
        EnumSet<Offload> offloads = EnumSet.noneOf(Offload.class);
        boolean ok = true;
        for (String part : text.split(",", -1)) {
            Offload offload = Offload.named(part.strip());
            if (offload == null) {
                problems.add("offloads", "'" + part.strip() + "' is not an offload; each entry is " + choices);
                ok = false;
            } else if (!offloads.add(offload)) {
                problems.add("offloads", "'" + text + "' names " + offload.cliName + " twice; name each offload once");
                ok = false;
            }
        }
        return ok ? OffloadSet.of(List.copyOf(offloads)) : null;
    }

    private static String offloadNames() {
        return Arrays.stream(Offload.values()).map(o -> o.cliName).collect(Collectors.joining(", "));
    }

    private static List<JsonNode> list(JsonNode node, String field, String example, Problems problems) {
        if (!node.isArray() || node.isEmpty()) {
            problems.add(field, "must be a non-empty list, e.g. " + example);
            return List.of();
        }
        List<JsonNode> items = new ArrayList<>();
        node.forEach(items::add);
        return items;
    }

    private static String app(JsonNode node, Problems problems) {
        // YAML reads a bare `null` as the null value, which here names the null app.
        String app = node.isNull() ? "null" : node.isTextual() ? node.asText() : "";
        if (!app.equals("null") && !app.equals("kv")) {
            problems.add("app", "'" + node.asText() + "' is not an app; use null or kv");
        }
        return app;
    }

    private static Duration duration(JsonNode node, String field, boolean zeroAllowed, Problems problems) {
        Matcher m = DURATION.matcher(node.isTextual() ? node.asText().strip() : "");
        if (!m.matches()) {
            problems.add(field, "'" + node.asText() + "' is not a duration; write a whole number with ms, s or m, e.g. 20s");
            return Duration.ZERO;
        }
        long amount = Long.parseLong(m.group(1));
        Duration duration = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            default -> Duration.ofMinutes(amount);
        };
        if (!zeroAllowed && duration.isZero()) problems.add(field, "must be longer than 0; e.g. 20s");
        return duration;
    }

    private static long integer(JsonNode node, String field, long min, long max, String what, Problems problems) {
        if (!node.isIntegralNumber()) {
            problems.add(field, "'" + node.asText() + "' is not an integer; use " + what);
            return 0;
        }
        BigInteger value = node.bigIntegerValue();
        if (value.compareTo(BigInteger.valueOf(min)) < 0 || value.compareTo(BigInteger.valueOf(max)) > 0) {
            problems.add(field, value + " is out of range " + min + ".." + max + "; use " + what);
            return 0;
        }
        return value.longValue();
    }

    private record Problems(String source, List<String> lines) {
        Problems(String source) {
            this(source, new ArrayList<>());
        }

        void add(String field, String problem) {
            lines.add(source + ": " + field + ": " + problem);
        }
    }
}

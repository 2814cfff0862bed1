package org.electrolab.lab.scenario;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
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

import org.electrolab.protocol.Wire;
import org.electrolab.protocol.config.Offload;

/**
 * Reads and validates a scenario file (docs/lab.md). Every mistake is reported, each on one line
 * naming the file, the field and the fix; nothing is created from a file that has any.
 */
public final class ScenarioFile {
    public static final int CLIENTS_MAX = 4096;
    public static final long CLUSTER_ID_DEFAULT = 1;
    public static final int PORT_DEFAULT = 7000;

    private static final Map<String, String> KEYS = Map.of(
            "replicas", "replicas: 3 (an odd count 3.." + Wire.REPLICAS_MAX + ")",
            "offloads", "offloads: none (none, all, or a comma list of " + offloadNames() + ")",
            "app", "app: kv (null or kv)",
            "workload", "workload: {clients: 8, warmup: 5s, duration: 30s, payload-bytes: 64}",
            "cluster-id", "",
            "port", "");
    private static final List<String> KEY_ORDER = List.of("replicas", "offloads", "app", "workload", "cluster-id", "port");
    private static final List<String> WORKLOAD_KEYS = List.of("clients", "warmup", "duration", "payload-bytes");
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m|h)");
    /** What {@code electrolab client --payload-bytes} accepts (it keeps room for a kv key). */
    public static final int PAYLOAD_BYTES_MAX = Wire.PAYLOAD_SIZE_MAX - 64;

    private ScenarioFile() {}

    public static Scenario load(Path path) throws ScenarioException {
        String source = path.toString();
        try {
            return parse(Files.readString(path, StandardCharsets.UTF_8), source, nameOf(path));
        } catch (NoSuchFileException e) {
            throw new ScenarioException(List.of(source + ": file not found; pass --scenario the path of a scenario file,"
                    + " e.g. experiments/scenarios/scenario3.yaml"));
        } catch (IOException e) {
            throw new ScenarioException(List.of(source + ": cannot read (" + e.getMessage() + "); check the path and its permissions"));
        }
    }

    /** The scenario as a file {@link #parse} reads back to an equal scenario (with the same name). */
    public static String toYaml(Scenario scenario) {
        Workload w = scenario.workload();
        return "replicas: " + scenario.replicas() + "\n"
                + "offloads: " + scenario.offloadArgument() + "\n"
                + "app: " + scenario.app() + "\n"
                + "cluster-id: " + scenario.clusterId() + "\n"
                + "port: " + scenario.port() + "\n"
                + "workload:\n"
                + "  clients: " + w.clients() + "\n"
                + "  warmup: " + w.warmup().toMillis() + "ms\n"
                + "  duration: " + w.duration().toMillis() + "ms\n"
                + "  payload-bytes: " + w.payloadBytes() + "\n";
    }

    private static String nameOf(Path path) {
        String file = path.getFileName().toString();
        return file.endsWith(".yaml") ? file.substring(0, file.length() - ".yaml".length()) : file;
    }

    /** Validates scenario text; {@code source} names it in messages, {@code name} becomes the scenario's name. */
    public static Scenario parse(String yaml, String source, String name) throws ScenarioException {
        Problems problems = new Problems(source);
        JsonNode root = readYaml(yaml, source);
        if (root == null || !root.isObject()) {
            throw new ScenarioException(List.of(source + ": must be a mapping with the keys " + String.join(", ", required())
                    + "; see experiments/scenarios/scenario3.yaml"));
        }
        for (Iterator<String> keys = root.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!KEYS.containsKey(key)) problems.add(key, "unknown key; the keys are " + String.join(", ", KEY_ORDER));
        }
        for (String key : required()) {
            if (!root.has(key)) problems.add(key, "missing; add e.g. " + KEYS.get(key));
        }
        int replicas = root.has("replicas") ? replicas(root.get("replicas"), problems) : 0;
        List<Offload> offloads = root.has("offloads") ? offloads(root.get("offloads"), problems) : List.of();
        String app = root.has("app") ? app(root.get("app"), problems) : null;
        long clusterId = root.has("cluster-id")
                ? integer(root.get("cluster-id"), "cluster-id", 0, 0xffff_ffffL, "a u32, e.g. cluster-id: 1", problems)
                : CLUSTER_ID_DEFAULT;
        int port = root.has("port")
                ? (int) integer(root.get("port"), "port", 1, 65535, "a UDP port, e.g. port: 7000", problems)
                : PORT_DEFAULT;
        Workload workload = root.has("workload") ? workload(root.get("workload"), problems) : null;
        if (!problems.lines.isEmpty()) throw new ScenarioException(problems.lines);
        return new Scenario(name, replicas, offloads, app, clusterId, port, workload);
    }

    private static List<String> required() {
        return KEY_ORDER.stream().filter(k -> !KEYS.get(k).isEmpty()).toList();
    }

    private static JsonNode readYaml(String yaml, String source) throws ScenarioException {
        ObjectMapper mapper = new ObjectMapper(new YAMLFactory());
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        try {
            return mapper.readTree(yaml);
        } catch (JsonProcessingException e) {
            JsonLocation where = e.getLocation();
            String line = where != null && where.getLineNr() > 0 ? " line " + where.getLineNr() : "";
            throw new ScenarioException(List.of(source + line + ": bad YAML: " + parserProblem(e.getOriginalMessage()) + "; fix the YAML there"));
        }
    }

    /** SnakeYAML's several-line "context / mark / problem / mark" message as one line: the problem, then the context. */
    private static String parserProblem(String message) {
        List<String> said = message.lines()
                .filter(l -> !l.isBlank() && !l.startsWith(" in ") && !l.startsWith("    ") && !l.strip().equals("^"))
                .map(String::strip).toList();
        if (said.isEmpty()) return "unreadable";
        if (said.size() == 1) return said.getFirst();
        return said.getLast() + " (" + said.getFirst() + ")";
    }

    private static int replicas(JsonNode node, Problems problems) {
        int replicas = (int) integer(node, "replicas", 3, Wire.REPLICAS_MAX,
                "an odd count 3.." + Wire.REPLICAS_MAX + " (2f+1 members)", problems);
        if (replicas > 0 && replicas % 2 == 0) {
            problems.add("replicas", replicas + " is even; use an odd count (2f+1 members), e.g. " + (replicas + 1));
        }
        return replicas;
    }

    private static List<Offload> offloads(JsonNode node, Problems problems) {
        if (!node.isTextual()) {
            problems.add("offloads", "must be text: none, all, or a comma list of " + offloadNames());
            return List.of();
        }
        String text = node.asText().strip();
        if (text.equals("none")) return List.of();
        if (text.equals("all")) return List.of(Offload.values());
        List<Offload> offloads = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            Offload offload = Offload.named(part.strip());
            if (offload == null) {
                problems.add("offloads", "'" + part.strip() + "' is not an offload; use none, all, or a comma list of " + offloadNames());
            } else if (offloads.contains(offload)) {
                problems.add("offloads", "'" + part.strip() + "' is listed twice; name each offload once");
            } else {
                offloads.add(offload);
            }
        }
        return offloads;
    }

    private static String offloadNames() {
        return Arrays.stream(Offload.values()).map(o -> o.cliName).collect(Collectors.joining(", "));
    }

    private static String app(JsonNode node, Problems problems) {
        // YAML reads a bare `null` as the null value, which here names the null app.
        String app = node.isNull() ? "null" : node.isTextual() ? node.asText() : "";
        if (!app.equals("null") && !app.equals("kv")) {
            problems.add("app", "'" + node.asText() + "' is not an app; use null or kv");
        }
        return app;
    }

    private static Workload workload(JsonNode node, Problems problems) {
        if (!node.isObject()) {
            problems.add("workload", "must be a mapping with " + String.join(", ", WORKLOAD_KEYS)
                    + ", e.g. " + KEYS.get("workload"));
            return null;
        }
        for (Iterator<String> keys = node.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!WORKLOAD_KEYS.contains(key)) {
                problems.add("workload." + key, "unknown key; the workload keys are " + String.join(", ", WORKLOAD_KEYS));
            }
        }
        for (String key : WORKLOAD_KEYS) {
            if (!node.has(key)) problems.add("workload." + key, "missing; add e.g. " + KEYS.get("workload"));
        }
        int clients = node.has("clients")
                ? (int) integer(node.get("clients"), "workload.clients", 1, CLIENTS_MAX, "closed-loop clients, e.g. 8", problems)
                : 1;
        Duration warmup = node.has("warmup") ? duration(node.get("warmup"), "workload.warmup", true, problems) : Duration.ZERO;
        Duration duration = node.has("duration")
                ? duration(node.get("duration"), "workload.duration", false, problems) : Duration.ZERO;
        int payloadBytes = node.has("payload-bytes")
                ? (int) integer(node.get("payload-bytes"), "workload.payload-bytes", 0, PAYLOAD_BYTES_MAX,
                        "request payload bytes, e.g. 64", problems)
                : 0;
        return new Workload(clients, warmup, duration, payloadBytes);
    }

    private static Duration duration(JsonNode node, String field, boolean zeroAllowed, Problems problems) {
        Matcher m = DURATION.matcher(node.isTextual() ? node.asText().strip() : "");
        if (!m.matches()) {
            problems.add(field, "'" + node.asText() + "' is not a duration; write a whole number with ms, s, m or h, e.g. 30s");
            return Duration.ZERO;
        }
        long amount = Long.parseLong(m.group(1));
        Duration duration = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
        if (!zeroAllowed && duration.isZero()) problems.add(field, "must be longer than 0; e.g. 30s");
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

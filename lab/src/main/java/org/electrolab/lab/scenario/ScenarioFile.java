package org.electrolab.lab.scenario;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.SequencedMap;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

import org.electrolab.protocol.Wire;
import org.electrolab.protocol.config.ClusterConfig;
import org.electrolab.protocol.config.Offload;
import org.electrolab.protocol.config.YamlFields;

/**
 * Reads and validates a scenario file (docs/lab.md). Every mistake is reported, each on one line
 * naming the file, the field and the fix; nothing is created from a file that has any.
 */
public final class ScenarioFile {
    public static final int CLIENTS_MAX = 4096;
    public static final long CLUSTER_ID_DEFAULT = 1;
    public static final int PORT_DEFAULT = 7000;

    /** Every key, with the example shown when a required one is missing (optional keys have none). */
    private static final SequencedMap<String, String> KEYS = YamlFields.keys(
            "replicas", "replicas: 3 (an odd count 3.." + Wire.REPLICAS_MAX + ")",
            "offloads", "offloads: none (none, all, or a comma list of " + offloadNames() + ")",
            "app", "app: kv (null or kv)",
            "workload", "workload: {clients: 8, warmup: 5s, duration: 30s, payload-bytes: 64}",
            "cluster-id", "",
            "port", "",
            "tick-millis", "");
    private static final List<String> WORKLOAD_KEYS = List.of("clients", "warmup", "duration", "payload-bytes");
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
        ClientLoad w = scenario.workload();
        return "replicas: " + scenario.replicas() + "\n"
                + "offloads: " + scenario.offloadArgument() + "\n"
                + "app: " + scenario.app() + "\n"
                + "cluster-id: " + scenario.clusterId() + "\n"
                + "port: " + scenario.port() + "\n"
                + (scenario.tickMillis() == ClusterConfig.TICK_MILLIS_DEFAULT ? "" : "tick-millis: " + scenario.tickMillis() + "\n")
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
        YamlFields fields = new YamlFields(source);
        JsonNode root = fields.mapping(yaml, KEYS, "experiments/scenarios/scenario3.yaml");
        if (root == null) throw new ScenarioException(fields.problems());
        int replicas = root.has("replicas") ? replicas(root.get("replicas"), fields) : 0;
        List<Offload> offloads = root.has("offloads") ? offloads(root.get("offloads"), fields) : List.of();
        String app = root.has("app") ? fields.app(root.get("app")) : null;
        long clusterId = root.has("cluster-id")
                ? fields.integer(root.get("cluster-id"), "cluster-id", 0, 0xffff_ffffL, "a u32, e.g. cluster-id: 1")
                : CLUSTER_ID_DEFAULT;
        int port = root.has("port")
                ? (int) fields.integer(root.get("port"), "port", 1, 65535, "a UDP port, e.g. port: 7000")
                : PORT_DEFAULT;
        int tickMillis = root.has("tick-millis")
                ? (int) fields.integer(root.get("tick-millis"), "tick-millis", 1, ClusterConfig.TICK_MILLIS_MAX,
                        "milliseconds per replica tick, e.g. tick-millis: 10")
                : ClusterConfig.TICK_MILLIS_DEFAULT;
        ClientLoad workload = root.has("workload") ? workload(root.get("workload"), fields) : null;
        if (!fields.problems().isEmpty()) throw new ScenarioException(fields.problems());
        return new Scenario(name, replicas, offloads, app, clusterId, port, workload, tickMillis);
    }

    private static int replicas(JsonNode node, YamlFields fields) {
        int replicas = (int) fields.integer(node, "replicas", 3, Wire.REPLICAS_MAX,
                "an odd count 3.." + Wire.REPLICAS_MAX + " (2f+1 members)");
        if (replicas > 0 && replicas % 2 == 0) {
            fields.add("replicas", replicas + " is even; use an odd count (2f+1 members), e.g. " + (replicas + 1));
        }
        return replicas;
    }

    private static List<Offload> offloads(JsonNode node, YamlFields fields) {
        if (!node.isTextual()) {
            fields.add("offloads", "must be text: none, all, or a comma list of " + offloadNames());
            return List.of();
        }
        String text = node.asText().strip();
        if (text.equals("none")) return List.of();
        if (text.equals("all")) return List.of(Offload.values());
        List<Offload> offloads = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            Offload offload = Offload.named(part.strip());
            if (offload == null) {
                fields.add("offloads", "'" + part.strip() + "' is not an offload; use none, all, or a comma list of " + offloadNames());
            } else if (offloads.contains(offload)) {
                fields.add("offloads", "'" + part.strip() + "' is listed twice; name each offload once");
            } else {
                offloads.add(offload);
            }
        }
        return offloads;
    }

    private static String offloadNames() {
        return Arrays.stream(Offload.values()).map(o -> o.cliName).collect(Collectors.joining(", "));
    }

    private static ClientLoad workload(JsonNode node, YamlFields fields) {
        if (!node.isObject()) {
            fields.add("workload", "must be a mapping with " + String.join(", ", WORKLOAD_KEYS)
                    + ", e.g. " + KEYS.get("workload"));
            return null;
        }
        for (Iterator<String> keys = node.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!WORKLOAD_KEYS.contains(key)) {
                fields.add("workload." + key, "unknown key; the workload keys are " + String.join(", ", WORKLOAD_KEYS));
            }
        }
        for (String key : WORKLOAD_KEYS) {
            if (!node.has(key)) fields.add("workload." + key, "missing; add e.g. " + KEYS.get("workload"));
        }
        int clients = node.has("clients")
                ? (int) fields.integer(node.get("clients"), "workload.clients", 1, CLIENTS_MAX, "closed-loop clients, e.g. 8")
                : 1;
        Duration warmup = node.has("warmup") ? fields.duration(node.get("warmup"), "workload.warmup", true, "30s") : Duration.ZERO;
        Duration duration = node.has("duration")
                ? fields.duration(node.get("duration"), "workload.duration", false, "30s") : Duration.ZERO;
        int payloadBytes = node.has("payload-bytes")
                ? (int) fields.integer(node.get("payload-bytes"), "workload.payload-bytes", 0, PAYLOAD_BYTES_MAX,
                        "request payload bytes, e.g. 64")
                : 0;
        return new ClientLoad(clients, warmup, duration, payloadBytes);
    }
}

package org.electrolab.lab.experiment;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.SequencedMap;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

import org.electrolab.lab.pipeline.OffloadSet;
import org.electrolab.lab.pipeline.PlanException;
import org.electrolab.lab.pipeline.PlanKeys;
import org.electrolab.lab.scenario.ScenarioFile;
import org.electrolab.protocol.Wire;
import org.electrolab.protocol.config.Offload;
import org.electrolab.protocol.config.YamlFields;

/**
 * Reads and validates a matrix file (docs/experiments.md). Every mistake is reported, each on one
 * line naming the file, the field and the fix; nothing runs from a file that has any.
 */
public final class MatrixFile {
    /** What {@code electrolab client --payload-bytes} accepts. */
    public static final int PAYLOAD_BYTES_MAX = Wire.PAYLOAD_SIZE_MAX - 64;

    /** Every key, with the example shown when a required one is missing (optional keys have none). */
    private static final SequencedMap<String, String> KEYS = YamlFields.keys(
            "sizes", "sizes: [3, 5, 7]",
            "offloads", "offloads: [none, tc-broadcast, fast-reply, quorum-prune, all]",
            "clients", "clients: [1, 16]",
            "repeats", "repeats: 3",
            "warmup", "warmup: 5s",
            "duration", "duration: 20s",
            "app", "app: null",
            "payload-bytes", "payload-bytes: 64",
            "cluster-id", "",
            "port", "");

    private MatrixFile() {}

    public static Matrix load(Path path) throws PlanException {
        return parse(PlanKeys.read(path, "a matrix file", "experiments/matrix.yaml"), path.toString(), PlanKeys.nameOf(path));
    }

    /** Validates matrix text; {@code source} names it in messages, {@code name} becomes the matrix's name. */
    public static Matrix parse(String yaml, String source, String name) throws PlanException {
        YamlFields fields = new YamlFields(source);
        JsonNode root = fields.mapping(yaml, KEYS, "experiments/matrix.yaml");
        if (root == null) throw new PlanException(fields.problems());
        List<Integer> sizes = root.has("sizes") ? PlanKeys.sizes(root.get("sizes"), fields) : List.of();
        List<OffloadSet> offloadSets = root.has("offloads") ? PlanKeys.offloadSets(root.get("offloads"), fields) : List.of();
        List<Integer> clients = root.has("clients") ? clients(root.get("clients"), fields) : List.of();
        int repeats = root.has("repeats")
                ? (int) fields.integer(root.get("repeats"), "repeats", 1, PlanKeys.REPEATS_MAX, "runs per cell, e.g. repeats: 3") : 1;
        Duration warmup = root.has("warmup") ? fields.duration(root.get("warmup"), "warmup", true, "20s") : Duration.ZERO;
        Duration duration = root.has("duration") ? fields.duration(root.get("duration"), "duration", false, "20s") : Duration.ZERO;
        String app = root.has("app") ? fields.app(root.get("app")) : "null";
        int payloadBytes = root.has("payload-bytes")
                ? (int) fields.integer(root.get("payload-bytes"), "payload-bytes", 0, PAYLOAD_BYTES_MAX, "request payload bytes, e.g. 64")
                : 0;
        long clusterId = root.has("cluster-id")
                ? fields.integer(root.get("cluster-id"), "cluster-id", 0, 0xffff_ffffL, "a u32, e.g. cluster-id: 1")
                : ScenarioFile.CLUSTER_ID_DEFAULT;
        int port = root.has("port")
                ? (int) fields.integer(root.get("port"), "port", 1, 65535, "a UDP port, e.g. port: 7000")
                : ScenarioFile.PORT_DEFAULT;
        if (!fields.problems().isEmpty()) throw new PlanException(fields.problems());
        return new Matrix(name, sizes, offloadSets, clients, repeats, warmup, duration, app, payloadBytes, clusterId, port);
    }

    private static List<Integer> clients(JsonNode node, YamlFields fields) {
        List<Integer> clients = new ArrayList<>();
        for (JsonNode item : fields.list(node, "clients", KEYS.get("clients"))) {
            int count = (int) fields.integer(item, "clients", 1, ScenarioFile.CLIENTS_MAX, "closed-loop client counts, e.g. 16");
            if (count == 0) continue;
            if (clients.contains(count)) {
                fields.add("clients", count + " is listed twice; name each client count once");
            } else {
                clients.add(count);
            }
        }
        return clients;
    }

}

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

import org.electrolab.lab.scenario.ScenarioFile;
import org.electrolab.protocol.Wire;
import org.electrolab.protocol.config.Offload;
import org.electrolab.protocol.config.YamlFields;

/**
 * Reads and validates a matrix file (docs/experiments.md). Every mistake is reported, each on one
 * line naming the file, the field and the fix; nothing runs from a file that has any.
 */
public final class MatrixFile {
    public static final int REPEATS_MAX = 1000;
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
        YamlFields fields = new YamlFields(source);
        JsonNode root = fields.mapping(yaml, KEYS, "experiments/matrix.yaml");
        if (root == null) throw new MatrixException(fields.problems());
        List<Integer> sizes = root.has("sizes") ? sizes(root.get("sizes"), fields) : List.of();
        List<OffloadSet> offloadSets = root.has("offloads") ? offloadSets(root.get("offloads"), fields) : List.of();
        List<Integer> clients = root.has("clients") ? clients(root.get("clients"), fields) : List.of();
        int repeats = root.has("repeats")
                ? (int) fields.integer(root.get("repeats"), "repeats", 1, REPEATS_MAX, "runs per cell, e.g. repeats: 3") : 1;
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
        if (!fields.problems().isEmpty()) throw new MatrixException(fields.problems());
        return new Matrix(name, sizes, offloadSets, clients, repeats, warmup, duration, app, payloadBytes, clusterId, port);
    }

    /** A {@code sizes} list: odd replica counts, each once (also read by fault campaign files). */
    public static List<Integer> sizes(JsonNode node, YamlFields fields) {
        List<Integer> sizes = new ArrayList<>();
        String what = "odd replica counts 3.." + Wire.REPLICAS_MAX + " (2f+1 members)";
        for (JsonNode item : fields.list(node, "sizes", KEYS.get("sizes"))) {
            int size = (int) fields.integer(item, "sizes", 3, Wire.REPLICAS_MAX, what);
            if (size == 0) continue;
            if (size % 2 == 0) {
                fields.add("sizes", size + " is even; use " + what + ", e.g. " + (size + 1));
            } else if (sizes.contains(size)) {
                fields.add("sizes", size + " is listed twice; name each size once");
            } else {
                sizes.add(size);
            }
        }
        return sizes;
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

    /** An {@code offloads} list: none, all or comma lists, each set once (also read by fault campaign files). */
    public static List<OffloadSet> offloadSets(JsonNode node, YamlFields fields) {
        List<OffloadSet> sets = new ArrayList<>();
        for (JsonNode item : fields.list(node, "offloads", KEYS.get("offloads"))) {
            OffloadSet set = offloadSet(item, fields);
            if (set == null) continue;
            if (sets.contains(set)) {
                fields.add("offloads", "'" + item.asText() + "' is the set " + set.label() + " again; name each set once");
            } else {
                sets.add(set);
            }
        }
        return sets;
    }

    /** One entry: none, all, or a comma list of offload names (one set of offloads run together). */
    private static OffloadSet offloadSet(JsonNode item, YamlFields fields) {
        String choices = "none, all, or a comma list of " + offloadNames();
        if (!item.isTextual()) {
            fields.add("offloads", "'" + item.asText() + "' must be text: " + choices);
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
                fields.add("offloads", "'" + part.strip() + "' is not an offload; each entry is " + choices);
                ok = false;
            } else if (!offloads.add(offload)) {
                fields.add("offloads", "'" + text + "' names " + offload.cliName + " twice; name each offload once");
                ok = false;
            }
        }
        return ok ? OffloadSet.of(List.copyOf(offloads)) : null;
    }

    private static String offloadNames() {
        return Arrays.stream(Offload.values()).map(o -> o.cliName).collect(Collectors.joining(", "));
    }
}

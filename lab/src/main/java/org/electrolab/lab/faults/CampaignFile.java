package org.electrolab.lab.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SequencedMap;

import com.fasterxml.jackson.databind.JsonNode;
import org.electrolab.lab.pipeline.PlanException;
import org.electrolab.lab.pipeline.PlanKeys;
import org.electrolab.lab.pipeline.OffloadSet;
import org.electrolab.lab.scenario.ScenarioFile;
import org.electrolab.protocol.config.YamlFields;

/** Reads a fault campaign file (docs/faults.md); every mistake is one line naming the field and the fix. */
public final class CampaignFile {
    public static final int CLIENTS_MAX = 64;

    private static final SequencedMap<String, String> KEYS = YamlFields.keys(
            "sizes", "sizes: [3, 5, 7]",
            "offloads", "offloads: [none, all]",
            "faults", "faults: [leader-kill, loss-20]",
            "repeats", "",
            "clients", "",
            "warmup", "",
            "settle", "",
            "before", "",
            "during", "",
            "after", "",
            "cluster-id", "",
            "port", "");

    private CampaignFile() {}

    public static Campaign load(Path path) throws PlanException {
        return parse(PlanKeys.read(path, "a campaign file", "experiments/faults.yaml"), path.toString(), PlanKeys.nameOf(path));
    }

    public static Campaign parse(String yaml, String source, String name) throws PlanException {
        YamlFields fields = new YamlFields(source);
        JsonNode root = fields.mapping(yaml, KEYS, "experiments/faults.yaml");
        if (root == null) throw new PlanException(fields.problems());
        List<Integer> sizes = root.has("sizes") ? PlanKeys.sizes(root.get("sizes"), fields) : List.of();
        List<OffloadSet> offloads = root.has("offloads") ? PlanKeys.offloadSets(root.get("offloads"), fields) : List.of();
        List<FaultKind> faults = root.has("faults") ? faults(root.get("faults"), fields) : List.of();
        int repeats = root.has("repeats")
                ? (int) fields.integer(root.get("repeats"), "repeats", 1, PlanKeys.REPEATS_MAX, "runs per fault, e.g. repeats: 3") : 1;
        int clients = root.has("clients")
                ? (int) fields.integer(root.get("clients"), "clients", 1, CLIENTS_MAX, "kv clients recording the history, e.g. clients: 4") : 4;
        Duration warmup = root.has("warmup") ? fields.duration(root.get("warmup"), "warmup", true, "5s") : Duration.ofSeconds(5);
        Duration settle = root.has("settle") ? fields.duration(root.get("settle"), "settle", true, "3s") : Duration.ofSeconds(3);
        Duration before = root.has("before") ? fields.duration(root.get("before"), "before", false, "3s") : Duration.ofSeconds(3);
        Duration during = root.has("during") ? fields.duration(root.get("during"), "during", false, "4s") : Duration.ofSeconds(4);
        Duration after = root.has("after") ? fields.duration(root.get("after"), "after", false, "5s") : Duration.ofSeconds(5);
        long clusterId = root.has("cluster-id")
                ? fields.integer(root.get("cluster-id"), "cluster-id", 0, 0xffff_ffffL, "a u32, e.g. cluster-id: 1")
                : ScenarioFile.CLUSTER_ID_DEFAULT;
        int port = root.has("port")
                ? (int) fields.integer(root.get("port"), "port", 1, 65535, "a UDP port, e.g. port: 7000") : ScenarioFile.PORT_DEFAULT;
        if (!fields.problems().isEmpty()) throw new PlanException(fields.problems());
        return new Campaign(name, sizes, offloads, faults, repeats, clients, warmup, settle, before, during, after, clusterId, port);
    }

    private static List<FaultKind> faults(JsonNode node, YamlFields fields) {
        List<FaultKind> faults = new ArrayList<>();
        for (JsonNode item : fields.list(node, "faults", KEYS.get("faults"))) {
            FaultKind kind = FaultKind.named(item.asText().strip());
            if (kind == null) {
                fields.add("faults", "'" + item.asText() + "' is not a fault; use " + FaultKind.labels());
            } else if (faults.contains(kind)) {
                fields.add("faults", kind.label + " is listed twice; name each fault once");
            } else {
                faults.add(kind);
            }
        }
        return faults;
    }
}

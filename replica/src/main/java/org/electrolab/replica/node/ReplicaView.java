package org.electrolab.replica.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What a running replica's stats file ({@code --stats-file}, a JSON ReplicaStats) says about its
 * position, as {@link StatsFile} wrote it: what {@code lab status} shows and what readiness waits for.
 *
 * @param path the replica's packet path (user space or the eBPF offloads it attached)
 * @param offloadsLoaded the offloads the replica attached ({@code none} when it runs in user space)
 * @param running false in the last file a replica writes as it exits
 * @param kernel the offload programs' counters, by name
 * @param stateDigest the app state after ops 1..commit; equal commit and digest mean equal state
 * @param datagramsIn, datagramsOut, dropped what the replica's socket received, sent and dropped
 * @param updatedAtMillis wall-clock time the replica wrote the file (0 in a file without it)
 */
public record ReplicaView(long view, String status, int leader, long op, long commit, String path, String offloadsLoaded,
                          boolean running, Map<String, Long> kernel, String stateDigest, long datagramsIn, long datagramsOut,
                          long dropped, long updatedAtMillis) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A live replica taking part in the protocol (VR Revisited, section 4: status normal). */
    public boolean isNormal() {
        return running && "NORMAL".equals(status);
    }

    /** The view in {@code statsFile}, or empty while the file is missing or being replaced. */
    public static Optional<ReplicaView> read(Path statsFile) {
        JsonNode root;
        try {
            if (!Files.isRegularFile(statsFile)) return Optional.empty();
            root = JSON.readTree(statsFile.toFile());
        } catch (IOException e) {
            return Optional.empty();
        }
        if (root == null || !root.has("view") || !root.has("status")) return Optional.empty();
        Map<String, Long> kernel = new LinkedHashMap<>();
        root.path("kernel").properties().forEach(e -> kernel.put(e.getKey(), e.getValue().asLong()));
        return Optional.of(new ReplicaView(root.path("view").asLong(), root.path("status").asText(),
                root.path("leader").asInt(-1), root.path("op").asLong(), root.path("commit").asLong(),
                root.path("path").asText(""), root.path("offloadsLoaded").asText("none"),
                root.path("running").asBoolean(true), kernel, root.path("stateDigest").asText(""),
                root.path("datagramsIn").asLong(), root.path("datagramsOut").asLong(), root.path("dropped").asLong(),
                root.path("updatedAtMillis").asLong()));
    }
}

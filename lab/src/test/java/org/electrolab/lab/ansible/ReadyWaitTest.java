package org.electrolab.lab.ansible;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import org.electrolab.lab.watch.ClientStats;
import org.electrolab.protocol.config.OffloadChoice;
import org.electrolab.replica.core.Status;
import org.electrolab.replica.node.StatsFile;
import org.electrolab.replica.transport.ReplicaStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The playbooks wait for a (re)started replica (apply_scenario.yml) and for the leader kill's client
 * (leader-kill.yml) with one wait_for on a stats file: each pattern must match what the JVM writes
 * once it is ready and nothing it writes before or leaves when it stops, or the wait would either
 * pass too early or run out its whole limit.
 */
class ReadyWaitTest {
    @TempDir
    Path temp;

    @Test
    void thePatternMatchesARunningNormalReplicaOnly() throws Exception {
        Pattern ready = searchRegex("ansible/roles/electrolab/tasks/apply_scenario.yml", "Wait until the replica reports NORMAL");
        StatsFile file = new StatsFile(temp.resolve("replica.stats.json"));

        file.write(stats(Status.VIEW_CHANGE), OffloadChoice.NONE, "none");
        assertThat(ready.matcher(Files.readString(file.path())).find()).as("a replica electing a leader").isFalse();
        file.write(stats(Status.NORMAL), OffloadChoice.NONE, "none");
        assertThat(ready.matcher(Files.readString(file.path())).find()).as("a running NORMAL replica").isTrue();
        file.finish(stats(Status.NORMAL), OffloadChoice.NONE, "none");
        assertThat(ready.matcher(Files.readString(file.path())).find()).as("the file a stopped replica leaves").isFalse();
    }

    @Test
    void theLeaderKillsPatternMatchesAClientThatCompletedOperations() throws Exception {
        Pattern progress = searchRegex("ansible/leader-kill.yml", "Wait until the client completes operations");
        Path file = temp.resolve("leader-kill.client.json");

        new ClientStats(true, "warmup", 0.5, 0.5, 0, 0, 0, 0, 0, 0, 0, 0, "r0", 4, 1).write(file);
        assertThat(progress.matcher(Files.readString(file)).find()).as("a client that completed nothing yet").isFalse();
        new ClientStats(true, "measure", 1.5, 1, 120, 120, 800, 2000, 0, 0, 0, 0, "r0", 4, 2).write(file);
        assertThat(progress.matcher(Files.readString(file)).find()).as("a client that completed 120 operations").isTrue();
    }

    /** The search_regex of the wait_for task {@code name} in {@code playbook}; Python's re reads these patterns as Java does. */
    private static Pattern searchRegex(String playbook, String name) throws Exception {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(Tools.repo().resolve(playbook).toFile());
        for (JsonNode task : root.findParents("name")) {
            if (task.path("name").asText().equals(name) && task.has("ansible.builtin.wait_for")) {
                return Pattern.compile(task.path("ansible.builtin.wait_for").path("search_regex").asText(), Pattern.MULTILINE);
            }
        }
        throw new AssertionError(playbook + " has no wait_for task '" + name + "'");
    }

    private static ReplicaStats stats(Status status) {
        return new ReplicaStats(0, 3, 1, status, 1, 0, 0, "user space", 0, 0, 0, Map.of(), Map.of(), Map.of(), 0, 0, 0, 0,
                Map.of(), "0000000000000000");
    }
}

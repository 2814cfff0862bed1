package org.electrolab.lab.watch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.electrolab.lab.netns.Network;
import org.electrolab.lab.netns.Locations;
import org.electrolab.lab.netns.StateDir;
import org.electrolab.lab.scenario.ScenarioException;
import org.electrolab.lab.scenario.ScenarioFile;

/**
 * A lab's state directory written by hand, as the replicas and the client would write it, so the
 * watch can be tested without root: stats files, pid files (this JVM's, so they name a live
 * process), the client's stats file and a fault window.
 */
final class FakeLab {
    private static final ObjectMapper JSON = new ObjectMapper();

    final Locations paths;
    final String name;
    final StateDir state;

    FakeLab(Path root, String name, int replicas) throws IOException, ScenarioException {
        this.paths = new Locations(root, root.resolve("lab-state"));
        this.name = name;
        this.state = new StateDir(paths.stateDir(name));
        state.create();
        Network network = Network.plan(name, replicas, 7);
        state.write(new StateDir.Record(name, 7, replicas, network.namespaces(), "scenario" + replicas));
        String scenario = "replicas: " + replicas + "\noffloads: all\napp: kv\nworkload:\n  clients: 4\n  warmup: 1s\n  duration: 5s\n  payload-bytes: 64\n";
        state.writeText(state.scenarioCopy(), ScenarioFile.toYaml(ScenarioFile.parse(scenario, "s.yaml", "scenario" + replicas)));
    }

    /** Replica {@code id}'s stats file, as the replica writes it at {@code atMillis}. */
    void replica(int id, long view, String status, int leader, long commit, Map<String, Long> kernel, long atMillis) throws IOException {
        ObjectNode stats = JSON.createObjectNode().put("replica", id).put("view", view).put("status", status).put("leader", leader)
                .put("op", commit + 2).put("commit", commit).put("path", "ebpf:all@eth0 (xdp native, tc tcx-link)")
                .put("datagramsIn", 100).put("datagramsOut", 90).put("dropped", 3).put("offloadsLoaded", "all")
                .put("running", true).put("updatedAtMillis", atMillis).put("stateDigest", "00");
        ObjectNode counters = stats.putObject("kernel");
        kernel.forEach(counters::put);
        JSON.writeValue(state.stats(id).toFile(), stats);
    }

    /** Replica {@code id} runs: its pid file names this JVM. */
    void alive(int id) throws IOException {
        ProcessHandle me = ProcessHandle.current();
        Files.writeString(state.pidFile("r" + id), me.pid() + " " + me.info().startInstant().map(Instant::toEpochMilli).orElseThrow());
    }

    /** Replica {@code id} was killed: its pid file names a process that is gone. */
    void dead(int id) throws IOException {
        Files.writeString(state.pidFile("r" + id), "999999999 1");
    }

    void client(double opsPerSec, long p99Micros, long atMillis) throws IOException {
        new ClientStats(true, "measured", 3, 1, (long) opsPerSec, opsPerSec, 80, p99Micros, 0, 1, 0, 0, "198.18.7.1:7000", 4, atMillis)
                .write(state.dir().resolve(ClientStats.FILE));
    }

    /** Sorted by name, as a replica writes them. */
    static Map<String, Long> counters(long fastReplied) {
        return new java.util.TreeMap<>(Map.of("fast-reply.fast_replied", fastReplied, "fast-reply.dropped_invalid", 1L,
                "quorum-prune.pruned", 2 * fastReplied));
    }

    static List<String> roles(Snapshot s) {
        return s.hosts().stream().map(Snapshot.HostRow::role).toList();
    }
}

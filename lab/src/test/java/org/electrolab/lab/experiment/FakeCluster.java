package org.electrolab.lab.experiment;

import org.electrolab.lab.pipeline.Cluster;
import org.electrolab.lab.pipeline.ClusterException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.electrolab.lab.scenario.Scenario;

/**
 * A cluster that starts nothing: runClient writes a canned run.json whose throughput and latency
 * follow from size, offloads and clients, so tests know every figure. Runs and starts can be made
 * to fail, and one run can be made to block until interrupted (a Ctrl-C in the middle of a run).
 */
final class FakeCluster implements Cluster {
    final List<String> calls = new ArrayList<>();
    final Set<String> failingRuns = new HashSet<>();
    final Set<String> failingUps = new HashSet<>();
    String blockingRun;
    /** When set, every run completes nothing and times out this often (replicas that never answer in time). */
    boolean nothingCompletes;
    /** When set, replicas asked for offloads report that they loaded none. */
    boolean unloadedOffloads;
    final CountDownLatch blocked = new CountDownLatch(1);
    boolean up;
    String lastLogDir;

    @Override
    public String describe() {
        return "fake cluster";
    }

    @Override
    public Map<String, Object> up(Scenario scenario, Path logDir) throws ClusterException {
        if (up) throw new IllegalStateException("up while up");
        calls.add("up " + scenario.replicas() + " " + scenario.offloadArgument());
        lastLogDir = logDir.getFileName().toString();
        if (failingUps.contains(lastLogDir)) throw new ClusterException("replica 1 did not reach NORMAL in 10 s");
        up = true;
        if (unloadedOffloads && !scenario.offloads().isEmpty()) {
            return Map.of("replicas", scenario.replicas(), WARNING, "offloads requested but not loaded (r0 lacks all)");
        }
        return Map.of("replicas", scenario.replicas(), "path", scenario.offloads().isEmpty() ? "user space" : "xdp native");
    }

    @Override
    public void runClient(Scenario scenario, Path runJson, Path log) throws ClusterException, InterruptedException {
        if (!up) throw new IllegalStateException("client without a cluster");
        String run = runJson.getFileName().toString().replace(".json", "");
        calls.add("client " + run);
        if (run.equals(blockingRun)) {
            blocked.countDown();
            Thread.sleep(Long.MAX_VALUE);
        }
        if (failingRuns.contains(run)) throw new ClusterException("client exited 1: no replica answered");
        try {
            Files.writeString(log, "fake client output\n");
            ObjectNode canned = CannedRunJson.of(scenario.workload().clients(), throughput(scenario), latency(scenario),
                    run.hashCode());
            if (nothingCompletes) {
                canned.put("completed", 0);
                canned.put("timeouts", 7);
            }
            CannedRunJson.write(runJson, canned);
        } catch (IOException e) {
            throw new ClusterException(e.getMessage());
        }
    }

    @Override
    public void down() {
        if (up) calls.add("down");
        up = false;
    }

    /** LoadedPrograms help, larger clusters hurt, more clients help: figures a test can check a report against. */
    static double throughput(Scenario scenario) {
        return 1000.0 * scenario.workload().clients() * (1 + scenario.offloads().size()) / scenario.replicas();
    }

    static long latency(Scenario scenario) {
        return 100L * scenario.replicas() / (1 + scenario.offloads().size());
    }
}

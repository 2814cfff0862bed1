package org.electrolab.lab.kernels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.electrolab.lab.netns.Lab;
import org.electrolab.lab.netns.LabException;
import org.electrolab.lab.netns.Host;
import org.electrolab.lab.netns.Locations;
import org.electrolab.lab.scenario.Scenario;
import org.electrolab.lab.scenario.ClientLoad;
import org.electrolab.protocol.config.Offload;
import org.electrolab.replica.node.ReplicaView;
import org.electrolab.replica.offload.KernelPrograms;

/**
 * The netns lab with every offload on: replicas in namespaces, a client run, and the kernel
 * counters summed over the replicas to prove the kernel did the work (fast replies, clones, the
 * quorum passed up and, with f >= 2, acks pruned); then {@code lab down} must leave no program.
 */
final class LabCheck {
    /** Two clients for 2 s of warm-up and 5 s measured, or 50 ticks each where ticks are long (an emulated guest). */
    static ClientLoad workload(int tickMillis) {
        Duration fiftyTicks = Duration.ofMillis(50L * tickMillis);
        return new ClientLoad(2, max(Duration.ofSeconds(2), fiftyTicks), max(Duration.ofSeconds(5), fiftyTicks), 64);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
    /** How long the replicas' stats files (rewritten every second) get to show the counters after the client. */
    static final Duration COUNTERS_WAIT = Duration.ofSeconds(60);
    static final Duration PROGRAMS_GONE_WAIT = Duration.ofSeconds(30);
    static final List<String> OUR_PROGRAMS = ProgramProbe.PROGRAMS;

    private LabCheck() {}

    /** The counters that prove each program did its work in a lab of {@code replicas}. */
    static List<String> required(int replicas) {
        return replicas >= 5
                ? List.of("fast-reply.fast_replied", "tc-broadcast.cloned", "quorum-prune.quorum_passed", "quorum-prune.pruned")
                : List.of("fast-reply.fast_replied", "tc-broadcast.cloned", "quorum-prune.quorum_passed");
    }

    /** One lab of {@code replicas}; {@code readyLimit} bounds the replicas' start and, beyond its run, the client's. */
    static KernelResult.LabRun run(Locations paths, int replicas, int tickMillis, Duration readyLimit, Path out) {
        long started = System.nanoTime();
        String name = "kchk" + replicas;
        ClientLoad workload = workload(tickMillis);
        Scenario scenario = new Scenario(name, replicas, List.of(Offload.values()), "null", 1, 7000, workload, tickMillis);
        long programsBefore = ourPrograms();
        Map<String, Long> counters = Map.of();
        long completed = 0, errors = 0;
        String problem = null;
        Lab lab = null;
        try {
            lab = Lab.up(paths, name, scenario, readyLimit);
            Path runJson = lab.runClient(workload, out.resolve("client-n" + replicas + ".json"), readyLimit);
            JsonNode run = new ObjectMapper().readTree(runJson.toFile());
            completed = run.path("completed").asLong();
            errors = run.path("errors").asLong();
            counters = awaitCounters(lab, replicas);
            problem = judge(replicas, completed, errors, counters);
        } catch (LabException | IOException e) {
            problem = LabException.oneLine(e.getMessage());
        } finally {
            if (lab != null) keepLogs(lab, out.resolve("lab-n" + replicas));
            try {
                Lab.down(paths, name);
            } catch (LabException e) {
                if (problem == null) problem = "lab down failed: " + e.getMessage();
            }
        }
        if (problem == null && !programsGone(programsBefore)) {
            problem = "electrolab programs were left in the kernel " + PROGRAMS_GONE_WAIT.toSeconds() + " s after lab down";
        }
        return new KernelResult.LabRun(replicas, completed, errors, counters, ProgramTests.seconds(started), problem);
    }

    static String judge(int replicas, long completed, long errors, Map<String, Long> counters) {
        if (completed == 0) return "the client completed no request";
        if (errors > 0) return "the client saw " + errors + " errors";
        for (String counter : required(replicas)) {
            if (counters.getOrDefault(counter, 0L) == 0) return counter + " stayed 0: the kernel did not do that work";
        }
        return null;
    }

    /** The kernel counters summed over the replicas, once every required one moved or the wait is over. */
    private static Map<String, Long> awaitCounters(Lab lab, int replicas) {
        long deadline = System.nanoTime() + COUNTERS_WAIT.toNanos();
        while (true) {
            Map<String, Long> sum = new TreeMap<>();
            for (Host host : lab.network().replicas()) {
                lab.replicaView(host).map(ReplicaView::kernel).ifPresent(k -> k.forEach((c, v) -> sum.merge(c, v, Long::sum)));
            }
            if (required(replicas).stream().allMatch(c -> sum.getOrDefault(c, 0L) > 0) || System.nanoTime() > deadline) return sum;
            pause(Duration.ofMillis(500));
        }
    }

    private static void keepLogs(Lab lab, Path dir) {
        try {
            Files.createDirectories(dir);
            try (var files = Files.list(lab.state().dir())) {
                for (Path file : files.filter(f -> f.toString().endsWith(".log") || f.toString().endsWith(".json")
                        || f.toString().endsWith(".yaml")).toList()) {
                    Files.copy(file, dir.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            // The verdict does not depend on the logs; a missing copy only makes it harder to read.
        }
    }

    /** The kernel dismantles a deleted namespace (its veths and their programs) in the background. */
    private static boolean programsGone(long before) {
        long deadline = System.nanoTime() + PROGRAMS_GONE_WAIT.toNanos();
        while (ourPrograms() > before) {
            if (System.nanoTime() > deadline) return false;
            pause(Duration.ofMillis(200));
        }
        return true;
    }

    static long ourPrograms() {
        return KernelPrograms.names().stream().filter(OUR_PROGRAMS::contains).count();
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted");
        }
    }
}

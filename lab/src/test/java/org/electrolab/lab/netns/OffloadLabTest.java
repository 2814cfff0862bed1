package org.electrolab.lab.netns;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.electrolab.lab.scenario.Scenario;
import org.electrolab.lab.scenario.ClientLoad;
import org.electrolab.protocol.config.Offload;
import org.electrolab.replica.node.ReplicaView;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Electrode's offloads end to end: replica processes in their own namespaces with the eBPF programs
 * attached, a client in another. The kernel counters prove the kernel did the work; a leader killed
 * with SIGKILL is replaced by a new view that serves with the offloads still on.
 */
class OffloadLabTest {

    private static final ClientLoad SHORT = new ClientLoad(2, Duration.ofSeconds(1), Duration.ofSeconds(3), 64);
    private static final Duration STATS_WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    final ThrowawayLab throwaway = new ThrowawayLab("the offloads in the netns lab");

    @ParameterizedTest(name = "{0} replicas")
    @ValueSource(ints = {3, 5, 7})
    void allOffloadsDoTheWorkAndSurviveALeaderKill(int replicas) throws Exception {
        Lab lab = throwaway.up(scenario(replicas, List.of(Offload.values())));
        int leader = normalLeader(lab, v -> true);
        assertThat(lab.status().hosts()).filteredOn(h -> h.host().isReplica())
                .allSatisfy(h -> assertThat(h.view().orElseThrow().offloadsLoaded()).isEqualTo("tc-broadcast,fast-reply,quorum-prune"));

        assertAnswered(lab.runClient(SHORT, throwaway.stateRoot().resolve("before.json")));
        Map<String, Long> leaderCounters = awaitCounters(lab, leader, c -> c.getOrDefault("tc-broadcast.broadcasts", 0L) > 100
                && c.getOrDefault("quorum-prune.quorum_passed", 0L) > 100);
        long broadcasts = leaderCounters.get("tc-broadcast.broadcasts");
        // User space sent each Prepare and Commit once; the leader's TC egress made every other copy.
        assertThat(leaderCounters.get("tc-broadcast.cloned") + leaderCounters.get("tc-broadcast.no_route")
                + leaderCounters.get("tc-broadcast.clone_failed")).isEqualTo(broadcasts * (replicas - 2));
        assertThat(leaderCounters.get("tc-broadcast.cloned")).isGreaterThan(broadcasts * (replicas - 2) * 9 / 10);
        // Only the PrepareOK that completes a quorum went up; the others were dropped in XDP.
        assertThat(leaderCounters.get("quorum-prune.dropped_late") + leaderCounters.get("quorum-prune.pruned"))
                .isGreaterThanOrEqualTo(leaderCounters.get("quorum-prune.quorum_passed") / 2);
        for (int follower = 0; follower < replicas; follower++) {
            if (follower == leader) continue;
            awaitCounters(lab, follower, c -> c.getOrDefault("fast-reply.fast_replied", 0L) > 50);
        }

        long oldView = view(lab, leader);
        ProcessHandle leaderProcess = Processes.fromPidFile(lab.state().pidFile("r" + leader)).orElseThrow();
        leaderProcess.destroyForcibly();
        assertThat(leaderProcess.onExit().get()).isNotNull();

        int newLeader = normalLeader(lab, v -> v.view() > oldView);
        assertThat(newLeader).isNotEqualTo(leader);
        assertAnswered(lab.runClient(SHORT, throwaway.stateRoot().resolve("after.json")));
        awaitCounters(lab, newLeader, c -> c.getOrDefault("tc-broadcast.broadcasts", 0L) > 100
                && c.getOrDefault("quorum-prune.quorum_passed", 0L) > 100);
    }

    @ParameterizedTest(name = "{0} alone")
    @EnumSource(Offload.class)
    void eachOffloadAloneServesAndCounts(Offload offload) throws Exception {
        Lab lab = throwaway.up(scenario(3, List.of(offload)));
        int leader = normalLeader(lab, v -> true);

        assertAnswered(lab.runClient(SHORT, throwaway.stateRoot().resolve("run.json")));
        switch (offload) {
            case TC_BROADCAST -> awaitCounters(lab, leader, c -> c.getOrDefault("tc-broadcast.cloned", 0L) > 100
                    && !c.containsKey("fast-reply.fast_replied") && !c.containsKey("quorum-prune.quorum_passed"));
            case QUORUM_PRUNE -> awaitCounters(lab, leader, c -> c.getOrDefault("quorum-prune.quorum_passed", 0L) > 100
                    && !c.containsKey("tc-broadcast.cloned"));
            case FAST_REPLY -> awaitCounters(lab, (leader + 1) % 3, c -> c.getOrDefault("fast-reply.fast_replied", 0L) > 100
                    && !c.containsKey("tc-broadcast.cloned"));
        }
    }

    /**
     * Docker's topology, or a user's own namespaces: veths whose peers have no XDP program, so every
     * PrepareOK a follower's fast_reply sends with XDP_TX is dropped and the leader commits only what
     * user space answers its resends (about 75 times slower than without offloads). Each follower
     * must see that, say it in one line naming the fix, turn fast reply off, and serve at user-space
     * speed again.
     */
    @org.junit.jupiter.api.Test
    void followersWhoseAnswersCannotArriveTurnFastReplyOffAndSaySo() throws Exception {
        Lab lab = throwaway.up(scenario(3, List.of(Offload.values())));
        int leader = normalLeader(lab, v -> true);
        for (String port : lab.network().bridgePortsByHost().values()) {
            Process ip = new ProcessBuilder("ip", "-n", lab.network().switchNetns(), "link", "set", "dev", port, "xdpdrv", "off")
                    .redirectErrorStream(true).start();
            assertThat(ip.waitFor()).as("ip link set dev %s xdpdrv off: %s", port, new String(ip.getInputStream().readAllBytes()))
                    .isZero();
        }

        // Shorter than the three windows a follower needs to notice: the rate with the answers lost.
        double brokenRate = rate(lab.runClient(new ClientLoad(2, Duration.ZERO, Duration.ofSeconds(2), 64), throwaway.stateRoot().resolve("broken.json")));
        lab.runClient(new ClientLoad(8, Duration.ofSeconds(1), Duration.ofSeconds(8), 64), throwaway.stateRoot().resolve("noticed.json"));
        // With 3 replicas one follower's PrepareOK commits an op: once one follower answers from
        // user space the leader stops resending, and the other may never need to notice.
        List<Integer> followers = IntStream.range(0, 3).filter(r -> r != leader).boxed().toList();
        Map<Integer, String> said = awaitLines(lab, followers, "fast-reply off: the leader resent");
        double afterRate = rate(lab.runClient(SHORT, throwaway.stateRoot().resolve("after.json")));

        said.forEach((follower, line) -> {
            assertThat(line).contains("replica " + follower + ": ").contains("do not arrive")
                    .contains("attach an XDP program to the peer of eth0").contains("--offload tc-broadcast,quorum-prune");
            assertThat(logLines(lab, follower).filter(l -> l.contains("fast-reply off:")).count())
                    .as("times replica %d said so", follower).isOne();
        });
        // Still off (the first try again comes a minute later), so the run after measured user space.
        for (int follower : said.keySet()) awaitStats(lab, follower, v -> v.path().contains("fast-reply off"));
        // Each request waits for a resend while the answers are lost (tens of ms); then a user-space round trip.
        assertThat(afterRate).as("requests/s once fast reply is off, against %.0f/s before", brokenRate)
                .isGreaterThan(Math.max(5 * brokenRate, 100));
    }

    @org.junit.jupiter.api.Test
    void downAfterAReplicaWasKilledLeavesNoProgramNamespaceOrProcess() throws Exception {
        long programsBefore = ourPrograms();
        Lab lab = throwaway.up(scenario(3, List.of(Offload.values())));
        normalLeader(lab, v -> true);
        assertThat(ourPrograms()).as("programs attached by the lab and its replicas").isGreaterThan(programsBefore);
        List<Long> pids = lab.status().hosts().stream().flatMap(h -> h.pids().stream()).toList();
        ProcessHandle replica = Processes.fromPidFile(lab.state().pidFile("r1")).orElseThrow();
        replica.destroyForcibly();
        replica.onExit().get();

        throwaway.down();

        TestLabs.assertNoNamespaces(throwaway.name());
        assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty());
        // The kernel dismantles a deleted namespace (its veths and their XDP programs) in the background,
        // also the namespaces of the test that ran before: their programs may still count in programsBefore.
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (ourPrograms() > programsBefore) {
            assertThat(Instant.now()).as("electrolab programs left in the kernel after lab down").isBefore(deadline);
            Thread.sleep(100);
        }
    }

    /** eBPF programs in the kernel with the names of electrolab's programs (bpftool prog show). */
    private static long ourPrograms() throws Exception {
        Process bpftool = new ProcessBuilder("bpftool", "-j", "prog", "show").redirectErrorStream(true).start();
        JsonNode programs = new ObjectMapper().readTree(bpftool.getInputStream());
        assertThat(bpftool.waitFor()).as("bpftool prog show").isZero();
        long count = 0;
        for (JsonNode p : programs) {
            if (List.of("fast_reply", "quorum_prune", "tc_broadcast", "xdp_pass").contains(p.path("name").asText())) count++;
        }
        return count;
    }

    private static Scenario scenario(int replicas, List<Offload> offloads) {
        Scenario shipped = TestLabs.scenario(replicas);
        return new Scenario(shipped.name(), replicas, offloads, "null", shipped.clusterId(), shipped.port(), SHORT);
    }

    /** Completed requests per second of a client run without errors (with the answers lost, possibly none). */
    private static double rate(Path runJson) throws Exception {
        JsonNode run = new ObjectMapper().readTree(runJson.toFile());
        assertThat(run.path("errors").asLong()).as("errors in %s", runJson.getFileName()).isZero();
        return run.path("throughputOpsPerSec").asDouble();
    }

    private static void assertAnswered(Path runJson) throws Exception {
        JsonNode run = new ObjectMapper().readTree(runJson.toFile());
        assertThat(run.path("completed").asLong()).as("completed requests").isGreaterThan(100);
        assertThat(run.path("errors").asLong()).as("errors").isZero();
    }

    /** The leader once every live replica is normal in one view that {@code viewOk} accepts. */
    private static int normalLeader(Lab lab, Predicate<ReplicaView> viewOk) throws InterruptedException {
        Instant deadline = Instant.now().plus(STATS_WAIT);
        while (true) {
            List<ReplicaView> live = lab.status().hosts().stream()
                    .filter(h -> h.host().isReplica() && !h.pids().isEmpty())
                    .map(Lab.HostStatus::view).flatMap(Optional::stream).filter(ReplicaView::running).toList();
            if (!live.isEmpty() && live.stream().allMatch(v -> v.isNormal() && viewOk.test(v))
                    && live.stream().map(ReplicaView::view).distinct().count() == 1) {
                return live.getFirst().leader();
            }
            assertThat(Instant.now()).as("replicas normal in one view: %s", live).isBefore(deadline);
            Thread.sleep(50);
        }
    }

    /** The stats of {@code replica} once its stats file (rewritten 4 times a second) satisfies {@code done}. */
    private static ReplicaView awaitStats(Lab lab, int replica, Predicate<ReplicaView> done) throws InterruptedException {
        Instant deadline = Instant.now().plus(STATS_WAIT);
        while (true) {
            Optional<ReplicaView> view = ReplicaView.read(lab.state().stats(replica));
            if (view.filter(done).isPresent()) return view.get();
            assertThat(Instant.now()).as("stats of replica %d: %s", replica, view).isBefore(deadline);
            Thread.sleep(100);
        }
    }

    /** Per replica of {@code replicas} whose log has one, its first line containing {@code text}, once at least one has. */
    private static Map<Integer, String> awaitLines(Lab lab, List<Integer> replicas, String text) throws InterruptedException {
        Instant deadline = Instant.now().plus(STATS_WAIT);
        while (true) {
            Map<Integer, String> lines = new TreeMap<>();
            for (int r : replicas) logLines(lab, r).filter(l -> l.contains(text)).findFirst().ifPresent(l -> lines.put(r, l));
            if (!lines.isEmpty()) return lines;
            assertThat(Instant.now()).as("a line with '%s' in the logs of replicas %s", text, replicas).isBefore(deadline);
            Thread.sleep(100);
        }
    }

    private static Stream<String> logLines(Lab lab, int replica) {
        Path log = lab.state().log("r" + replica);
        try {
            return Files.exists(log) ? Files.readString(log).lines() : Stream.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long view(Lab lab, int replica) {
        return ReplicaView.read(lab.state().stats(replica)).orElseThrow().view();
    }

    /** The kernel counters of {@code replica} once its stats file satisfies {@code done}. */
    private static Map<String, Long> awaitCounters(Lab lab, int replica, Predicate<Map<String, Long>> done)
            throws InterruptedException {
        return awaitStats(lab, replica, v -> done.test(v.kernel())).kernel();
    }
}

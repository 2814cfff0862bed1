package org.electrolab.lab.netns;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.electrolab.lab.scenario.Scenario;
import org.electrolab.lab.scenario.ClientLoad;
import org.electrolab.protocol.Kv;
import org.electrolab.protocol.Message;
import org.electrolab.protocol.Message.*;
import org.electrolab.protocol.MessageCodec;
import org.electrolab.protocol.Wire;
import org.electrolab.protocol.config.Offload;
import org.electrolab.replica.transport.DropReason;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile input (issue 6, item 5): from the lab's client namespace, a host that is no member, every
 * replica-to-replica message is sent to every replica of a running 3-replica lab, claiming a
 * member's sender index with the right cluster id, from a socket bound to the cluster port; then
 * the same with a foreign cluster id, bad magic and version, truncated frames, non-canonical
 * headers, random bytes, and IP-fragmented datagrams (which the XDP programs pass up untouched).
 * Then the messages claiming the leader's index from the leader's own host and address but another
 * port (a process there that is not the replica), to the followers. Nothing may answer, no replica
 * may move, every drop must be counted where the frame died: in the kernel (offloads all) or in user
 * space (offloads none, and the fragments with offloads all). A sender that forges a member's
 * address and port is not covered: VR has no authentication (docs/wire-format.md, Hostile input).
 */
class HostileInputTest {

    private static final ClientLoad LOAD = new ClientLoad(2, Duration.ofSeconds(1), Duration.ofSeconds(3), 64);
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** How long the sender listens for an answer after its last datagram. */
    private static final long LISTEN_MILLIS = 2000;
    /** Bigger than a lab veth's MTU: the datagram leaves as IP fragments. */
    private static final int FRAGMENTED_PAYLOAD = 6000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Entry ENTRY = new Entry(List.of(new Request(4242, 1, Kv.encode(new Kv.Put("hostile", "value")))));
    private static final Entry BIG = new Entry(List.of(new Request(4242, 2, new byte[FRAGMENTED_PAYLOAD])));

    /** What el_parse_xdp (bpf/electrolab_bpf.h) makes of a frame. */
    enum Kernel {
        /** dropped_foreign: another cluster, or a member index not from that member's address and port */
        FOREIGN,
        /** dropped_invalid: malformed */
        INVALID,
        /** an IP fragment, not parsed: left to the stack, reassembled, and judged in user space */
        FRAGMENT
    }

    /** One crafted datagram and where it must be dropped. */
    record Hostile(String what, byte[] bytes, DropReason userSpace, Kernel kernel) {}

    @RegisterExtension
    final ThrowawayLab throwaway = new ThrowawayLab("hostile input in the netns lab");

    @ParameterizedTest(name = "offloads {0}")
    @ValueSource(strings = {"all", "none"})
    void aNonMemberCannotMakeAReplicaAnswerMoveOrCrash(String offloads) throws Exception {
        boolean kernel = offloads.equals("all");
        Scenario shipped = TestLabs.scenario(3);
        int port = shipped.port();
        Lab lab = throwaway.up(new Scenario(shipped.name(), 3, kernel ? List.of(Offload.values()) : List.of(),
                "kv", shipped.clusterId(), port, LOAD));
        assertAnswered(lab.runClient(LOAD, throwaway.stateRoot().resolve("before.json")));

        List<JsonNode> before = settled(lab);
        long view = before.getFirst().path("view").asLong(), op = before.getFirst().path("op").asLong();
        int leader = before.getFirst().path("leader").asInt();
        List<Hostile> hostile = hostile((int) shipped.clusterId(), view, leader, op);
        List<String> output = send(lab, lab.network().client(), port, hostile, List.of(0, 1, 2));
        assertThat(output).as("sender output").contains("sent " + hostile.size() * 3, "answers 0");
        assertDroppedAndUnmoved(lab, before, hostile, List.of(0, 1, 2), kernel, "offloads " + offloads + ", from the client host");

        // The leader's own address, but not its port: another process on the leader's host.
        before = settled(lab);
        MessageCodec codec = new MessageCodec((int) shipped.clusterId());
        List<Hostile> fromLeaderHost = new ArrayList<>();
        for (Message m : claimed(view, leader, op)) {
            if (m.sender() == leader) fromLeaderHost.add(new Hostile(m.toString(), codec.encode(m), DropReason.NON_MEMBER_SOURCE, Kernel.FOREIGN));
        }
        Prepare big = new Prepare(view, leader, op + 1, op, BIG);
        fromLeaderHost.add(new Hostile("fragmented " + big, codec.encode(big), DropReason.NON_MEMBER_SOURCE, Kernel.FRAGMENT));
        List<Integer> followers = List.of((leader + 1) % 3, (leader + 2) % 3);
        output = send(lab, lab.network().replicas().get(leader), port + 1, fromLeaderHost, followers);
        assertThat(output).as("sender output").contains("sent " + fromLeaderHost.size() * 2, "answers 0");
        assertDroppedAndUnmoved(lab, before, fromLeaderHost, followers, kernel,
                "offloads " + offloads + ", from the leader's host, port " + (port + 1));

        assertAnswered(lab.runClient(LOAD, throwaway.stateRoot().resolve("after.json")));
    }

    /**
     * Every replica in {@code targets} counted each of {@code hostile} where it must die (in its XDP
     * program when {@code kernel}, else or for fragments in user space), none acknowledged in the
     * kernel, and no replica moved or stopped.
     */
    private static void assertDroppedAndUnmoved(Lab lab, List<JsonNode> before, List<Hostile> hostile, List<Integer> targets,
                                                boolean kernel, String how) throws Exception {
        Map<DropReason, Long> userSpace = new EnumMap<>(DropReason.class);
        long foreign = 0, invalid = 0;
        for (Hostile h : hostile) {
            if (!kernel || h.kernel() == Kernel.FRAGMENT) userSpace.merge(h.userSpace(), 1L, Long::sum);
            if (kernel && h.kernel() == Kernel.FOREIGN) foreign++;
            if (kernel && h.kernel() == Kernel.INVALID) invalid++;
        }
        long expectedForeign = foreign, expectedInvalid = invalid;
        for (int replica = 0; replica < 3; replica++) {
            JsonNode was = before.get(replica);
            String who = "replica " + replica + " (" + how + ")";
            JsonNode now = stats(lab, replica);
            if (targets.contains(replica)) {
                now = await(lab, replica, s -> kernelCounter(s, "dropped_foreign") - kernelCounter(was, "dropped_foreign") >= expectedForeign
                        && kernelCounter(s, "dropped_invalid") - kernelCounter(was, "dropped_invalid") >= expectedInvalid
                        && userSpace.entrySet().stream().allMatch(e -> drops(s, e.getKey()) - drops(was, e.getKey()) >= e.getValue()));
                assertThat(kernelCounter(now, "dropped_foreign") - kernelCounter(was, "dropped_foreign")).as(who + " kernel dropped_foreign").isEqualTo(expectedForeign);
                assertThat(kernelCounter(now, "dropped_invalid") - kernelCounter(was, "dropped_invalid")).as(who + " kernel dropped_invalid").isEqualTo(expectedInvalid);
                for (DropReason reason : DropReason.values()) {
                    assertThat(drops(now, reason) - drops(was, reason)).as(who + " user-space drops " + reason)
                            .isEqualTo(userSpace.getOrDefault(reason, 0L));
                }
            }
            assertThat(kernelCounter(now, "fast_replied") - kernelCounter(was, "fast_replied")).as(who + " fast_replied").isZero();
            for (String field : List.of("view", "status", "leader", "op", "commit")) {
                assertThat(now.path(field)).as(who + " " + field).isEqualTo(was.path(field));
            }
            assertThat(now.path("running").asBoolean()).as(who + " running").isTrue();
            assertThat(Processes.fromPidFile(lab.state().pidFile("r" + replica)).filter(ProcessHandle::isAlive))
                    .as(who + " process").isPresent();
        }
    }

    /** Every message replicas exchange, claiming a member's index, that would move a replica if believed. */
    private static List<Message> claimed(long view, int leader, long op) {
        int follower = (leader + 1) % 3, other = (leader + 2) % 3;
        List<Message> claimed = new ArrayList<>(List.of(
                new Prepare(view, leader, op + 1, op, ENTRY),
                new Prepare(view, leader, op, op, ENTRY),
                new Prepare(view, leader, 1, op, ENTRY),
                new Prepare(view + 1, follower, op + 1, op, ENTRY),
                new PrepareOk(view, follower, op + 1, 0),
                new PrepareOk(view, other, op + 1, 0),
                new PrepareOk(view, follower, op, 0),
                new Commit(view, leader, op + 1000),
                new StartView(view + 1, follower, view, op + 5, op + 5),
                new RecoveryResponse(view + 1, leader, 99, true, op + 5, op + 5),
                new GetState(view, leader, 0),
                new GetState(view, follower, 0),
                new NewState(view, leader, op + 2, op + 2, op + 1, List.of(ENTRY, ENTRY)),
                new Reply(view, leader, 4242, 1, "ok".getBytes(StandardCharsets.UTF_8))));
        for (int member = 0; member < 3; member++) {
            claimed.add(new StartViewChange(view + 1, member));
            claimed.add(new DoViewChange(view + 1, member, view, op + 5, op + 5));
            claimed.add(new Recovery(member, 77 + member));
        }
        return claimed;
    }

    /**
     * The frames, for a cluster whose leader {@code leader} leads {@code view} with ops and commits
     * up to {@code op}: what would move a replica if it were believed (the next op, a commit far
     * ahead, a higher view, a recovery), in every message type replicas exchange.
     */
    private static List<Hostile> hostile(int clusterId, long view, int leader, long op) {
        MessageCodec codec = new MessageCodec(clusterId);
        MessageCodec stranger = new MessageCodec(clusterId + 1);
        int follower = (leader + 1) % 3;
        List<Hostile> frames = new ArrayList<>();
        for (Message m : claimed(view, leader, op)) frames.add(new Hostile(m.toString(), codec.encode(m), DropReason.NON_MEMBER_SOURCE, Kernel.FOREIGN));

        for (Message m : List.of(new Prepare(view, leader, op + 1, op, ENTRY), new Commit(view, leader, op + 1000),
                new StartViewChange(view + 1, follower), new Request(4242, 1, Kv.encode(new Kv.Get("hostile"))))) {
            frames.add(new Hostile("foreign cluster " + m, stranger.encode(m), DropReason.FOREIGN_CLUSTER, Kernel.FOREIGN));
        }

        byte[] commit = codec.encode(new Commit(view, leader, op + 1000));
        byte[] prepare = codec.encode(new Prepare(view, leader, op + 1, op, ENTRY));
        byte[] request = codec.encode(new Request(4242, 1, Kv.encode(new Kv.Get("hostile"))));
        frames.add(new Hostile("bad magic", patch(commit, 0, 0x00), DropReason.BAD_MAGIC, Kernel.INVALID));
        frames.add(new Hostile("version 2", patch(commit, 4, 2), DropReason.BAD_VERSION, Kernel.INVALID));
        frames.add(new Hostile("type 200", patch(commit, 5, 200), DropReason.UNKNOWN_TYPE, Kernel.INVALID));
        frames.add(new Hostile("Request with a member's sender index", patch(request, 6, leader), DropReason.BAD_BODY, Kernel.INVALID));
        frames.add(new Hostile("Commit with the client sender index", patch(commit, 6, Wire.SENDER_CLIENT), DropReason.BAD_BODY, Kernel.INVALID));
        frames.add(new Hostile("Commit with sender index 20", patch(commit, 6, 20), DropReason.BAD_BODY, Kernel.INVALID));
        frames.add(new Hostile("Commit with its unused op field set", patch(commit, 24, 1), DropReason.BAD_BODY, Kernel.INVALID));
        frames.add(new Hostile("1 byte", Arrays.copyOf(prepare, 1), DropReason.TRUNCATED, Kernel.INVALID));
        frames.add(new Hostile("20 bytes of a Prepare", Arrays.copyOf(prepare, 20), DropReason.TRUNCATED, Kernel.INVALID));
        frames.add(new Hostile("47 bytes of a Prepare", Arrays.copyOf(prepare, Wire.HEADER_SIZE - 1), DropReason.TRUNCATED, Kernel.INVALID));
        frames.add(new Hostile("a Prepare's header alone", Arrays.copyOf(prepare, Wire.HEADER_SIZE), DropReason.BAD_BODY, Kernel.INVALID));
        frames.add(new Hostile("a Prepare 5 bytes short", Arrays.copyOf(prepare, prepare.length - 5), DropReason.BAD_BODY, Kernel.INVALID));
        // Header and body size agree, so the kernel gets as far as the sender's address; user space
        // refuses the body before it looks at the source.
        frames.add(new Hostile("Prepare whose batch count is 1000", patchInt(prepare, Wire.HEADER_SIZE, 1000), DropReason.BAD_BODY, Kernel.FOREIGN));

        Random random = new Random(6);
        for (int i = 0; i < 10; i++) {
            byte[] noise = new byte[i < 4 ? 1 + random.nextInt(Wire.HEADER_SIZE - 1) : Wire.HEADER_SIZE + random.nextInt(1400)];
            random.nextBytes(noise);
            if (noise.length >= 4 && ByteBuffer.wrap(noise).order(ByteOrder.LITTLE_ENDIAN).getInt() == Wire.MAGIC) noise[0] ^= 1;
            frames.add(new Hostile(noise.length + " random bytes", noise,
                    noise.length < Wire.HEADER_SIZE ? DropReason.TRUNCATED : DropReason.BAD_MAGIC, Kernel.INVALID));
        }

        Prepare bigPrepare = new Prepare(view, leader, op + 1, op, BIG);
        frames.add(new Hostile("fragmented " + bigPrepare, codec.encode(bigPrepare), DropReason.NON_MEMBER_SOURCE, Kernel.FRAGMENT));
        NewState bigState = new NewState(view, leader, op + 1, op + 1, op + 1, List.of(BIG));
        frames.add(new Hostile("fragmented " + bigState, codec.encode(bigState), DropReason.NON_MEMBER_SOURCE, Kernel.FRAGMENT));
        frames.add(new Hostile("fragmented foreign cluster " + bigPrepare, stranger.encode(bigPrepare), DropReason.FOREIGN_CLUSTER, Kernel.FRAGMENT));
        byte[] tooLarge = Arrays.copyOf(commit, Wire.MESSAGE_SIZE_MAX + 100);
        frames.add(new Hostile("Commit padded to " + tooLarge.length + " bytes", tooLarge, DropReason.TOO_LARGE, Kernel.FRAGMENT));
        return frames;
    }

    private static byte[] patch(byte[] frame, int offset, int value) {
        byte[] copy = frame.clone();
        copy[offset] = (byte) value;
        return copy;
    }

    private static byte[] patchInt(byte[] frame, int offset, int value) {
        byte[] copy = frame.clone();
        ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putInt(offset, value);
        return copy;
    }

    /** Runs HostileSender on {@code from}, bound to {@code bindPort}, against replicas {@code targets}; its output lines. */
    private List<String> send(Lab lab, Host from, int bindPort, List<Hostile> hostile, List<Integer> targets) throws Exception {
        Path file = Files.createTempFile(throwaway.stateRoot(), "hostile", ".frames");
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
            for (Hostile h : hostile) {
                out.writeInt(h.bytes().length);
                out.write(h.bytes());
            }
        }
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), HostileSender.class.getName(), file.toString(),
                Integer.toString(bindPort), Integer.toString(lab.scenario().port()), Long.toString(LISTEN_MILLIS)));
        for (int target : targets) command.add(lab.network().replicas().get(target).address());
        Process sender = new ProcessBuilder(new Netns(from.netns(), new CommandRunner()).execCommand(command))
                .redirectErrorStream(true).start();
        try {
            assertThat(sender.waitFor(60, TimeUnit.SECONDS)).as("hostile sender finished").isTrue();
            List<String> lines = new String(sender.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            assertThat(sender.exitValue()).as("hostile sender exit code; output %s", lines).isZero();
            return lines;
        } finally {
            sender.destroyForcibly();
        }
    }

    /**
     * The stats of replicas 0, 1, 2 once they are all normal in one view with every
     * op committed everywhere (the client is done, so nothing moves them any more).
     */
    private static List<JsonNode> settled(Lab lab) throws Exception {
        Instant deadline = Instant.now().plus(WAIT);
        while (true) {
            List<JsonNode> all = new ArrayList<>();
            for (int r = 0; r < 3; r++) all.add(stats(lab, r));
            boolean settled = all.stream().allMatch(s -> s.path("running").asBoolean() && "NORMAL".equals(s.path("status").asText())
                    && s.path("view").equals(all.getFirst().path("view")) && s.path("op").equals(all.getFirst().path("op"))
                    && s.path("commit").equals(s.path("op")));
            if (settled) return all;
            assertThat(Instant.now()).as("replicas settled: %s", all).isBefore(deadline);
            Thread.sleep(100);
        }
    }

    private static JsonNode stats(Lab lab, int replica) throws Exception {
        Path file = lab.state().stats(replica);
        return Files.isRegularFile(file) ? JSON.readTree(file.toFile()) : JSON.createObjectNode();
    }

    private static JsonNode await(Lab lab, int replica, Predicate<JsonNode> done) throws Exception {
        Instant deadline = Instant.now().plus(WAIT);
        while (true) {
            JsonNode s = stats(lab, replica);
            if (done.test(s)) return s;
            assertThat(Instant.now()).as("stats of replica %d: %s", replica, s).isBefore(deadline);
            Thread.sleep(100);
        }
    }

    private static long drops(JsonNode stats, DropReason reason) {
        return stats.path("drops").path(reason.name()).asLong();
    }

    /** {@code counter} summed over the XDP programs (fast_reply while following, quorum_prune while leading). */
    private static long kernelCounter(JsonNode stats, String counter) {
        long sum = 0;
        for (var e : stats.path("kernel").properties()) if (e.getKey().endsWith("." + counter)) sum += e.getValue().asLong();
        return sum;
    }

    private static void assertAnswered(Path runJson) throws Exception {
        JsonNode run = JSON.readTree(runJson.toFile());
        assertThat(run.path("completed").asLong()).as("completed requests").isGreaterThan(100);
        assertThat(run.path("errors").asLong()).as("errors").isZero();
    }
}

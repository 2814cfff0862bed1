package org.electrolab.lab.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.electrolab.protocol.testing.RootRequirement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Link faults on the real kernel: a three-replica lab network without replicas, UDP echo programs
 * in the host namespaces, and the faults measured in what the senders get back.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class LinkFaultsTest {
    private static final String PORT = "9000";
    private static final int SIZE = 200;
    private static final Pattern RESULT = Pattern.compile("replies=(\\d+) distinct=(\\d+) ordered=(true|false) micros=(\\d+)");

    /** What a sender got back (see {@link UdpTraffic}). */
    private record Result(int replies, int distinct, boolean ordered, long micros) {}

    private final CommandRunner runner = new CommandRunner(Duration.ofSeconds(60));
    private final List<Process> started = new ArrayList<>();
    private final String name = TestLabs.uniqueName();
    @TempDir
    Path stateRoot;
    private Locations paths;
    private Network network;
    private LinkFaults faults;
    private Host r0;
    private Host r1;
    private Host r2;
    private Host client;

    @BeforeEach
    void createLabWithEchoes() throws Exception {
        RootRequirement.require("link faults in the netns lab");
        paths = new Locations(TestLabs.repo(), stateRoot);
        Lab lab = Lab.create(paths, name, TestLabs.scenario(3), runner);
        network = lab.network();
        faults = LinkFaults.of(lab);
        r0 = network.host("r0");
        r1 = network.host("r1");
        r2 = network.host("r2");
        client = network.host("client");
        for (Host host : List.of(r0, r1, r2)) startEcho(host);
    }

    @AfterEach
    void cleanUp() {
        started.forEach(Process::destroyForcibly);
        if (RootRequirement.isRoot()) Lab.down(paths, name);
    }

    @Test
    void lossDropsAboutTheFractionDeliveredToTheHostAndCountsIt() throws Exception {
        faults.loss(0.5, List.of(r1));

        Result result = pingpong(r0, r1, 400);

        assertThat(result.distinct()).as("datagrams answered of 400 at 50%% loss").isBetween(100, 300);
        Map<String, Long> counters = faults.counters(r1);
        assertThat(counters.get("seen")).isEqualTo(400);
        assertThat(counters.get("dropped_loss")).isEqualTo(400L - result.distinct());
        assertThat(counters.get("dropped_partition")).isZero();
        assertThat(faults.counters(r0).get("seen")).as("the answers' port has no fault").isZero();
        assertThat(pingpong(r0, r2, 50).distinct()).as("r2 has no fault").isEqualTo(50);
    }

    @Test
    void duplicateDeliversEveryDatagramTwice() throws Exception {
        faults.duplicate(1.0, List.of(r1));

        Result result = pingpong(r0, r1, 100);

        assertThat(result.distinct()).isEqualTo(100);
        assertThat(result.replies()).as("answers to 100 datagrams delivered twice").isEqualTo(200);
        assertThat(faults.counters(r1)).containsEntry("seen", 100L).containsEntry("duplicated", 100L).containsEntry("dropped_loss", 0L);
    }

    @Test
    void partitionCutsReplicasApartButNotTheClient() throws Exception {
        faults.partition(List.of(r0));

        assertThat(pingpong(r0, r1, 20).distinct()).as("r0 to r1").isZero();
        assertThat(pingpong(r2, r0, 20).distinct()).as("r2 to r0").isZero();
        assertThat(pingpong(r1, r2, 20).distinct()).as("r1 to r2, same side").isEqualTo(20);
        assertThat(pingpong(client, r0, 20).distinct()).as("client to r0").isEqualTo(20);
        assertThat(pingpong(client, r1, 20).distinct()).as("client to r1").isEqualTo(20);
        assertThat(faults.counters(r1).get("dropped_partition")).as("r0's datagrams dropped at r1").isEqualTo(20);
        assertThat(faults.counters(r0).get("dropped_partition")).as("r2's datagrams dropped at r0").isEqualTo(20);

        faults.partition(List.of(r2));

        assertThat(pingpong(r0, r1, 20).distinct()).as("r0 to r1 after the partition moved").isEqualTo(20);
        assertThat(pingpong(r1, r2, 20).distinct()).as("r1 to r2 after the partition moved").isZero();
        assertThatThrownBy(() -> faults.partition(List.of(client))).isInstanceOf(LabException.class)
                .hasMessageContaining("client is not a replica");
    }

    @Test
    void slowDelaysQueuedDatagramsAndReordersThemWithTheFastOnes() throws Exception {
        Result fast = burst(r0, r1, 40);
        faults.slow(1.0, List.of(r1));

        Result slow = burst(r0, r1, 40);

        // 40 frames of 242 bytes at 1 Mbit/s: the last leaves the slow class 39 x 1.94 ms after the
        // first, less the class's burst (about one frame), however fast or slow this machine is.
        assertThat(slow.distinct()).isEqualTo(40);
        assertThat(slow.micros()).as("micros until the last of 40 answers (%d without the fault)", fast.micros()).isGreaterThan(70_000);
        assertThat(faults.counters(r1)).containsEntry("seen", 40L).containsEntry("slowed", 40L);

        faults.slow(0.5, List.of(r1));
        Result half = burst(r0, r1, 100);

        assertThat(half.distinct()).isEqualTo(100);
        assertThat(half.ordered()).as("answers in sending order with half the datagrams slowed").isFalse();
        assertThat(faults.counters(r1).get("slowed")).isBetween(40L + 20, 40L + 80);
    }

    @Test
    void healRestoresDeliveryAndLeavesThePortsAsLabUpMadeThem() throws Exception {
        Map<String, String> before = portState();
        faults.heal();
        assertThat(portState()).as("heal with no faults").isEqualTo(before);

        faults.loss(1.0, List.of(r1));
        faults.duplicate(0.5, List.of(r2));
        faults.slow(0.5, network.hosts());
        faults.partition(List.of(r0));
        assertThat(pingpong(client, r1, 10).distinct()).as("client to r1 at 100%% loss").isZero();

        faults.heal();

        assertThat(portState()).isEqualTo(before);
        assertThat(before.values()).allSatisfy(state -> assertThat(state).isEqualTo("xdp"));
        assertThat(pingpong(r0, r1, 50).replies()).isEqualTo(50);
        assertThat(pingpong(r2, r0, 50).replies()).isEqualTo(50);
        assertThat(faults.counters(r1).values()).allSatisfy(count -> assertThat(count).isZero());
        faults.heal();
        assertThat(portState()).isEqualTo(before);
        assertThatThrownBy(() -> faults.loss(1.5, List.of(r1))).isInstanceOf(LabException.class)
                .hasMessageContaining("loss: fraction 1.5 is out of range");

        Lab.down(paths, name);
        faults.heal();
    }

    /**
     * Per port: what is attached besides the defaults. "xdp" alone is what lab up leaves (XDP_PASS);
     * any qdisc other than noqueue, or any egress filter, is listed after it.
     */
    private Map<String, String> portState() {
        Netns sw = new Netns(network.switchNetns(), runner);
        ObjectMapper json = new ObjectMapper();
        Map<String, String> state = new TreeMap<>();
        network.bridgePortsByHost().forEach((host, port) -> {
            try {
                List<String> parts = new ArrayList<>();
                if (sw.ip("link", "show", "dev", port).contains(" xdp")) parts.add("xdp");
                for (JsonNode qdisc : json.readTree(sw.exec("tc", "-j", "qdisc", "show", "dev", port))) {
                    if (!qdisc.path("kind").asText().equals("noqueue")) parts.add("qdisc " + qdisc.path("kind").asText());
                }
                String filters = sw.exec("tc", "filter", "show", "dev", port, "egress").strip();
                if (!filters.isEmpty()) parts.add("filters " + filters);
                state.put(host, String.join(", ", parts));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        return state;
    }

    private void startEcho(Host host) throws Exception {
        Process echo = new ProcessBuilder(new Netns(host.netns(), runner).execCommand(java("echo", PORT)))
                .redirectErrorStream(true).start();
        started.add(echo);
        assertThat(TestLabs.firstLine(echo, Duration.ofSeconds(60))).as("echo in " + host.netns()).isEqualTo("ready");
    }

    private Result pingpong(Host from, Host to, int count) {
        return send("pingpong", from, to, count);
    }

    private Result burst(Host from, Host to, int count) {
        return send("burst", from, to, count);
    }

    private Result send(String mode, Host from, Host to, int count) {
        String line = new Netns(from.netns(), runner)
                .exec(java(mode, to.address(), PORT, Integer.toString(count), Integer.toString(SIZE)).toArray(String[]::new)).strip();
        Matcher m = RESULT.matcher(line);
        assertThat(m.matches()).as("sender output: " + line).isTrue();
        return new Result(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Boolean.parseBoolean(m.group(3)),
                Long.parseLong(m.group(4)));
    }

    private static List<String> java(String... args) {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), UdpTraffic.class.getName()));
        command.addAll(List.of(args));
        return command;
    }
}

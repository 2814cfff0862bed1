package org.electrolab.replica.offload;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import org.electrolab.protocol.Message;
import org.electrolab.protocol.Wire;
import org.electrolab.protocol.testing.RootRequirement;
import org.electrolab.protocol.config.Offload;
import org.electrolab.replica.core.Effects;
import org.electrolab.replica.core.Status;
import org.junit.jupiter.api.Test;

/**
 * The three offloads together on five namespaced hosts (f = 2), every replica loading all three as
 * a replica with {@code --offload all} does: the leader sends one Prepare; tc_broadcast clones it,
 * every follower's fast_reply records it and answers from XDP, and the leader's quorum_prune lets
 * exactly the second PrepareOK reach its socket, carrying both acks. The leader's kernel verifies
 * the PrepareOKs' checksums (they arrive as full-checksum frames), so arriving proves them right.
 */
class OffloadPipelineTest {

    private static final int LEADER = 0;
    private final TestCluster cluster = new TestCluster(2);

    @Test
    void onePrepareIsReplicatedAndCommittedByTheKernelPath() throws Exception {
        RootRequirement.require("the offload pipeline namespace test");
        int n = cluster.members.size();
        List<LoadedPrograms> replicas = new ArrayList<>();
        List<XdpPass> bridgeSide = new ArrayList<>();
        List<DatagramSocket> sockets = new ArrayList<>();
        try (BridgeLab lab = BridgeLab.create("pipe", n)) {
            lab.node(LEADER).sysctl("net.ipv4.conf.eth0.forwarding", "1");
            for (int i = 0; i < n; i++) {
                int ifindex = lab.bridge.ifindex("v" + i);
                bridgeSide.add(lab.bridge.call(() -> XdpPass.attach(ifindex)));
            }
            for (int i = 0; i < n; i++) {
                int me = i, ifindex = lab.node(i).ifindex("eth0");
                InetSocketAddress address = new InetSocketAddress(cluster.members.get(i), TestCluster.PORT);
                sockets.add(lab.node(i).call(() -> {
                    DatagramSocket socket = new DatagramSocket(address);
                    socket.setSoTimeout(5000);
                    return socket;
                }));
                replicas.add(lab.node(i).call(() -> {
                    LoadedPrograms o = LoadedPrograms.load(cluster.config(me), EnumSet.allOf(Offload.class));
                    o.mirror(new Effects.KernelState(1, Status.NORMAL, LEADER, me, 0, 0));
                    o.attach(ifindex);
                    return o;
                }));
            }
            lab.resolveNeighbours(LEADER, cluster);
            assertThat(replicas.get(LEADER).xdp().program()).isEqualTo("quorum_prune");
            assertThat(replicas.get(1).xdp().program()).isEqualTo("fast_reply");
            assertThat(replicas.get(1).xdp().mode()).isEqualTo(XdpAttachment.Mode.NATIVE);

            Message.Prepare prepare = TestCluster.prepare(1, LEADER, 1, 4, 64);
            byte[] sent = TestCluster.CODEC.encode(prepare, Wire.FLAG_BROADCAST);
            DatagramSocket leaderSocket = sockets.get(LEADER);
            leaderSocket.send(new DatagramPacket(sent, sent.length, cluster.members.get(1), TestCluster.PORT));

            DatagramPacket packet = new DatagramPacket(new byte[Wire.MESSAGE_SIZE_MAX], Wire.MESSAGE_SIZE_MAX);
            leaderSocket.receive(packet);
            byte[] got = Arrays.copyOf(packet.getData(), packet.getLength());
            assertThat(got[Wire.OFFSET_FLAGS]).isEqualTo((byte) Wire.FLAG_QUORUM);
            Message.PrepareOk ok = (Message.PrepareOk) TestCluster.CODEC.decode(got);
            assertThat(ok.view()).isEqualTo(1);
            assertThat(ok.op()).isEqualTo(1);
            assertThat(Long.bitCount(ok.acks())).isEqualTo(cluster.f);
            assertThat(ok.acks() & (1L << ok.sender())).isNotZero();
            assertThat(ok.acks() & 1L).as("the leader's own bit").isZero();

            Map<String, Long> leaderCounters = awaitCounters(replicas.get(LEADER), Offload.QUORUM_PRUNE,
                    c -> c.get("pruned") + c.get("quorum_passed") + c.get("dropped_late") == n - 1);
            assertThat(leaderCounters).containsEntry("quorum_passed", 1L).containsEntry("pruned", 1L)
                    .containsEntry("dropped_late", 2L).containsEntry("dropped_invalid", 0L);
            assertThat(replicas.get(LEADER).counters(Offload.TC_BROADCAST)).containsEntry("cloned", 3L);
            for (int i = 1; i < n; i++) {
                LoadedPrograms follower = replicas.get(i);
                assertThat(follower.counters(Offload.FAST_REPLY)).as("follower %d", i).containsEntry("fast_replied", 1L);
                assertThat(follower.drainAllPrepares(Duration.ofSeconds(1))).as("follower %d", i).containsExactly(prepare);
                assertThat(follower.readState().lastOp()).isEqualTo(1);
            }

            // Follower 1 becomes leader of view 2: its XDP program changes with its role.
            replicas.get(1).mirror(new Effects.KernelState(2, Status.NORMAL, 1, 1, 1, 1));
            assertThat(replicas.get(1).xdp().program()).isEqualTo("quorum_prune");
        } finally {
            sockets.forEach(DatagramSocket::close);
            replicas.forEach(LoadedPrograms::close);
            bridgeSide.forEach(XdpPass::close);
        }
    }

    private static Map<String, Long> awaitCounters(LoadedPrograms offloads, Offload offload,
                                                   java.util.function.Predicate<Map<String, Long>> done) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        Map<String, Long> counters = offloads.counters(offload);
        while (!done.test(counters)) {
            if (System.nanoTime() > deadline) throw new AssertionError("counters did not settle: " + counters);
            LockSupport.parkNanos(10_000_000); // between polls of the counters
            counters = offloads.counters(offload);
        }
        return counters;
    }
}

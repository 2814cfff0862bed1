package org.electrolab.replica.offload;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import org.electrolab.protocol.Message;
import org.electrolab.protocol.Wire;
import org.electrolab.protocol.testing.RootRequirement;
import org.electrolab.protocol.config.Offload;
import org.electrolab.replica.core.Status;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * tc_broadcast on a real egress: a leader and four followers on a bridge, each in its namespace.
 * One datagram with the broadcast flag, sent to follower 1, reaches every follower's socket, with
 * the flag cleared. With the leader's checksum offload off the datagrams carry full checksums that
 * the followers' kernels verify (a bad one is dropped, so arriving proves it right); with it on,
 * the partial checksum path is exercised.
 */
class TcBroadcastNamespaceTest {

    private static final int LEADER = 0;
    private final TestCluster cluster = new TestCluster(2);

    @ParameterizedTest(name = "checksum offload {0}")
    @ValueSource(booleans = {false, true})
    void oneSendReachesEveryFollower(boolean checksumOffload) throws Exception {
        RootRequirement.require("the tc_broadcast namespace test");
        List<DatagramSocket> receivers = new ArrayList<>();
        LoadedPrograms offloads = null;
        try (BridgeLab lab = BridgeLab.create("tcb", cluster.members.size())) {
            Netns leader = lab.node(LEADER);
            leader.sysctl("net.ipv4.conf.eth0.forwarding", "1"); // bpf_fib_lookup answers only where forwarding is on
            if (!checksumOffload) leader.exec("ethtool", "-K", "eth0", "tx", "off");
            for (int i = 1; i < cluster.members.size(); i++) {
                InetSocketAddress address = new InetSocketAddress(cluster.members.get(i), TestCluster.PORT);
                receivers.add(lab.node(i).call(() -> {
                    DatagramSocket socket = new DatagramSocket(address);
                    socket.setSoTimeout(5000);
                    return socket;
                }));
            }
            lab.resolveNeighbours(LEADER, cluster);
            int ifindex = leader.ifindex("eth0");
            offloads = leader.call(() -> {
                LoadedPrograms o = cluster.load(LEADER, Offload.TC_BROADCAST);
                o.writeState(cluster.state(1, Status.NORMAL, LEADER, LEADER, 0, OffloadProgram.TC_BROADCAST.stateBit));
                o.attach(ifindex);
                return o;
            });

            Message.Prepare prepare = TestCluster.prepare(1, LEADER, 1, 3, 200);
            byte[] sent = TestCluster.CODEC.encode(prepare, Wire.FLAG_BROADCAST);
            leader.call(() -> {
                try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(cluster.members.get(LEADER), TestCluster.PORT))) {
                    socket.send(new DatagramPacket(sent, sent.length, cluster.members.get(1), TestCluster.PORT));
                }
                return null;
            });

            for (DatagramSocket receiver : receivers) {
                DatagramPacket packet = new DatagramPacket(new byte[Wire.MESSAGE_SIZE_MAX], Wire.MESSAGE_SIZE_MAX);
                receiver.receive(packet);
                byte[] got = Arrays.copyOf(packet.getData(), packet.getLength());
                assertThat(got[Wire.OFFSET_FLAGS]).as("flags at %s", receiver.getLocalSocketAddress()).isZero();
                assertThat(TestCluster.CODEC.decode(got)).isEqualTo(prepare);
                assertThat(packet.getAddress()).isEqualTo(cluster.members.get(LEADER));
            }
            assertThat(offloads.counters(Offload.TC_BROADCAST)).containsEntry("broadcasts", 1L).containsEntry("cloned", 3L)
                    .containsEntry("clones_seen", 3L).containsEntry("no_route", 0L);
            for (int i = 1; i < cluster.members.size(); i++) {
                assertThat(udpCounter(lab.node(i), "InCsumErrors")).as("checksum errors at follower %d", i).isZero();
                assertThat(udpCounter(lab.node(i), "InDatagrams")).as("datagrams at follower %d", i).isEqualTo(1);
            }

            leader.sysctl("net.ipv4.conf.eth0.forwarding", "0");
            leader.call(() -> {
                try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(cluster.members.get(LEADER), TestCluster.PORT))) {
                    socket.send(new DatagramPacket(sent, sent.length, cluster.members.get(1), TestCluster.PORT));
                }
                return null;
            });
            DatagramPacket packet = new DatagramPacket(new byte[Wire.MESSAGE_SIZE_MAX], Wire.MESSAGE_SIZE_MAX);
            receivers.get(0).receive(packet);
            assertThat(offloads.counters(Offload.TC_BROADCAST)).as("without forwarding only the original goes")
                    .containsEntry("broadcasts", 2L).containsEntry("cloned", 3L).containsEntry("fib_fwd_disabled", 3L);
        } finally {
            receivers.forEach(DatagramSocket::close);
            if (offloads != null) offloads.close();
        }
    }

    private static long udpCounter(Netns ns, String name) {
        List<String> lines = ns.exec("cat", "/proc/net/snmp").lines().filter(l -> l.startsWith("Udp:")).toList();
        List<String> names = List.of(lines.get(0).split("\\s+"));
        return Long.parseLong(lines.get(1).split("\\s+")[names.indexOf(name)]);
    }
}

package org.electrolab.replica.offload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

import org.electrolab.protocol.Message;
import org.electrolab.protocol.Wire;
import org.electrolab.protocol.config.ClusterConfig;
import org.electrolab.protocol.config.Offload;
import org.electrolab.protocol.testing.RootRequirement;
import org.electrolab.replica.core.Effects;
import org.electrolab.replica.core.Status;
import org.electrolab.replica.transport.PacketPath;
import org.junit.jupiter.api.Test;

/**
 * The eBPF packet path of follower 1 of 3, driven as UdpReplica drives it: a Prepare fast-replied
 * by the kernel wakes the replica, is drained with the fast path paused for the step, is not
 * answered twice, and the fast path resumes after the step.
 */
class EbpfPathTest {

    private static final int LEADER = 0, ME = 1;
    private final TestCluster cluster = new TestCluster(1);
    private final ClusterConfig config = new ClusterConfig(TestCluster.CLUSTER_ID, 1, "null", TestCluster.PORT,
            cluster.members, 10);

    @Test
    void aFastRepliedPrepareReachesTheCoreOnceWithTheFastPathPausedForTheStep() throws Exception {
        RootRequirement.require("the eBPF packet path (namespaces, XDP)");
        Vertx vertx = Vertx.vertx();
        List<AutoCloseable> closing = new ArrayList<>();
        try (BridgeLab lab = BridgeLab.create("path", 3)) {
            int bridgeSide = lab.bridge.ifindex("v" + ME);
            closing.add(lab.bridge.call(() -> XdpPass.attach(bridgeSide)));
            EbpfPath path = lab.node(ME).call(() -> EbpfPath.open(config, ME, EnumSet.of(Offload.FAST_REPLY)));
            closing.add(path);
            DatagramSocket leader = lab.node(LEADER).call(() -> new DatagramSocket(new InetSocketAddress(cluster.members.get(LEADER), TestCluster.PORT)));
            closing.add(leader);
            leader.setSoTimeout(5000);
            Context context = vertx.getOrCreateContext();
            on(context, () -> {
                path.start(() -> { });
                path.mirror(new Effects.KernelState(1, Status.NORMAL, LEADER, ME, 0, 0));
                return null;
            });
            assertThat(path.name()).isEqualTo("ebpf:fast-reply@eth0 (xdp native)");

            send(leader, TestCluster.prepare(1, LEADER, 1, 1, 10));
            // One record does not wake the replica (it drains at its next step): wait for the kernel's count.
            awaitCounter(path, "fast-reply.fast_replied", 1);
            assertThat(receive(leader)).isEqualTo(new Message.PrepareOk(1, ME, 1, 0));

            on(context, () -> {
                List<Message> recorded = path.drainRecorded(true);
                assertThat(recorded).containsExactly(TestCluster.prepare(1, LEADER, 1, 1, 10));
                assertThat(path.offloads().readState().offloads() & OffloadProgram.FAST_REPLY.stateBit).as("paused in the step").isZero();
                send(leader, TestCluster.prepare(1, LEADER, 2, 1, 10));
                awaitCounter(path, "fast-reply.not_normal", 1);
                path.mirror(new Effects.KernelState(1, Status.NORMAL, LEADER, ME, 1, 0));
                assertThat(path.sentByKernel(new Effects.Send(LEADER, new Message.PrepareOk(1, ME, 1, 0)))).isTrue();
                assertThat(path.sentByKernel(new Effects.Send(LEADER, new Message.PrepareOk(1, ME, 1, 0)))).isFalse();
                assertThat(path.offloads().readState().offloads() & OffloadProgram.FAST_REPLY.stateBit).as("still paused").isZero();
                return null;
            });
            on(context, () -> {
                assertThat(path.offloads().readState().offloads() & OffloadProgram.FAST_REPLY.stateBit).as("resumed").isNotZero();
                // The core took op 2 from the socket (the kernel passed it up while paused).
                path.mirror(new Effects.KernelState(1, Status.NORMAL, LEADER, ME, 2, 0));
                return null;
            });
            send(leader, TestCluster.prepare(1, LEADER, 3, 2, 10));
            assertThat(receive(leader)).isEqualTo(new Message.PrepareOk(1, ME, 3, 0));
            on(context, () -> {
                // A step of normal operation takes the record without stopping the fast path.
                assertThat(path.drainRecorded(false)).containsExactly(TestCluster.prepare(1, LEADER, 3, 2, 10));
                assertThat(path.offloads().readState().offloads() & OffloadProgram.FAST_REPLY.stateBit).as("not paused").isNotZero();
                return null;
            });
            Map<String, Long> counters = path.counters();
            assertThat(counters).containsEntry("fast-reply.fast_replied", 2L).containsEntry("fast-reply.not_normal", 1L);
            assertThat(path.broadcastCarrier(TestCluster.prepare(1, ME, 1, 0, 0))).isEqualTo(PacketPath.EACH_MEMBER);
            // A replica that stops (fail-stop) closes its path at once and still reports what it counted.
            path.close();
            assertThat(path.counters()).as("counters after the programs were unloaded")
                    .containsEntry("fast-reply.fast_replied", 2L).containsEntry("fast-reply.not_normal", 1L);
        } finally {
            for (AutoCloseable c : closing.reversed()) c.close();
            vertx.close().await();
        }
    }

    @Test
    void aLoopbackAddressIsRefusedInOneLine() {
        ClusterConfig loopback = new ClusterConfig(1, 1, "null", 7000,
                List.of(Frames.ip("127.0.0.1"), Frames.ip("127.0.0.2"), Frames.ip("127.0.0.3")), 10);
        assertThatThrownBy(() -> EbpfPath.open(loopback, 0, Set.of(Offload.FAST_REPLY)))
                .isInstanceOf(BpfException.class)
                .hasMessage("127.0.0.1 is on loopback lo: offloads need the member address on a NIC or veth (use the netns lab)");
    }

    @Test
    void tcBroadcastWithoutForwardingIsRefusedWithTheFix() {
        RootRequirement.require("the eBPF packet path (namespaces)");
        try (BridgeLab lab = BridgeLab.create("fwd", 3)) {
            assertThatThrownBy(() -> lab.node(0).call(() -> EbpfPath.open(config, 0, EnumSet.allOf(Offload.class))))
                    .isInstanceOf(BpfException.class)
                    .hasMessageStartingWith("tc-broadcast needs IPv4 forwarding on eth0")
                    .hasMessageEndingWith("sysctl -w net.ipv4.conf.eth0.forwarding=1");
            lab.node(0).sysctl("net.ipv4.conf.eth0.forwarding", "1");
            try (EbpfPath path = lab.node(0).call(() -> EbpfPath.open(config, 0, EnumSet.allOf(Offload.class)))) {
                Message.Prepare prepare = TestCluster.prepare(1, 0, 1, 0, 0);
                assertThat(List.of(path.broadcastCarrier(prepare), path.broadcastCarrier(prepare), path.broadcastCarrier(prepare)))
                        .as("carriers in turn").containsExactly(1, 2, 1);
                assertThat(path.broadcastCarrier(new Message.PrepareOk(1, 0, 1, 0))).isEqualTo(PacketPath.EACH_MEMBER);
                assertThat(path.broadcastCarrier(TestCluster.prepare(1, 0, 2, 2, 1000))).as("more than one datagram of MTU 1500")
                        .isEqualTo(PacketPath.EACH_MEMBER);
            }
        }
    }

    /** Runs task on the context's event loop, as UdpReplica runs a step, and waits for it. */
    private static <T> T on(Context context, Callable<T> task) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        context.runOnContext(v -> {
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try {
            return result.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AssertionError a) throw a;
            throw e;
        }
    }

    private void send(DatagramSocket socket, Message message) throws Exception {
        byte[] bytes = TestCluster.CODEC.encode(message);
        socket.send(new DatagramPacket(bytes, bytes.length, cluster.members.get(ME), TestCluster.PORT));
    }

    private static Message receive(DatagramSocket socket) throws Exception {
        DatagramPacket packet = new DatagramPacket(new byte[Wire.MESSAGE_SIZE_MAX], Wire.MESSAGE_SIZE_MAX);
        socket.receive(packet);
        return TestCluster.CODEC.decode(packet.getData(), 0, packet.getLength());
    }

    private static void awaitCounter(EbpfPath path, String name, long value) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (path.counters().get(name) < value) {
            if (System.nanoTime() > deadline) throw new AssertionError(name + " did not reach " + value + ": " + path.counters());
            LockSupport.parkNanos(5_000_000); // between polls of the counters
        }
    }
}

package org.electrolab.replica.offload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.electrolab.replica.offload.BpfProgram.TC_ACT_OK;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.electrolab.protocol.Message;
import org.electrolab.protocol.Wire;
import org.electrolab.protocol.testing.RootRequirement;
import org.electrolab.protocol.config.Offload;
import org.electrolab.replica.core.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * tc_broadcast through BPF_PROG_TEST_RUN, in a throwaway namespace (a test run's clones would leave
 * through its loopback): leader 0 of 5. The clones themselves are checked by TcBroadcastNamespaceTest.
 */
class TcBroadcastTest {

    private static final int ME = 0;
    private final TestCluster cluster = new TestCluster(2);
    private Netns ns;
    private LoadedPrograms offloads;
    private BpfProgram program;

    @BeforeEach
    void load() {
        RootRequirement.require("tc_broadcast test runs (BPF_PROG_TEST_RUN, network namespace)");
        ns = Netns.create("tcrun");
        offloads = cluster.load(ME, Offload.TC_BROADCAST);
        program = offloads.program(Offload.TC_BROADCAST);
        offloads.writeState(cluster.state(1, Status.NORMAL, ME, ME, 0, OffloadProgram.TC_BROADCAST.stateBit));
    }

    @AfterEach
    void unload() {
        try {
            if (offloads != null) offloads.close();
        } finally {
            if (ns != null) ns.close();
        }
    }

    private BpfProgram.TestRun run(byte[] frame, byte[] context) {
        return ns.call(() -> program.testRun(frame, context));
    }

    private byte[] broadcast(int to, Message message) {
        return cluster.frame(ME, to, TestCluster.CODEC.encode(message, Wire.FLAG_BROADCAST));
    }

    @Test
    void theBroadcastFlagIsClearedAndTheOriginalKeepsItsDestination() {
        Message.Prepare prepare = TestCluster.prepare(1, ME, 1, 2, 50);
        byte[] frame = broadcast(1, prepare);

        BpfProgram.TestRun result = run(frame, null);

        assertThat(result.verdict()).isEqualTo(TC_ACT_OK);
        Frames.Frame out = Frames.parse(result.output());
        assertThat(out.payload()).isEqualTo(TestCluster.CODEC.encode(prepare));
        assertThat(out.dst()).isEqualTo(cluster.members.get(1));
        assertThat(out.dstMac()).isEqualTo(Frames.mac(2));
        assertThat(out.ipChecksumOk()).isTrue();
        assertThat(out.udpChecksumOk()).isTrue();
        // A test run's device is the namespace's loopback, where forwarding is off: no FIB answer, no clone.
        assertThat(offloads.counters(Offload.TC_BROADCAST)).containsEntry("broadcasts", 1L)
                .containsEntry("no_route", 3L).containsEntry("fib_fwd_disabled", 3L).containsEntry("cloned", 0L);
    }

    @Test
    void commitsAreBroadcastToo() {
        BpfProgram.TestRun result = run(broadcast(3, new Message.Commit(1, ME, 5)), null);
        assertThat(result.verdict()).isEqualTo(TC_ACT_OK);
        assertThat(Frames.parse(result.output()).payload()).isEqualTo(TestCluster.CODEC.encode(new Message.Commit(1, ME, 5)));
        assertThat(offloads.counters(Offload.TC_BROADCAST)).containsEntry("broadcasts", 1L);
    }

    @Test
    void everythingElseLeavesUnchanged() {
        assertUnchanged(cluster.frame(ME, 1, TestCluster.CODEC.encode(TestCluster.prepare(1, ME, 1, 1, 5))), null, "no flag");
        assertUnchanged(broadcast(1, new Message.PrepareOk(1, ME, 1, 0)), null, "a PrepareOK with the flag");
        assertUnchanged(Frames.udp(Frames.mac(1), Frames.mac(9), cluster.members.get(ME), Frames.ip("10.9.0.77"),
                TestCluster.PORT, TestCluster.PORT, TestCluster.CODEC.encode(TestCluster.prepare(1, ME, 1, 1, 5), Wire.FLAG_BROADCAST)),
                null, "a destination outside the cluster");
        assertUnchanged(Frames.udp(Frames.mac(1), Frames.mac(2), cluster.members.get(ME), cluster.members.get(1),
                TestCluster.PORT, 53, new byte[64]), null, "another port");
        byte[] marked = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder()).putInt(8, ElConfig.DEFAULT_CLONE_MARK).array();
        assertUnchanged(broadcast(2, TestCluster.prepare(1, ME, 1, 1, 5)), marked, "a clone (marked)");
        assertThat(offloads.counters(Offload.TC_BROADCAST)).containsEntry("passed", 2L).containsEntry("not_member", 1L)
                .containsEntry("other_traffic", 1L).containsEntry("clones_seen", 1L).containsEntry("broadcasts", 0L);
    }

    private void assertUnchanged(byte[] frame, byte[] context, String what) {
        BpfProgram.TestRun result = run(frame, context);
        assertThat(result.verdict()).as(what).isEqualTo(TC_ACT_OK);
        assertThat(result.output()).as(what).isEqualTo(frame);
    }
}

package org.electrolab.replica.offload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.electrolab.replica.offload.BpfProgram.XDP_DROP;
import static org.electrolab.replica.offload.BpfProgram.XDP_PASS;

import java.util.Arrays;

import org.electrolab.protocol.Message;
import org.electrolab.protocol.MessageCodec;
import org.electrolab.protocol.Wire;
import org.electrolab.protocol.testing.RootRequirement;
import org.electrolab.protocol.config.Offload;
import org.electrolab.replica.core.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** quorum_prune through BPF_PROG_TEST_RUN: leader 0 of 5 (f = 2) in view 3. */
class QuorumPruneTest {

    private static final int ME = 0;
    private static final long VIEW = 3;

    private final TestCluster cluster = new TestCluster(2);
    private LoadedPrograms offloads;
    private BpfProgram program;

    @BeforeEach
    void load() {
        RootRequirement.require("quorum_prune test runs (BPF_PROG_TEST_RUN)");
        offloads = cluster.load(ME, Offload.QUORUM_PRUNE);
        program = offloads.program(Offload.QUORUM_PRUNE);
        offloads.writeState(cluster.state(VIEW, Status.NORMAL, ME, ME, 0, OffloadProgram.QUORUM_PRUNE.stateBit));
    }

    @AfterEach
    void unload() {
        if (offloads != null) offloads.close();
    }

    private byte[] ack(int from, long view, long op) {
        return cluster.frame(from, ME, TestCluster.CODEC.encode(new Message.PrepareOk(view, from, op, 0)));
    }

    @Test
    void theAckCompletingAQuorumPassesWithTheAckBitmapAndTheRestAreDropped() throws Exception {
        assertThat(program.testRun(ack(2, VIEW, 7)).verdict()).as("first follower: no quorum yet").isEqualTo(XDP_DROP);
        assertThat(program.testRun(ack(2, VIEW, 7)).verdict()).as("a duplicate before the quorum").isEqualTo(XDP_DROP);

        byte[] completing = ack(4, VIEW, 7);
        BpfProgram.TestRun run = program.testRun(completing);

        assertThat(run.verdict()).isEqualTo(XDP_PASS);
        Frames.Frame passed = Frames.parse(run.output());
        assertThat(passed.udpChecksumOk()).isTrue();
        assertThat(passed.ipChecksumOk()).isTrue();
        byte[] expected = TestCluster.CODEC.encode(new Message.PrepareOk(VIEW, 4, 7, (1L << 2) | (1L << 4)), Wire.FLAG_QUORUM);
        assertThat(passed.payload()).isEqualTo(expected);
        assertThat(TestCluster.CODEC.decode(passed.payload())).isEqualTo(new Message.PrepareOk(VIEW, 4, 7, 0b10100));
        byte[] unchangedHeaders = Arrays.copyOf(completing, Frames.PAYLOAD - 2); // all but the UDP checksum
        assertThat(Arrays.copyOf(run.output(), Frames.PAYLOAD - 2)).isEqualTo(unchangedHeaders);

        assertThat(program.testRun(ack(1, VIEW, 7)).verdict()).as("after the quorum").isEqualTo(XDP_DROP);
        assertThat(program.testRun(ack(3, VIEW, 7)).verdict()).as("the last follower").isEqualTo(XDP_DROP);
        assertThat(offloads.counters(Offload.QUORUM_PRUNE)).containsEntry("pruned", 1L).containsEntry("quorum_passed", 1L)
                .containsEntry("dropped_late", 2L).containsEntry("dropped_duplicate", 1L);
    }

    /**
     * The completing PrepareOK may be lost after XDP_PASS (a full socket buffer); the leader then
     * sends the Prepare again and the followers answer again. Those repeats must reach it, or the op
     * never commits (found by the simulator's kernel model, seed 94: one client, the leader
     * retransmitting op 1386 for 1,500 ticks, every answer dropped as a duplicate).
     */
    @Test
    void aRepeatedAckAfterTheQuorumGoesUpAgainWithTheBitmap() {
        program.testRun(ack(2, VIEW, 7));
        assertThat(program.testRun(ack(4, VIEW, 7)).verdict()).as("completes the quorum (then lost in the socket)").isEqualTo(XDP_PASS);
        assertThat(program.testRun(ack(1, VIEW, 7)).verdict()).as("a first ack after the quorum").isEqualTo(XDP_DROP);

        byte[] expected = TestCluster.CODEC.encode(new Message.PrepareOk(VIEW, 2, 7, 0b10110), Wire.FLAG_QUORUM);
        BpfProgram.TestRun repeat = program.testRun(ack(2, VIEW, 7));
        assertThat(repeat.verdict()).as("follower 2 answers the leader's retransmission").isEqualTo(XDP_PASS);
        assertThat(Frames.parse(repeat.output()).payload()).isEqualTo(expected);
        assertThat(Frames.parse(repeat.output()).udpChecksumOk()).isTrue();
        assertThat(program.testRun(ack(1, VIEW, 7)).verdict()).as("follower 1's repeat").isEqualTo(XDP_PASS);
        assertThat(offloads.counters(Offload.QUORUM_PRUNE)).containsEntry("quorum_passed", 3L).containsEntry("dropped_late", 1L)
                .containsEntry("dropped_duplicate", 0L);
    }

    @Test
    void opsAreCountedSeparatelyAndASlotIsReusedByANewerOp() {
        long reusing = 7 + 2 * Wire.PIPELINE_MAX;
        assertThat(program.testRun(ack(1, VIEW, 7)).verdict()).isEqualTo(XDP_DROP);
        assertThat(program.testRun(ack(1, VIEW, 8)).verdict()).isEqualTo(XDP_DROP);
        assertThat(program.testRun(ack(2, VIEW, 8)).verdict()).isEqualTo(XDP_PASS);
        assertThat(program.testRun(ack(3, VIEW, reusing)).verdict()).isEqualTo(XDP_DROP);
        assertThat(program.testRun(ack(2, VIEW, 7)).verdict()).as("op 7 lost its slot: late").isEqualTo(XDP_DROP);
        assertThat(program.testRun(ack(4, VIEW, reusing)).verdict()).isEqualTo(XDP_PASS);
        assertThat(offloads.counters(Offload.QUORUM_PRUNE)).containsEntry("quorum_passed", 2L).containsEntry("dropped_late", 1L);
    }

    @Test
    void aNewViewStartsCountingAfresh() {
        assertThat(program.testRun(ack(1, VIEW, 7)).verdict()).isEqualTo(XDP_DROP);
        offloads.writeState(cluster.state(VIEW + 5, Status.NORMAL, ME, ME, 0, OffloadProgram.QUORUM_PRUNE.stateBit));
        assertThat(program.testRun(ack(2, VIEW + 5, 7)).verdict()).as("op 7's earlier ack was of the old view").isEqualTo(XDP_DROP);
        assertThat(program.testRun(ack(1, VIEW + 5, 7)).verdict()).isEqualTo(XDP_PASS);
    }

    @Test
    void everythingElseGoesUpUntouched() {
        assertPassedUnchanged(ack(1, VIEW - 1, 7), "an old view's PrepareOK");
        assertPassedUnchanged(ack(1, VIEW + 1, 7), "a newer view's PrepareOK");
        assertPassedUnchanged(cluster.frame(1, ME, TestCluster.CODEC.encode(new Message.StartViewChange(VIEW + 1, 1))), "a view change");
        assertPassedUnchanged(cluster.frame(1, ME, TestCluster.CODEC.encode(new Message.Request(9, 1, new byte[30]))), "a request");
        assertPassedUnchanged(Frames.udp(Frames.mac(2), Frames.mac(1), cluster.members.get(1), cluster.members.get(ME),
                TestCluster.PORT, 9999, TestCluster.CODEC.encode(new Message.PrepareOk(VIEW, 1, 7, 0))), "another port");
        offloads.writeState(cluster.state(VIEW, Status.NORMAL, 1, ME, 0, OffloadProgram.QUORUM_PRUNE.stateBit));
        assertPassedUnchanged(ack(2, VIEW, 7), "not the leader");
        offloads.writeState(cluster.state(VIEW, Status.VIEW_CHANGE, ME, ME, 0, OffloadProgram.QUORUM_PRUNE.stateBit));
        assertPassedUnchanged(ack(2, VIEW, 7), "view change");
        offloads.writeState(cluster.state(VIEW, Status.NORMAL, ME, ME, 0, 0));
        assertPassedUnchanged(ack(2, VIEW, 7), "quorum prune switched off");
        assertThat(offloads.counters(Offload.QUORUM_PRUNE)).containsEntry("passed_up", 7L).containsEntry("other_traffic", 1L)
                .containsEntry("pruned", 0L);
    }

    @Test
    void nothingIsPrunedOnceTheReplicaStopped() {
        offloads.stop();
        assertPassedUnchanged(ack(2, VIEW, 7), "stopped");
        assertThat(offloads.counters(Offload.QUORUM_PRUNE)).containsEntry("pruned", 0L).containsEntry("passed_up", 1L);
    }

    @Test
    void foreignNonMemberAndNonCanonicalAcksAreDropped() {
        assertThat(program.testRun(cluster.frame(1, ME, new MessageCodec(99).encode(new Message.PrepareOk(VIEW, 1, 7, 0))))
                .verdict()).isEqualTo(XDP_DROP);
        byte[] spoofed = Frames.udp(Frames.mac(9), Frames.mac(1), Frames.ip("10.9.0.200"), cluster.members.get(ME),
                TestCluster.PORT, TestCluster.PORT, TestCluster.CODEC.encode(new Message.PrepareOk(VIEW, 1, 7, 0)));
        assertThat(program.testRun(spoofed).verdict()).isEqualTo(XDP_DROP);
        byte[] wrongIndex = cluster.frame(2, ME, TestCluster.CODEC.encode(new Message.PrepareOk(VIEW, 1, 7, 0)));
        assertThat(program.testRun(wrongIndex).verdict()).as("member 2's address claiming index 1").isEqualTo(XDP_DROP);
        byte[] otherPort = Frames.udp(Frames.mac(2), Frames.mac(ME + 1), cluster.members.get(1), cluster.members.get(ME),
                TestCluster.PORT + 1, TestCluster.PORT, TestCluster.CODEC.encode(new Message.PrepareOk(VIEW, 1, 7, 0)));
        assertThat(program.testRun(otherPort).verdict()).as("member 1's address from another port").isEqualTo(XDP_DROP);
        byte[] withCommit = TestCluster.CODEC.encode(new Message.PrepareOk(VIEW, 1, 7, 0));
        withCommit[Wire.OFFSET_COMMIT] = 1;
        assertThat(program.testRun(cluster.frame(1, ME, withCommit)).verdict()).as("a PrepareOK with a commit number")
                .isEqualTo(XDP_DROP);
        assertThat(offloads.counters(Offload.QUORUM_PRUNE)).containsEntry("dropped_foreign", 4L)
                .containsEntry("dropped_invalid", 1L).containsEntry("pruned", 0L);
    }

    @Test
    void aDatagramWithoutUdpChecksumKeepsNone() {
        program.testRun(ack(1, VIEW, 7));
        byte[] completing = ack(2, VIEW, 7);
        Frames.putShort(completing, Frames.ETH + Frames.IP + 6, 0);
        BpfProgram.TestRun run = program.testRun(completing);
        assertThat(run.verdict()).isEqualTo(XDP_PASS);
        assertThat(Frames.parse(run.output()).udpChecksum()).isZero();
    }

    private void assertPassedUnchanged(byte[] frame, String what) {
        BpfProgram.TestRun run = program.testRun(frame);
        assertThat(run.verdict()).as(what).isEqualTo(XDP_PASS);
        assertThat(run.output()).as(what).isEqualTo(frame);
    }
}

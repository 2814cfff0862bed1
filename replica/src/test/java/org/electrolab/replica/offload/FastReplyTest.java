package org.electrolab.replica.offload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.electrolab.replica.offload.BpfProgram.XDP_DROP;
import static org.electrolab.replica.offload.BpfProgram.XDP_PASS;
import static org.electrolab.replica.offload.BpfProgram.XDP_TX;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import org.electrolab.protocol.Message;
import org.electrolab.protocol.MessageCodec;
import org.electrolab.protocol.Wire;
import org.electrolab.protocol.testing.RootRequirement;
import org.electrolab.protocol.config.Offload;
import org.electrolab.replica.core.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** fast_reply through BPF_PROG_TEST_RUN: follower 1 of 3, leader 0, view 4. */
class FastReplyTest {

    private static final int ME = 1, LEADER = 0, OTHER = 2;
    private static final long VIEW = 4;

    private final TestCluster cluster = new TestCluster(1);
    private LoadedPrograms offloads;
    private BpfProgram program;

    @BeforeEach
    void load() {
        RootRequirement.require("fast_reply test runs (BPF_PROG_TEST_RUN)");
        offloads = cluster.load(ME, Offload.FAST_REPLY);
        program = offloads.program(Offload.FAST_REPLY);
        follow(VIEW, 10);
    }

    @AfterEach
    void unload() {
        if (offloads != null) offloads.close();
    }

    private void follow(long view, long lastOp) {
        offloads.writeState(cluster.state(view, Status.NORMAL, LEADER, ME, lastOp, OffloadProgram.FAST_REPLY.stateBit));
    }

    private byte[] prepareFrame(long view, long op) {
        return cluster.frame(LEADER, ME, TestCluster.CODEC.encode(TestCluster.prepare(view, LEADER, op, 2, 40)));
    }

    /**
     * A frame longer than BPF_PROG_TEST_RUN's linear part (about 3.5 KB) arrives with a fragment;
     * the reply must still be exactly one PrepareOK, nothing of the Prepare behind it (found by
     * XdpFuzzTest with seed -1619588072201320724).
     */
    @Test
    void aMultiBufferPrepareIsAnsweredWithAPrepareOkOfExactlyItsOwnSize() {
        byte[] frame = prepareFrame(VIEW, 11);
        byte[] padded = Arrays.copyOf(frame, 3600);
        Arrays.fill(padded, frame.length, padded.length, (byte) 0x5a);

        BpfProgram.TestRun run = program.testRun(padded);

        assertThat(run.verdict()).isEqualTo(XDP_TX);
        assertThat(run.output()).hasSize(Frames.PAYLOAD + Wire.HEADER_SIZE);
        assertThat(Frames.parse(run.output()).payload()).isEqualTo(TestCluster.CODEC.encode(new Message.PrepareOk(VIEW, ME, 11, 0)));
    }

    @Test
    void inOrderPrepareIsAnsweredWithTheCoresPrepareOkAndRecorded() {
        Message.Prepare prepare = TestCluster.prepare(VIEW, LEADER, 11, 3, 100);
        byte[] message = TestCluster.CODEC.encode(prepare);
        byte[] frame = cluster.frame(LEADER, ME, message);

        BpfProgram.TestRun run = program.testRun(frame);

        assertThat(run.verdict()).isEqualTo(XDP_TX);
        Frames.Frame reply = Frames.parse(run.output());
        assertThat(run.output()).hasSize(Frames.PAYLOAD + Wire.HEADER_SIZE);
        assertThat(reply.payload()).as("the PrepareOK the Java core sends for this Prepare")
                .isEqualTo(TestCluster.CODEC.encode(new Message.PrepareOk(VIEW, ME, 11, 0)));
        assertThat(reply.dstMac()).isEqualTo(Frames.mac(LEADER + 1));
        assertThat(reply.srcMac()).isEqualTo(Frames.mac(ME + 1));
        assertThat(reply.src()).isEqualTo(cluster.members.get(ME));
        assertThat(reply.dst()).isEqualTo(cluster.members.get(LEADER));
        assertThat(reply.srcPort()).isEqualTo(TestCluster.PORT);
        assertThat(reply.dstPort()).isEqualTo(TestCluster.PORT);
        assertThat(reply.ipChecksumOk()).isTrue();
        assertThat(reply.udpChecksum()).as("a real UDP checksum").isNotZero();
        assertThat(reply.udpChecksumOk()).isTrue();

        assertThat(offloads.ring().consume()).singleElement().satisfies(bytes -> assertThat(bytes).isEqualTo(message));
        assertThat(offloads.readState().lastOp()).isEqualTo(11);
        assertThat(offloads.counters(Offload.FAST_REPLY)).containsEntry("fast_replied", 1L).containsEntry("passed_up", 0L);
    }

    @Test
    void consecutivePreparesAdvanceLastOpAndDrainInOrder() {
        for (long op = 11; op <= 15; op++) assertThat(program.testRun(prepareFrame(VIEW, op)).verdict()).isEqualTo(XDP_TX);

        List<Message.Prepare> drained = offloads.drainAllPrepares(Duration.ofSeconds(1));

        assertThat(drained).extracting(Message.Prepare::op).containsExactly(11L, 12L, 13L, 14L, 15L);
        assertThat(drained.get(0)).isEqualTo(TestCluster.prepare(VIEW, LEADER, 11, 2, 40));
        assertThat(offloads.readState().lastOp()).isEqualTo(15);
    }

    @Test
    void preparesTheCoreMustHandleGoUpUnchanged() {
        assertPassedUnchanged(prepareFrame(VIEW, 11 + 1), "a gap");
        assertPassedUnchanged(prepareFrame(VIEW, 10), "a duplicate");
        assertPassedUnchanged(prepareFrame(VIEW + 1, 11), "a newer view");
        assertPassedUnchanged(prepareFrame(VIEW - 1, 11), "an older view");
        byte[] fromOther = cluster.frame(OTHER, ME, TestCluster.CODEC.encode(TestCluster.prepare(VIEW, OTHER, 11, 1, 1)));
        assertPassedUnchanged(fromOther, "a member that does not lead");
        assertThat(offloads.counters(Offload.FAST_REPLY))
                .containsEntry("out_of_order", 2L).containsEntry("wrong_view", 2L).containsEntry("not_normal", 1L)
                .containsEntry("passed_up", 5L).containsEntry("fast_replied", 0L);
        assertThat(offloads.readState().lastOp()).isEqualTo(10);
        assertThat(offloads.ring().consume()).isEmpty();
    }

    @Test
    void nothingIsAnsweredOutsideNormalFollowingWithFastReplyOn() {
        byte[] frame = prepareFrame(VIEW, 11);
        offloads.writeState(cluster.state(VIEW, Status.VIEW_CHANGE, LEADER, ME, 10, OffloadProgram.FAST_REPLY.stateBit));
        assertPassedUnchanged(frame, "view change");
        offloads.writeState(cluster.state(VIEW, Status.RECOVERING, LEADER, ME, 10, OffloadProgram.FAST_REPLY.stateBit));
        assertPassedUnchanged(frame, "recovering");
        offloads.writeState(cluster.state(VIEW, Status.NORMAL, LEADER, ME, 10, 0));
        assertPassedUnchanged(frame, "fast reply switched off");
        offloads.writeState(cluster.state(VIEW, Status.NORMAL, ME, ME, 10, OffloadProgram.FAST_REPLY.stateBit));
        assertPassedUnchanged(frame, "this replica leads");
        follow(VIEW, 10);
        offloads.pauseFastReply();
        assertPassedUnchanged(frame, "paused");
        follow(VIEW, 10);
        assertThat(program.testRun(frame).verdict()).isEqualTo(XDP_TX);
    }

    /** A replica that stops (fail-stop) stops its fast path first: no PrepareOK for a core that takes no Prepare. */
    @Test
    void nothingIsAnsweredOnceTheReplicaStopped() {
        offloads.stop();
        assertPassedUnchanged(prepareFrame(VIEW, 11), "stopped");
        assertThat(offloads.readState().status()).isEqualTo(Status.RECOVERING);
        assertThat(offloads.ring().consume()).isEmpty();
    }

    @Test
    void otherTrafficIsUntouched() {
        byte[] otherPort = Frames.udp(Frames.mac(1), Frames.mac(2), cluster.members.get(LEADER), cluster.members.get(ME),
                TestCluster.PORT, 53, TestCluster.CODEC.encode(TestCluster.prepare(VIEW, LEADER, 11, 1, 1)));
        assertPassedUnchanged(otherPort, "another port");
        byte[] arp = Arrays.copyOf(prepareFrame(VIEW, 11), 60);
        Frames.putShort(arp, 12, 0x0806);
        assertPassedUnchanged(arp, "not IPv4");
        byte[] fragment = prepareFrame(VIEW, 11);
        Frames.putShort(fragment, Frames.ETH + 6, 0x2000); // more fragments
        assertPassedUnchanged(fragment, "a fragment");
        byte[] badIpChecksum = prepareFrame(VIEW, 11);
        badIpChecksum[Frames.ETH + 10] ^= 1;
        assertPassedUnchanged(badIpChecksum, "a bad IP header checksum (the stack drops it)");
        byte[] request = cluster.frame(LEADER, ME, TestCluster.CODEC.encode(new Message.Request(5, 1, new byte[8])));
        assertPassedUnchanged(request, "a request");
        assertThat(offloads.counters(Offload.FAST_REPLY)).containsEntry("other_traffic", 4L).containsEntry("passed_up", 1L);
    }

    @Test
    void foreignAndMalformedPacketsAreDroppedAndCounted() {
        byte[] message = TestCluster.CODEC.encode(TestCluster.prepare(VIEW, LEADER, 11, 1, 8));
        assertDropped(fromLeader(new MessageCodec(8).encode(TestCluster.prepare(VIEW, LEADER, 11, 1, 8))), "another cluster");
        assertDropped(Frames.udp(Frames.mac(9), Frames.mac(2), Frames.ip("10.9.0.99"), cluster.members.get(ME),
                TestCluster.PORT, TestCluster.PORT, message), "the leader's index from a non-member address");
        assertDropped(Frames.udp(Frames.mac(LEADER + 1), Frames.mac(ME + 1), cluster.members.get(LEADER), cluster.members.get(ME),
                TestCluster.PORT + 1, TestCluster.PORT, message), "the leader's address but another port (another process on its host)");
        assertDropped(fromLeader(withMessage(message, m -> m.putInt(0, 0x12345678))), "bad magic");
        assertDropped(fromLeader(withMessage(message, m -> m.put(4, (byte) 2))), "bad version");
        assertDropped(fromLeader(withMessage(message, m -> m.putInt(12, m.getInt(12) + 1))), "body_size beyond the datagram");
        assertDropped(fromLeader(withMessage(message, m -> m.put(5, (byte) 0))), "type 0");
        assertDropped(fromLeader(withMessage(message, m -> m.putLong(40, 1))), "acks in a Prepare (not its one encoding)");
        assertDropped(fromLeader(withMessage(message, m -> m.putInt(48, 33))), "a batch over BATCH_MAX");
        assertDropped(fromLeader(withMessage(message, m -> m.putInt(48 + 4 + 16, 9))), "a payload size past the body");
        assertDropped(fromLeader(Arrays.copyOf(message, 40)), "shorter than a header");
        byte[] truncated = Arrays.copyOf(fromLeader(message), Frames.PAYLOAD + 20);
        assertDropped(truncated, "a frame cut short of its IP length");
        assertThat(offloads.counters(Offload.FAST_REPLY)).containsEntry("dropped_foreign", 3L)
                .containsEntry("dropped_invalid", 9L).containsEntry("fast_replied", 0L);
        assertThat(offloads.readState().lastOp()).isEqualTo(10);
        assertThat(offloads.ring().consume()).isEmpty();
    }

    @Test
    void oversizedPreparesAreNeverAnswered() {
        byte[] large = TestCluster.CODEC.encode(TestCluster.prepare(VIEW, LEADER, 11, 2, 3900));
        BpfProgram.TestRun run = program.testRun(cluster.frame(LEADER, ME, large));
        assertThat(run.verdict()).isNotEqualTo(XDP_TX);
        byte[] tooLarge = Arrays.copyOf(large, Wire.MESSAGE_SIZE_MAX + 8);
        ByteBuffer.wrap(tooLarge).order(ByteOrder.LITTLE_ENDIAN).putInt(12, tooLarge.length - Wire.HEADER_SIZE);
        assertThat(program.testRun(cluster.frame(LEADER, ME, tooLarge)).verdict()).isEqualTo(XDP_DROP);
        assertThat(offloads.readState().lastOp()).isEqualTo(10);
    }

    @Test
    void aFullRingPassesPreparesUpInsteadOfAnsweringThem() {
        offloads.close();
        ElConfig small = new ElConfig(TestCluster.CLUSTER_ID, TestCluster.PORT, cluster.members, 1, ME,
                ElConfig.DEFAULT_CLONE_MARK, 1 << 16);
        offloads = LoadedPrograms.load(small, Set.of(Offload.FAST_REPLY));
        program = offloads.program(Offload.FAST_REPLY);
        follow(VIEW, 10);
        int answered = 0;
        long op = 11;
        while (program.testRun(prepareFrame(VIEW, op)).verdict() == XDP_TX) {
            answered++;
            op++;
        }
        assertThat(answered).as("records of 8 KiB in a 64 KiB ring, as the simulator's kernel model counts them")
                .isEqualTo(FastReplyModel.ringCapacity(1 << 16));
        assertThat(offloads.counters(Offload.FAST_REPLY)).containsEntry("ring_full", 1L);
        assertThat(offloads.readState().lastOp()).isEqualTo(10 + answered);
        assertThat(offloads.drainPrepares()).hasSize(answered);
        assertThat(program.testRun(prepareFrame(VIEW, op)).verdict()).as("room again after draining").isEqualTo(XDP_TX);
    }

    private static byte[] withMessage(byte[] message, Consumer<ByteBuffer> change) {
        byte[] copy = message.clone();
        change.accept(ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN));
        return copy;
    }

    private void assertDropped(byte[] frame, String what) {
        assertThat(program.testRun(frame).verdict()).as(what).isEqualTo(XDP_DROP);
    }

    private byte[] fromLeader(byte[] message) {
        return cluster.frame(LEADER, ME, message);
    }

    private void assertPassedUnchanged(byte[] frame, String what) {
        BpfProgram.TestRun run = program.testRun(frame);
        assertThat(run.verdict()).as(what).isEqualTo(XDP_PASS);
        assertThat(run.output()).as(what).isEqualTo(frame);
    }
}

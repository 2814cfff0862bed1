package org.electrolab.replica.offload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.electrolab.replica.offload.BpfProgram.XDP_DROP;
import static org.electrolab.replica.offload.BpfProgram.XDP_PASS;
import static org.electrolab.replica.offload.BpfProgram.XDP_TX;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import org.electrolab.protocol.Message;
import org.electrolab.protocol.Wire;
import org.electrolab.protocol.testing.RootRequirement;
import org.electrolab.protocol.config.Offload;
import org.electrolab.replica.core.Status;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of both XDP programs through BPF_PROG_TEST_RUN (100,000 frames each by default;
 * -Dfuzz.count, -Dfuzz.seed to replay): valid traffic, near misses, mutations and noise, with state
 * changes in between, each verdict judged against what user space would do with the frame. A
 * failure names the seed.
 */
class XdpFuzzTest {

    /**
     * A test run gives a frame longer than this (a page less XDP headroom and skb_shared_info) to
     * the program as fragments, which a non-frags program on a real interface never receives; such
     * frames are only checked for never being answered.
     */
    private static final int LINEAR_MAX = 3500;

    private final TestCluster cluster = new TestCluster(2);
    private final int n = cluster.members.size();
    private final long seed = Long.getLong("fuzz.seed", new Random().nextLong());
    private final int count = Integer.getInteger("fuzz.count", 100_000);

    @Test
    void fastReplyAnswersOnlyValidInOrderPrepares() {
        RootRequirement.require("the XDP fuzz test (BPF_PROG_TEST_RUN)");
        withSeed("fast_reply", this::fuzzFastReply);
    }

    @Test
    void quorumPrunePassesUpOnlyQuorumCompletingPrepareOks() {
        RootRequirement.require("the XDP fuzz test (BPF_PROG_TEST_RUN)");
        withSeed("quorum_prune", this::fuzzQuorumPrune);
    }

    private void withSeed(String program, Runnable fuzz) {
        try {
            fuzz.run();
        } catch (AssertionError e) {
            throw new AssertionError(program + " fuzz failed with seed=" + seed + " (replay with -Dfuzz.seed=" + seed + "): "
                    + e.getMessage(), e);
        }
    }

    private void fuzzFastReply() {
        int me = 2;
        FrameFuzzer fuzzer = new FrameFuzzer(seed, cluster, me);
        Random random = fuzzer.random;
        long view = 5, lastOp = 100;
        int leader = 0;
        Status status = Status.NORMAL;
        boolean on = true;
        int answered = 0;
        try (LoadedPrograms offloads = cluster.load(me, Offload.FAST_REPLY)) {
            BpfProgram program = offloads.program(Offload.FAST_REPLY);
            offloads.writeState(cluster.state(view, status, leader, me, lastOp, OffloadProgram.FAST_REPLY.stateBit));
            for (int i = 0; i < count; i++) {
                if (random.nextInt(100) < 2) {
                    view += random.nextInt(4) == 0 ? 1 : 0;
                    leader = random.nextInt(5) == 0 ? me : random.nextInt(2);
                    status = random.nextInt(4) == 0 ? Status.values()[1 + random.nextInt(2)] : Status.NORMAL;
                    on = random.nextInt(6) != 0;
                    lastOp = Math.max(0, lastOp + random.nextInt(5) - 2);
                    offloads.writeState(cluster.state(view, status, leader, me, lastOp, on ? OffloadProgram.FAST_REPLY.stateBit : 0));
                }
                int other = random.nextInt(n);
                byte[] frame = switch (random.nextInt(20)) {
                    case 0, 1, 2, 3, 4, 5, 6 -> fuzzer.frame(leader, fuzzer.prepare(view, leader, lastOp + 1));
                    case 7, 8, 9 -> fuzzer.frame(other, fuzzer.prepare(view + random.nextInt(3) - 1, other, lastOp + random.nextInt(5) - 2));
                    case 10, 11, 12 -> fuzzer.frame(other, fuzzer.otherMessage(view, other, lastOp));
                    case 13 -> fuzzer.noise();
                    default -> fuzzer.mutate(fuzzer.frame(leader, fuzzer.prepare(view, leader, lastOp + 1)));
                };
                BpfProgram.TestRun run = program.testRun(frame);
                WireModel.Classified c = WireModel.classify(frame, cluster.members);
                ElState state = cluster.state(view, status, leader, me, lastOp, on ? OffloadProgram.FAST_REPLY.stateBit : 0);
                boolean expectAnswer = c.accepted() && c.message() instanceof Message.Prepare p
                        && FastReplyModel.check(state, p) == FastReplyModel.Verdict.ANSWERED;
                List<byte[]> recorded = offloads.ring().consume();
                String what = "frame " + i + " " + HexFormat.of().formatHex(frame);
                if (run.verdict() == XDP_TX) {
                    assertThat(expectAnswer).as("XDP_TX for what is not a valid in-order Prepare: %s", what).isTrue();
                    Message.Prepare p = (Message.Prepare) c.message();
                    assertThat(run.output()).as("PrepareOK for %s", what).isEqualTo(expectedPrepareOk(frame, view, me, p.op()));
                    assertThat(recorded).as("recorded for %s", what).singleElement().isEqualTo(c.payload());
                    lastOp = p.op();
                    answered++;
                    continue;
                }
                assertThat(recorded).as("recorded without an answer: %s", what).isEmpty();
                judgeNotAnswered(run, frame, c, what);
                if (frame.length <= LINEAR_MAX) assertThat(expectAnswer).as("a valid in-order Prepare not answered: %s", what).isFalse();
            }
            assertThat(offloads.readState().lastOp()).isEqualTo(lastOp);
            assertThat(answered).as("answered frames (the fuzz must reach the fast path)").isGreaterThan(count / 10);
        }
    }

    private void fuzzQuorumPrune() {
        int me = 0;
        FrameFuzzer fuzzer = new FrameFuzzer(seed, cluster, me);
        Random random = fuzzer.random;
        QuorumModel model = new QuorumModel();
        long view = 3, base = 1000;
        int leader = me;
        Status status = Status.NORMAL;
        boolean on = true;
        int passed = 0;
        try (LoadedPrograms offloads = cluster.load(me, Offload.QUORUM_PRUNE)) {
            BpfProgram program = offloads.program(Offload.QUORUM_PRUNE);
            offloads.writeState(cluster.state(view, status, leader, me, 0, OffloadProgram.QUORUM_PRUNE.stateBit));
            for (int i = 0; i < count; i++) {
                if (random.nextInt(100) < 1) {
                    view += random.nextInt(3) == 0 ? 1 : 0;
                    leader = random.nextInt(6) == 0 ? 1 + random.nextInt(n - 1) : me;
                    status = random.nextInt(5) == 0 ? Status.values()[1 + random.nextInt(2)] : Status.NORMAL;
                    on = random.nextInt(8) != 0;
                    offloads.writeState(cluster.state(view, status, leader, me, 0, on ? OffloadProgram.QUORUM_PRUNE.stateBit : 0));
                }
                if (random.nextInt(20) == 0) base++;
                if (random.nextInt(500) == 0) base += QuorumModel.WINDOW + random.nextInt(300);
                int follower = 1 + random.nextInt(n - 1), anyone = random.nextInt(n);
                long op = base + random.nextInt(8);
                byte[] frame = switch (random.nextInt(20)) {
                    case 0, 1, 2, 3, 4, 5 -> fuzzer.frame(follower, new Message.PrepareOk(view, follower, op, 0));
                    case 6, 7 -> fuzzer.frame(anyone, new Message.PrepareOk(view + random.nextInt(3) - 1, anyone, op, 0));
                    case 8, 9, 10 -> fuzzer.frame(anyone, fuzzer.otherMessage(view, anyone, op));
                    case 11 -> fuzzer.noise();
                    case 12 -> fuzzer.frame(anyone, fuzzer.prepare(view, anyone, op));
                    default -> fuzzer.mutate(fuzzer.frame(follower, new Message.PrepareOk(view, follower, op, 0)));
                };
                BpfProgram.TestRun run = program.testRun(frame);
                WireModel.Classified c = WireModel.classify(frame, cluster.members);
                String what = "frame " + i + " " + HexFormat.of().formatHex(frame);
                ElState state = cluster.state(view, status, leader, me, 0, on ? OffloadProgram.QUORUM_PRUNE.stateBit : 0);
                boolean countable = c.accepted() && c.message() instanceof Message.PrepareOk ok && QuorumModel.counts(state, ok);
                if (countable && frame.length <= LINEAR_MAX) {
                    Message.PrepareOk ok = (Message.PrepareOk) c.message();
                    QuorumModel.Result result = model.count(ok.view(), ok.op(), ok.sender(), cluster.f);
                    if (result == QuorumModel.Result.COMPLETE) {
                        assertThat(run.verdict()).as("the quorum-completing %s", what).isEqualTo(XDP_PASS);
                        assertQuorumMarked(frame, run.output(), model.lastAcks(), what);
                        passed++;
                    } else {
                        assertThat(run.verdict()).as("%s (%s)", what, result).isEqualTo(XDP_DROP);
                    }
                    continue;
                }
                assertThat(run.verdict()).as("only counted PrepareOKs may be dropped as pruned: %s", what).isNotEqualTo(XDP_TX);
                judgeNotAnswered(run, frame, c, what);
            }
            assertThat(passed).as("quorums passed (the fuzz must reach the counting)").isGreaterThan(count / 50);
        }
    }

    /** PASS leaves the frame as it was; DROP only what user space would refuse too. */
    private static void judgeNotAnswered(BpfProgram.TestRun run, byte[] frame, WireModel.Classified c, String what) {
        switch (run.verdict()) {
            case XDP_PASS -> assertThat(run.output()).as("passed frame changed: %s", what).isEqualTo(frame);
            case XDP_DROP -> {
                assertThat(c.kind()).as("dropped what is not cluster traffic: %s", what).isNotEqualTo(WireModel.Kind.OTHER);
                if (frame.length <= LINEAR_MAX) assertThat(c.accepted()).as("dropped what user space accepts: %s", what).isFalse();
            }
            default -> throw new AssertionError("verdict " + run.verdict() + " for " + what);
        }
        if (c.kind() == WireModel.Kind.MALFORMED && frame.length <= LINEAR_MAX) {
            assertThat(run.verdict()).as("malformed cluster traffic: %s", what).isEqualTo(XDP_DROP);
        }
    }

    /** The frame fast_reply must send for a Prepare: the core's PrepareOK, addresses and ports swapped. */
    private static byte[] expectedPrepareOk(byte[] prepare, long view, int me, long op) {
        byte[] payload = TestCluster.CODEC.encode(new Message.PrepareOk(view, me, op, 0));
        byte[] out = new byte[Frames.PAYLOAD + payload.length];
        System.arraycopy(prepare, 6, out, 0, 6);
        System.arraycopy(prepare, 0, out, 6, 6);
        System.arraycopy(prepare, 12, out, 12, 2 + Frames.IP);
        System.arraycopy(prepare, Frames.ETH + 16, out, Frames.ETH + 12, 4);
        System.arraycopy(prepare, Frames.ETH + 12, out, Frames.ETH + 16, 4);
        Frames.putShort(out, Frames.ETH + 2, Frames.IP + Frames.UDP + payload.length);
        out[Frames.ETH + 8] = 64;
        FrameFuzzer.fixIpChecksum(out);
        System.arraycopy(prepare, Frames.ETH + Frames.IP + 2, out, Frames.ETH + Frames.IP, 2);
        System.arraycopy(prepare, Frames.ETH + Frames.IP, out, Frames.ETH + Frames.IP + 2, 2);
        Frames.putShort(out, Frames.ETH + Frames.IP + 4, Frames.UDP + payload.length);
        System.arraycopy(payload, 0, out, Frames.PAYLOAD, payload.length);
        int sum = Frames.udpChecksum(out);
        Frames.putShort(out, Frames.ETH + Frames.IP + 6, sum == 0 ? 0xffff : sum);
        return out;
    }

    /** The passed frame is the input with EL_FLAG_QUORUM and the ack bitmap, its UDP checksum kept right. */
    private static void assertQuorumMarked(byte[] in, byte[] out, long acks, String what) {
        byte[] expected = in.clone();
        expected[Frames.PAYLOAD + Wire.OFFSET_FLAGS] |= (byte) Wire.FLAG_QUORUM;
        ByteBuffer.wrap(expected).order(ByteOrder.LITTLE_ENDIAN).putLong(Frames.PAYLOAD + Wire.OFFSET_ACKS, acks);
        int checksumAt = Frames.ETH + Frames.IP + 6;
        assertThat(Arrays.copyOf(out, checksumAt)).as(what).isEqualTo(Arrays.copyOf(expected, checksumAt));
        assertThat(Arrays.copyOfRange(out, checksumAt + 2, out.length)).as(what)
                .isEqualTo(Arrays.copyOfRange(expected, checksumAt + 2, expected.length));
        Frames.Frame before = Frames.parse(Arrays.copyOf(in, in.length)), after = Frames.parse(out);
        if (before.udpChecksum() == 0) {
            assertThat(after.udpChecksum()).as("no checksum stays none: %s", what).isZero();
        } else if (before.udpChecksumOk()) {
            assertThat(after.udpChecksumOk()).as("checksum after marking: %s", what).isTrue();
        }
    }
}

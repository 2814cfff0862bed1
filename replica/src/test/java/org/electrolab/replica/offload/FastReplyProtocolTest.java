package org.electrolab.replica.offload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.electrolab.protocol.Message;
import org.electrolab.protocol.MessageCodec;
import org.electrolab.replica.core.Effects;
import org.electrolab.replica.core.Status;
import org.junit.jupiter.api.Test;

/** User space's half of the protocol with fast_reply, without a kernel: follower 1 of 3, leader 0. */
class FastReplyProtocolTest {

    private static final int ME = 1, LEADER = 0;

    private final FastReplyProtocol protocol = new FastReplyProtocol(ME);

    private void follow(long view, long op) {
        protocol.mirrored(new Effects.KernelState(view, Status.NORMAL, LEADER, ME, op, 0));
    }

    private static Message.Prepare prepare(long view, long op) {
        return TestCluster.prepare(view, LEADER, op, 1, 4);
    }

    @Test
    void onlyANormalFollowerStopsTheFastPathBeforeALogDecision() {
        assertThat(protocol.mustDrainAll(true)).as("nothing mirrored yet").isFalse();
        follow(3, 10);
        assertThat(protocol.mustDrainAll(true)).isTrue();
        assertThat(protocol.mustDrainAll(false)).isFalse();
        protocol.mirrored(new Effects.KernelState(4, Status.VIEW_CHANGE, 1, ME, 10, 0));
        assertThat(protocol.mustDrainAll(true)).as("in a view change the kernel acknowledges nothing").isFalse();
        protocol.mirrored(new Effects.KernelState(4, Status.NORMAL, ME, ME, 10, 0));
        assertThat(protocol.mustDrainAll(true)).as("leading").isFalse();
    }

    @Test
    void theCoresPrepareOkForAnOpTheKernelAnsweredIsNotSentAgain() {
        follow(3, 10);
        assertThat(protocol.recorded(List.of(prepare(3, 11), prepare(3, 12)))).containsExactly(prepare(3, 11), prepare(3, 12));
        assertThat(protocol.sentByKernel(new Effects.Send(LEADER, new Message.PrepareOk(3, ME, 11, 0)))).isTrue();
        assertThat(protocol.sentByKernel(new Effects.Send(LEADER, new Message.PrepareOk(3, ME, 11, 0))))
                .as("the core answers a retransmission itself").isFalse();
        assertThat(protocol.sentByKernel(new Effects.Send(LEADER, new Message.PrepareOk(3, ME, 12, 0)))).isTrue();
        follow(4, 12);
        protocol.recorded(List.of(prepare(4, 13)));
        assertThat(protocol.sentByKernel(new Effects.Send(LEADER, new Message.PrepareOk(3, ME, 13, 0)))).as("another view").isFalse();
    }

    @Test
    void aPrepareThatCameUpForAnOpTheKernelAnsweredIsAResend() {
        follow(3, 10);
        assertThat(protocol.resentAfterAnswer(prepare(3, 11))).as("nothing answered yet").isFalse();
        protocol.recorded(List.of(prepare(3, 11), prepare(3, 12)));
        assertThat(protocol.resentAfterAnswer(prepare(3, 11))).isTrue();
        assertThat(protocol.resentAfterAnswer(prepare(3, 12))).isTrue();
        assertThat(protocol.resentAfterAnswer(prepare(3, 13))).as("the next op, passed up on a full ring").isFalse();
        assertThat(protocol.sentByKernel(new Effects.Send(LEADER, new Message.PrepareOk(3, ME, 12, 0)))).isTrue();
        assertThat(protocol.resentAfterAnswer(prepare(3, 12))).as("still answered after the core's PrepareOK was held back").isTrue();
        follow(4, 12);
        assertThat(protocol.resentAfterAnswer(prepare(4, 12))).as("a new view: nothing answered in it").isFalse();
    }

    @Test
    void repeatsAndOldViewsPassButARecordBeyondTheNextOpStopsTheReplica() {
        follow(3, 10);
        assertThat(protocol.recorded(List.of(prepare(3, 11), prepare(3, 12), prepare(3, 11), prepare(2, 40)))).hasSize(4);
        follow(3, 12);
        assertThatThrownBy(() -> protocol.recorded(List.of(prepare(3, 14))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("fast_reply acknowledged op 14 of view 3 but op 13 never reached user space: the kernel vouched for"
                        + " an op the core cannot hold; stopping");
    }

    @Test
    void aRecordTheCodecRefusesStopsTheReplica() {
        MessageCodec codec = TestCluster.CODEC;
        byte[] good = codec.encode(prepare(3, 11));
        byte[] bad = good.clone();
        bad[0] ^= 1;
        assertThat(LoadedPrograms.decode(codec, List.of(good))).containsExactly(prepare(3, 11));
        assertThatThrownBy(() -> LoadedPrograms.decode(codec, List.of(good, bad)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("fast-reply acknowledged a Prepare the codec refuses (")
                .hasMessageEndingWith("the kernel and user space disagree on the wire format; stopping");
        byte[] commit = codec.encode(new Message.Commit(3, LEADER, 5));
        assertThatThrownBy(() -> LoadedPrograms.decode(codec, List.of(commit))).hasMessage("fast-reply recorded a COMMIT, not a Prepare; stopping");
    }
}

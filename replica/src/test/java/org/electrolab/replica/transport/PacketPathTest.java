package org.electrolab.replica.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.electrolab.protocol.Message;
import org.junit.jupiter.api.Test;

/** Which steps stop the kernel's fast path and take everything it acknowledged first. */
class PacketPathTest {

    private static final Message.Entry ENTRY = new Message.Entry(List.of(new Message.Request(1, 1, new byte[] {1})));

    @Test
    void viewChangeMessagesAreLogDecisions() {
        assertThat(PacketPath.isLogDecision(new Message.StartViewChange(5, 2), 4)).isTrue();
        assertThat(PacketPath.isLogDecision(new Message.DoViewChange(5, 2, 4, 10, 9), 5)).isTrue();
    }

    /**
     * A follower leaves its view on a StartView, or on a Prepare or Commit of a later view: an op
     * the kernel acknowledged in the old view that is still in the ring would then be ignored as
     * old, and a later DoViewChange would miss it (found by the simulator's kernel model, seed 873:
     * a Prepare of view 41 handled without the drain, the record of op 160 of view 40 drained after it).
     */
    @Test
    void leavingTheViewIsALogDecision() {
        assertThat(PacketPath.isLogDecision(new Message.StartView(5, 0, 4, 10, 9), 4)).isTrue();
        assertThat(PacketPath.isLogDecision(new Message.Prepare(5, 0, 11, 10, ENTRY), 4)).isTrue();
        assertThat(PacketPath.isLogDecision(new Message.Commit(5, 0, 10), 4)).isTrue();
    }

    @Test
    void normalOperationInTheViewIsNot() {
        assertThat(PacketPath.isLogDecision(new Message.Prepare(4, 0, 11, 10, ENTRY), 4)).isFalse();
        assertThat(PacketPath.isLogDecision(new Message.Commit(4, 0, 10), 4)).isFalse();
        assertThat(PacketPath.isLogDecision(new Message.Prepare(3, 0, 11, 10, ENTRY), 4)).as("an old view's").isFalse();
        assertThat(PacketPath.isLogDecision(new Message.PrepareOk(4, 1, 11, 0), 4)).isFalse();
        assertThat(PacketPath.isLogDecision(new Message.Request(1, 2, new byte[] {1}), 4)).isFalse();
        assertThat(PacketPath.isLogDecision(new Message.GetState(4, 1, 3), 4)).isFalse();
    }
}

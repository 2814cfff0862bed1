package org.electrolab.replica.offload;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Lost XDP_TX answers are told from a lossy but working path by the share of answered ops the leader resent. */
class ReplyDeliveryTest {

    @Test
    void answersTheLeaderResendsNearlyAllAreJudgedLostAfterThreeWindows() {
        ReplyDelivery d = new ReplyDelivery();
        assertThat(d.window(100, 110)).isFalse();
        assertThat(d.window(200, 220)).isFalse();
        assertThat(d.window(300, 330)).isTrue();
        assertThat(d.window(300, 330)).as("once lost, always lost").isTrue();
    }

    @Test
    void answersLostUnderAPipelineOfClientsAreJudgedLostToo() {
        ReplyDelivery d = new ReplyDelivery();
        // As measured with 8 clients: 71% of the answered ops resent.
        assertThat(d.window(140, 100)).isFalse();
        assertThat(d.window(280, 200)).isFalse();
        assertThat(d.window(420, 300)).isTrue();
    }

    @Test
    void aLossyButWorkingPathIsNot() {
        ReplyDelivery d = new ReplyDelivery();
        for (int w = 1; w <= 20; w++) assertThat(d.window(1000L * w, 400L * w)).isFalse(); // 40% resent: heavy loss
    }

    @Test
    void oneGoodWindowStartsTheCountAgain() {
        ReplyDelivery d = new ReplyDelivery();
        d.window(100, 100);
        d.window(200, 200);
        assertThat(d.window(300, 210)).isFalse();
        assertThat(d.window(400, 310)).isFalse();
        assertThat(d.window(500, 410)).isFalse();
        assertThat(d.window(600, 510)).isTrue();
    }

    @Test
    void windowsWithFewAnswersAreNotJudged() {
        ReplyDelivery d = new ReplyDelivery();
        for (int w = 1; w <= 10; w++) assertThat(d.window(10L * w, 20L * w)).isFalse();
    }
}

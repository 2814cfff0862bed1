package org.electrolab.replica.offload;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

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
    void eachJudgementDoublesThePauseUntilFastReplyIsTriedAgain() {
        ReplyDelivery d = new ReplyDelivery();
        assertThat(d.judgements()).isZero();
        for (int w = 1; w <= 3; w++) d.window(100L * w, 100L * w);
        assertThat(d.lost()).isTrue();
        assertThat(d.offFor()).isEqualTo(Duration.ofMinutes(1));
        d.retry(300, 300);
        assertThat(d.lost()).as("tried again").isFalse();
        assertThat(d.window(400, 310)).as("judged afresh from the totals at the retry: 10 of 100 resent").isFalse();
        for (int w = 5; w <= 7; w++) d.window(100L * w, 310 + 100L * (w - 4));
        assertThat(d.judgements()).isEqualTo(2);
        assertThat(d.offFor()).isEqualTo(Duration.ofMinutes(2));
        for (int j = 3; j <= 8; j++) {
            d.retry(0, 0);
            for (int w = 1; w <= 3; w++) d.window(100L * w, 100L * w);
        }
        assertThat(d.offFor()).as("at most").isEqualTo(Duration.ofMinutes(32));
    }

    @Test
    void theLineNamesTheInterfaceBothFixesAndThePause() {
        assertThat(ReplyDelivery.message(2, "eth0", 1149, 819, Duration.ofSeconds(60)))
                .startsWith("replica 2: fast-reply off: the leader resent 819 of the 1149 Prepares this replica answered from XDP")
                .contains("for 60 s").contains("attach an XDP program to the peer of eth0")
                .endsWith("or run with --offload tc-broadcast,quorum-prune")
                .doesNotContain("\n");
    }

    @Test
    void windowsWithFewAnswersAreNotJudged() {
        ReplyDelivery d = new ReplyDelivery();
        for (int w = 1; w <= 10; w++) assertThat(d.window(10L * w, 20L * w)).isFalse();
    }
}

package org.electrolab.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.electrolab.protocol.Message.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class ClusterProbeTest {

    private static final int CLUSTER = 44;

    @Test
    void retriesUntilAMemberAnswersAndGivesUpAfterTheDeadline(Vertx vertx) throws Exception {
        // A member that is still starting: it answers from the third copy of the request on.
        try (FakeMember m0 = FakeMember.start(vertx, CLUSTER, 0, "127.0.42.61",
                (r, copies, out) -> { if (copies >= 3) out.reply(0, r.payload()); })) {
            Reply reply = ClusterProbe.firstAnswer(vertx, FakeMember.endpoints(CLUSTER, m0), "127.0.42.69", new byte[] {9},
                    Duration.ofMillis(20), Duration.ofSeconds(5)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(reply.result()).containsExactly(9);
            assertThat(m0.requestNumbers()).containsExactly(1L, 1L, 1L);
        }
        try (FakeMember silent = FakeMember.start(vertx, CLUSTER, 0, "127.0.42.62", FakeMember.SILENT)) {
            var probe = ClusterProbe.firstAnswer(vertx, FakeMember.endpoints(CLUSTER, silent), "127.0.42.69", new byte[0],
                    Duration.ofMillis(20), Duration.ofMillis(100)).toCompletionStage().toCompletableFuture();
            assertThatThrownBy(() -> probe.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(TimeoutException.class);
        }
    }
}

package org.electrolab.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.electrolab.protocol.Message.Reply;
import org.electrolab.protocol.Message.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A session's retransmissions against a fake member on 127.0.42.x: when, how often, and what they carry. */
@ExtendWith(VertxExtension.class)
class SessionTest {

    private static final int CLUSTER = 44;
    /** Far above any round trip on loopback, even on a loaded machine: a retry this late is the ceiling's, not the estimate's. */
    private static final Duration CEILING = Duration.ofSeconds(20);

    private static Reply submit(ClientSocket socket, Session session) throws Exception {
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        socket.context().runOnContext(v -> session.submit(new byte[] {7}, Session.NEVER)
                .onComplete(r -> { if (r.succeeded()) reply.complete(r.result()); else reply.completeExceptionally(r.cause()); }));
        return reply.get(CEILING.toSeconds() * 2, TimeUnit.SECONDS);
    }

    @Test
    void aLostFirstCopyIsSentAgainAfterTheMeasuredRoundTripNotTheCeiling(Vertx vertx) throws Exception {
        AtomicLong ignoreFirstCopyFrom = new AtomicLong(Long.MAX_VALUE);
        try (FakeMember m0 = FakeMember.start(vertx, CLUSTER, 0, "127.0.42.61", (r, copies, out) -> {
            if (copies >= 2 || r.requestNumber() < ignoreFirstCopyFrom.get()) out.reply(0, r.payload());
        })) {
            ClientSocket socket = ClientSocket.open(vertx, FakeMember.endpoints(CLUSTER, m0), "127.0.42.69")
                    .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            Session session = new Session(socket, socket.freshClientId(), CEILING);
            try {
                for (int i = 0; i < 20; i++) submit(socket, session);
                long answeredFirstTime = session.retryTimeout().samples();
                assertThat(answeredFirstTime).isPositive();
                assertThat(session.retryTimeout().timeoutNanos(0)).isLessThan(CEILING.toNanos() / 4);

                ignoreFirstCopyFrom.set(21);
                long start = System.nanoTime();
                Reply reply = submit(socket, session);
                long tookNanos = System.nanoTime() - start;

                assertThat(reply.requestNumber()).isEqualTo(21);
                assertThat(tookNanos).isLessThan(CEILING.toNanos() / 2);
                // Both copies carried the same client id and request number: the replica's client table dedups them.
                assertThat(m0.received.stream().filter(r -> r.requestNumber() == 21))
                        .hasSizeGreaterThanOrEqualTo(2)
                        .extracting(Request::clientId).containsOnly(session.clientId());
                // Karn: the reply to a retransmitted request is no round-trip sample.
                assertThat(session.retryTimeout().samples()).isEqualTo(answeredFirstTime);
                assertThat(m0.problems).isEmpty();
            } finally {
                socket.context().runOnContext(v -> session.close());
                socket.close();
            }
        }
    }
}

package org.electrolab.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.electrolab.client.KvClient.Call;
import org.electrolab.client.KvClient.Outcome;
import org.electrolab.protocol.Kv;
import org.electrolab.protocol.Kv.Result;
import org.electrolab.protocol.Kv.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class KvClientTest {

    private static final int CLUSTER = 43;

    /** A one-member kv store, as the kv app answers; views as given. */
    private static FakeMember.Behaviour store(long view) {
        Map<String, String> data = new HashMap<>();
        return (request, copies, out) -> {
            Result result = switch (Kv.decode(request.payload())) {
                case Kv.Get g -> data.containsKey(g.key()) ? new Result(Status.OK, data.get(g.key())) : new Result(Status.NOT_FOUND, null);
                case Kv.Put p -> {
                    data.put(p.key(), p.value());
                    yield new Result(Status.OK, null);
                }
                case Kv.Cas c -> {
                    if (!Objects.equals(data.get(c.key()), c.expected())) yield new Result(Status.CAS_FAILED, data.get(c.key()));
                    data.put(c.key(), c.value());
                    yield new Result(Status.OK, null);
                }
            };
            out.reply(view, Kv.encode(result));
        };
    }

    private static Call await(CompletableFuture<Call> call) throws Exception {
        return call.get(10, TimeUnit.SECONDS);
    }

    @Test
    void callsCompleteInOrderWithOutcomesAndTimes(Vertx vertx) throws Exception {
        try (FakeMember m0 = FakeMember.start(vertx, CLUSTER, 0, "127.0.42.41", store(0))) {
            KvClient kv = KvClient.connect(vertx, FakeMember.endpoints(CLUSTER, m0), "127.0.42.49", KvClient.Options.defaults())
                    .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            try {
                // Issued together: queued in call order behind the one request in flight.
                List<CompletableFuture<Call>> calls = List.of(kv.get("x"), kv.put("x", "1"), kv.cas("x", "1", "2"),
                        kv.cas("x", "1", "3"), kv.get("x"));
                List<Call> done = new java.util.ArrayList<>();
                for (CompletableFuture<Call> c : calls) done.add(await(c));

                assertThat(done).extracting(Call::requestNumber).containsExactly(1L, 2L, 3L, 4L, 5L);
                assertThat(done).extracting(Call::outcome).containsExactly(Outcome.OK, Outcome.OK, Outcome.OK, Outcome.FAIL, Outcome.OK);
                assertThat(done.get(0).result()).isEqualTo(new Result(Status.NOT_FOUND, null));
                assertThat(done.get(3).result()).isEqualTo(new Result(Status.CAS_FAILED, "2"));
                assertThat(done.get(4).result()).isEqualTo(new Result(Status.OK, "2"));
                assertThat(done).allSatisfy(c -> {
                    assertThat(c.clientId()).isEqualTo(kv.clientId());
                    assertThat(c.completeNanos()).isGreaterThanOrEqualTo(c.invokeNanos());
                });
                assertThat(m0.requestNumbers()).containsExactly(1L, 2L, 3L, 4L, 5L);
            } finally {
                kv.close();
            }
        }
    }

    @Test
    void readsAReplyLargerThanNettysDefaultDatagramBuffer(Vertx vertx) throws Exception {
        String value = "x".repeat(6000);
        try (FakeMember m0 = FakeMember.start(vertx, CLUSTER, 0, "127.0.42.45", store(0))) {
            KvClient kv = KvClient.connect(vertx, FakeMember.endpoints(CLUSTER, m0), "127.0.42.49", KvClient.Options.defaults())
                    .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            try {
                assertThat(await(kv.put("big", value)).outcome()).isEqualTo(Outcome.OK);
                assertThat(await(kv.get("big")).result()).isEqualTo(new Result(Status.OK, value));
            } finally {
                kv.close();
            }
        }
    }

    @Test
    void findsTheLeaderOfAReplyAndGivesUpAsUnknownWhenNobodyAnswers(Vertx vertx) throws Exception {
        try (FakeMember m0 = FakeMember.start(vertx, CLUSTER, 0, "127.0.42.51", FakeMember.SILENT);
             FakeMember m1 = FakeMember.start(vertx, CLUSTER, 1, "127.0.42.52", store(1));
             FakeMember m2 = FakeMember.start(vertx, CLUSTER, 2, "127.0.42.53", FakeMember.SILENT)) {
            KvClient kv = KvClient.connect(vertx, FakeMember.endpoints(CLUSTER, m0, m1, m2), "127.0.42.59",
                    new KvClient.Options(Duration.ofMillis(50), Duration.ofSeconds(5))).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            try {
                assertThat(await(kv.put("k", "v")).outcome()).isEqualTo(Outcome.OK);
                Call read = await(kv.get("k"));
                assertThat(read.result()).isEqualTo(new Result(Status.OK, "v"));
                assertThat(read.view()).isEqualTo(1);
                // The put found member 1 through a retry; the get went straight there.
                assertThat(m0.requestNumbers()).containsExactly(1L, 1L);
                assertThat(m1.requestNumbers()).containsExactly(1L, 2L);
            } finally {
                kv.close();
            }
        }
        try (FakeMember silent = FakeMember.start(vertx, CLUSTER, 0, "127.0.42.54", FakeMember.SILENT)) {
            KvClient kv = KvClient.connect(vertx, FakeMember.endpoints(CLUSTER, silent), "127.0.42.59",
                    new KvClient.Options(Duration.ofMillis(20), Duration.ofMillis(150))).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            try {
                Call call = await(kv.put("k", "v"));
                assertThat(call.outcome()).isEqualTo(Outcome.UNKNOWN);
                assertThat(call.result()).isNull();
                assertThat(call.view()).isEqualTo(-1);
                assertThat(call.completeNanos() - call.invokeNanos()).isGreaterThanOrEqualTo(Duration.ofMillis(150).toNanos());
                assertThat(silent.requestNumbers()).hasSizeGreaterThanOrEqualTo(2).containsOnly(1L);
                // The next call is a new request.
                assertThat(await(kv.get("k")).requestNumber()).isEqualTo(2);
            } finally {
                kv.close();
            }
        }
    }
}

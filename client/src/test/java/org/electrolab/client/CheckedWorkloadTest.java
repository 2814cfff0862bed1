package org.electrolab.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.electrolab.client.KvClient.Outcome;
import org.electrolab.client.history.CheckedWorkload;
import org.electrolab.client.history.History;
import org.electrolab.client.history.History.Op;
import org.electrolab.client.history.LinearizabilityChecker;
import org.electrolab.client.history.LostWrites;
import org.electrolab.protocol.Kv;
import org.electrolab.protocol.Kv.Result;
import org.electrolab.protocol.Kv.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The recorded workload against a one-member store: a correct store is judged linearizable, a forgetful one is caught. */
@ExtendWith(VertxExtension.class)
class CheckedWorkloadTest {

    private static final int CLUSTER = 47;

    /**
     * A kv store as the kv app answers, a copy of a request answered from the same result (as the
     * replicas' client table does); with {@code forgetEvery} > 0 every such put is acknowledged but not applied.
     */
    private static FakeMember.Behaviour store(int forgetEvery) {
        Map<String, String> data = new HashMap<>();
        Map<List<Long>, byte[]> answered = new HashMap<>();
        AtomicInteger puts = new AtomicInteger();
        return (request, copies, out) -> {
            byte[] result = answered.computeIfAbsent(List.of(request.clientId(), request.requestNumber()), k -> Kv.encode(
                    switch (Kv.decode(request.payload())) {
                        case Kv.Get g -> data.containsKey(g.key()) ? new Result(Status.OK, data.get(g.key())) : new Result(Status.NOT_FOUND, null);
                        case Kv.Put p -> {
                            if (forgetEvery == 0 || puts.incrementAndGet() % forgetEvery != 0) data.put(p.key(), p.value());
                            yield new Result(Status.OK, null);
                        }
                        case Kv.Cas c -> {
                            if (!Objects.equals(data.get(c.key()), c.expected())) yield new Result(Status.CAS_FAILED, data.get(c.key()));
                            data.put(c.key(), c.value());
                            yield new Result(Status.OK, null);
                        }
                    }));
            out.reply(0, result);
        };
    }

    private static History run(Vertx vertx, FakeMember member, int activeKeys, int opsPerKey) throws Exception {
        CheckedWorkload.Spec spec = new CheckedWorkload.Spec(FakeMember.endpoints(CLUSTER, member), "127.0.47.9", 4,
                Duration.ofMillis(700), KvClient.Options.defaults(), activeKeys, opsPerKey, CheckedWorkload.Mix.defaults(), 3, Duration.ofSeconds(10), 11);
        return CheckedWorkload.run(vertx, spec).get(30, TimeUnit.SECONDS);
    }

    @Test
    void aCorrectStoreGivesALinearizableHistoryWithFinalReadsOfEveryWrittenKey(Vertx vertx) throws Exception {
        try (FakeMember member = FakeMember.start(vertx, CLUSTER, 0, "127.0.47.1", store(0))) {
            History history = run(vertx, member, 4, 50);

            List<Op> workload = history.ops().stream().filter(op -> !op.finalRead).toList();
            List<Op> finalReads = history.ops().stream().filter(op -> op.finalRead).toList();
            assertThat(workload).hasSizeGreaterThan(200);
            assertThat(workload).allMatch(op -> op.outcome() != Outcome.UNKNOWN);
            Map<Class<?>, Long> kinds = workload.stream().collect(Collectors.groupingBy(op -> op.command.getClass(), Collectors.counting()));
            assertThat(kinds.keySet()).containsExactlyInAnyOrder(Kv.Get.class, Kv.Put.class, Kv.Cas.class);
            assertThat(workload).anyMatch(op -> op.command instanceof Kv.Cas && op.outcome() == Outcome.OK);

            Set<String> written = workload.stream().filter(op -> !(op.command instanceof Kv.Get)).map(op -> op.command.key())
                    .collect(Collectors.toSet());
            assertThat(finalReads).extracting(op -> op.command.key()).containsExactlyInAnyOrderElementsOf(written);
            assertThat(written.size()).as("keys are retired after 50 ops and replaced").isGreaterThan(4);
            long lastWorkloadCompletion = workload.stream().mapToLong(Op::completeNanos).max().orElseThrow();
            assertThat(finalReads).allMatch(op -> op.invokeNanos > lastWorkloadCompletion);
            Set<String> values = workload.stream().filter(op -> !(op.command instanceof Kv.Get)).map(Op::writtenValue)
                    .collect(Collectors.toSet());
            assertThat(values).as("values are unique per write").hasSize((int) workload.stream().filter(op -> !(op.command instanceof Kv.Get)).count());
            assertThat(history.ops()).extracting(op -> op.id).isSorted();
            assertThat(history.ops()).extracting(op -> op.invokeNanos).isSorted();

            LinearizabilityChecker.Result lin = new LinearizabilityChecker().check(history);
            assertThat(lin.ok()).as(lin::explanation).isTrue();
            LostWrites.Result lost = LostWrites.check(history);
            assertThat(lost.lost()).isEmpty();
            assertThat(lost.unverified()).isEmpty();
        }
    }

    @Test
    void aStoreThatForgetsAcknowledgedPutsIsCaught(Vertx vertx) throws Exception {
        try (FakeMember member = FakeMember.start(vertx, CLUSTER, 0, "127.0.47.2", store(5))) {
            History history = run(vertx, member, 2, 1000);
            assertThat(new LinearizabilityChecker().check(history).ok()).isFalse();
        }
    }

    @Test
    void whenTheClusterStaysDownTheFinalReadsStopInTimeAndLeaveWritesUnverified(Vertx vertx) throws Exception {
        AtomicBoolean down = new AtomicBoolean();
        FakeMember.Behaviour store = store(0);
        try (FakeMember member = FakeMember.start(vertx, CLUSTER, 0, "127.0.47.3", (request, copies, out) -> {
            if (!down.get()) store.onRequest(request, copies, out);
        })) {
            vertx.setTimer(400, id -> down.set(true));
            KvClient.Options options = new KvClient.Options(Duration.ofMillis(100), Duration.ofMillis(300));
            CheckedWorkload.Spec spec = new CheckedWorkload.Spec(FakeMember.endpoints(CLUSTER, member), "127.0.47.9", 2,
                    Duration.ofMillis(700), options, 4, 1000, CheckedWorkload.Mix.defaults(), 5, Duration.ofSeconds(1), 12);
            long started = System.nanoTime();
            History history = CheckedWorkload.run(vertx, spec).get(30, TimeUnit.SECONDS);

            // About 1 s of workload, then 5 attempts of 300 ms for each of 4 keys on 2 clients would take 3 s
            // more; the final phase stops starting reads after 1 s, so the whole run takes about 2.3 s.
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(3200));
            assertThat(history.ops()).filteredOn(op -> op.finalRead).isNotEmpty().allMatch(op -> op.outcome() == Outcome.UNKNOWN);
            LostWrites.Result lost = LostWrites.check(history);
            assertThat(lost.lost()).isEmpty();
            assertThat(lost.unverified()).isNotEmpty();
            assertThat(new LinearizabilityChecker().check(history).ok()).isTrue();
        }
    }
}

package org.electrolab.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.HdrHistogram.Histogram;
import org.electrolab.protocol.Kv;
import org.electrolab.protocol.Message.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The load generator against fake members on 127.0.42.x: leader discovery, retries, run.json. */
@ExtendWith(VertxExtension.class)
class ClosedLoopTest {

    private static final int CLUSTER = 42;

    private static RunResult run(Vertx vertx, ClosedLoop.Spec spec) throws Exception {
        long deadline = spec.warmup().plus(spec.duration()).toMillis() + 10_000;
        return ClosedLoop.run(vertx, spec).toCompletionStage().toCompletableFuture().get(deadline, TimeUnit.MILLISECONDS);
    }

    private static Workload nullPayloads() {
        return new Workload.NullPayloads(64, 1);
    }

    @Test
    void retriesToEveryMemberThenFollowsTheLeaderTheReplyNames(Vertx vertx) throws Exception {
        try (FakeMember m0 = FakeMember.start(vertx, CLUSTER, 0, "127.0.42.1", FakeMember.SILENT);
             FakeMember m1 = FakeMember.start(vertx, CLUSTER, 1, "127.0.42.2", (r, copies, out) -> out.reply(1, r.payload()));
             FakeMember m2 = FakeMember.start(vertx, CLUSTER, 2, "127.0.42.3", FakeMember.SILENT)) {
            ClosedLoop.Spec spec = new ClosedLoop.Spec(FakeMember.endpoints(CLUSTER, m0, m1, m2), 1, Duration.ZERO,
                    Duration.ofMillis(1500), Duration.ofMillis(300), "127.0.42.9", nullPayloads());

            RunResult result = run(vertx, spec);

            // Request 1 went to member 0 (leader of view 0), was not answered, and was sent again, to everyone.
            assertThat(m0.requestNumbers()).startsWith(1L, 1L);
            assertThat(m1.requestNumbers()).first().isEqualTo(1L);
            // From the reply of view 1 on, requests go to member 1: numbers 1, 2, 3, ... each once.
            List<Long> atLeader = m1.requestNumbers().stream().distinct().toList();
            assertThat(atLeader).hasSizeGreaterThan(10);
            assertThat(atLeader).isEqualTo(java.util.stream.LongStream.rangeClosed(1, atLeader.size()).boxed().toList());
            // Members 0 and 2 only ever see retransmissions (which go to every member), so the same ones.
            assertThat(m2.requestNumbers()).isEqualTo(m0.requestNumbers().subList(1, m0.received.size()));
            assertThat(result.timeouts()).isEqualTo(m2.received.size()).isGreaterThanOrEqualTo(1);
            assertThat(result.view()).isEqualTo(1);
            assertThat(result.leader()).isEqualTo(ClusterEndpoints.describe(m1.address()));
            assertThat(result.errors()).isZero();
            assertThat(result.completed()).isEqualTo(result.latencyMicros().getTotalCount()).isGreaterThan(10);
            assertThat(m0.problems).isEmpty();
            assertThat(m1.problems).isEmpty();
        }
    }

    @Test
    void aRetransmissionKeepsTheClientIdAndRequestNumber(Vertx vertx) throws Exception {
        // The member ignores the first copy of every request and answers the second.
        try (FakeMember m0 = FakeMember.start(vertx, CLUSTER, 0, "127.0.42.11",
                (r, copies, out) -> { if (copies >= 2) out.reply(0, r.payload()); })) {
            ClosedLoop.Spec spec = new ClosedLoop.Spec(FakeMember.endpoints(CLUSTER, m0), 1, Duration.ZERO,
                    Duration.ofMillis(800), Duration.ofMillis(20), "127.0.42.19", nullPayloads());

            RunResult result = run(vertx, spec);

            List<Request> received = m0.received;
            assertThat(received.stream().map(Request::clientId).distinct()).hasSize(1);
            List<Long> numbers = m0.requestNumbers();
            assertThat(numbers).isSorted();
            long last = numbers.getLast();
            for (long n = 1; n < last; n++) {
                long copies = n;
                assertThat(numbers.stream().filter(x -> x == copies).count()).as("copies of request %d", n).isGreaterThanOrEqualTo(2);
                List<byte[]> payloads = received.stream().filter(r -> r.requestNumber() == copies).map(Request::payload).toList();
                assertThat(payloads).allSatisfy(p -> assertThat(p).isEqualTo(payloads.getFirst()));
            }
            assertThat(result.completed()).isGreaterThanOrEqualTo(5);
            assertThat(result.timeouts()).isGreaterThanOrEqualTo(result.completed());
            assertThat(result.errors()).isZero();
        }
    }

    @Test
    void runJsonHoldsEveryKeyAndAgreesWithTheHistogram(Vertx vertx, @TempDir Path dir) throws Exception {
        // Every reply comes 2 ms late, so latencies are a few thousand microseconds.
        try (FakeMember m0 = FakeMember.start(vertx, CLUSTER, 0, "127.0.42.21",
                (r, copies, out) -> out.replyLater(2, 0, r.payload()))) {
            ClosedLoop.Spec spec = new ClosedLoop.Spec(FakeMember.endpoints(CLUSTER, m0), 4, Duration.ofMillis(300),
                    Duration.ofSeconds(1), Duration.ofMillis(200), "127.0.42.29", nullPayloads());
            RunResult result = run(vertx, spec);
            RunReport.Config config = new RunReport.Config("cluster.yaml", CLUSTER, 0, "null", m0.address().port(),
                    List.of(m0.address().host()));
            Path out = dir.resolve("results/run.json");

            RunReport.of(result, spec, config, List.of("none"), "2025-01-01T00:00:00Z").write(out);

            JsonNode json = new ObjectMapper().readTree(Files.readString(out));
            assertThat(json.fieldNames()).toIterable().contains("completed", "errors", "timeouts", "throughputOpsPerSec",
                    "latencyMicros", "clients", "warmupSeconds", "durationSeconds", "app", "members", "config",
                    "offloads", "startedAt", "workload", "latencyHistogram");
            assertThat(json.get("latencyMicros").fieldNames()).toIterable().contains("p50", "p90", "p99", "p999", "max");
            assertThat(json.get("config").get("path").asText()).isEqualTo("cluster.yaml");
            assertThat(json.get("offloads").get(0).asText()).isEqualTo("none");
            assertThat(json.get("app").asText()).isEqualTo("null");
            assertThat(json.get("clients").asInt()).isEqualTo(4);

            Histogram h = result.latencyMicros();
            long completed = json.get("completed").asLong();
            assertThat(completed).isEqualTo(h.getTotalCount()).isEqualTo(result.completed()).isGreaterThan(100);
            assertThat(json.get("throughputOpsPerSec").asDouble()).isEqualTo(completed / 1.0);
            JsonNode latency = json.get("latencyMicros");
            assertThat(latency.get("p50").asLong()).isEqualTo(h.getValueAtPercentile(50));
            assertThat(latency.get("p90").asLong()).isEqualTo(h.getValueAtPercentile(90));
            assertThat(latency.get("p99").asLong()).isEqualTo(h.getValueAtPercentile(99));
            assertThat(latency.get("p999").asLong()).isEqualTo(h.getValueAtPercentile(99.9));
            assertThat(latency.get("max").asLong()).isEqualTo(h.getMaxValue());
            // Microseconds: a 2 ms delay, well under the 200 ms timeout.
            assertThat(latency.get("p50").asLong()).isBetween(2_000L, 150_000L);
            assertThat(RunReport.read(out).histogram()).isEqualTo(h);
            // Replies during the 300 ms warmup are not measured.
            assertThat(json.get("answeredIncludingWarmup").asLong()).isGreaterThan(completed);
            assertThat(RunReport.read(out).table()).contains("ops/s", "p99.9 µs", "timeouts");
        }
    }

    @Test
    void countsAppErrorsAndUndecodableReplies(Vertx vertx) throws Exception {
        byte[] badRequest = Kv.encode(new Kv.Result(Kv.Status.BAD_REQUEST, null));
        byte[] ok = Kv.encode(new Kv.Result(Kv.Status.OK, null));
        // Gets are answered BAD_REQUEST, puts OK, and every reply is preceded by a datagram of garbage.
        try (FakeMember m0 = FakeMember.start(vertx, CLUSTER, 0, "127.0.42.31", (r, copies, out) -> {
            out.raw(new byte[] {1, 2, 3});
            out.reply(0, Kv.decode(r.payload()) instanceof Kv.Get ? badRequest : ok);
        })) {
            ClosedLoop.Spec spec = new ClosedLoop.Spec(FakeMember.endpoints(CLUSTER, m0), 2, Duration.ZERO,
                    Duration.ofMillis(500), Duration.ofMillis(200), "127.0.42.39", new Workload.KeyValue(10, 0.5, 16, 7));

            RunResult result = run(vertx, spec);

            assertThat(result.completed()).isGreaterThan(10);
            assertThat(result.undecodable()).isGreaterThan(10);
            assertThat(result.errors()).isGreaterThan(result.undecodable());
            assertThat(result.latencyMicros().getTotalCount()).isEqualTo(result.completed());
            // The garbage before each reply costs no retransmission (one per request if it did). Some
            // requests are still sent again: the retry timeout follows the round trip down to about 1 ms,
            // and a cold JVM on a loaded machine answers some later than that.
            assertThat(result.timeouts()).isLessThan(result.completed() / 2);
        }
    }

    @Test
    void theIntervalsOfARunAddUpToItsFiguresAndNoneMixesWarmupAndMeasuredReplies(Vertx vertx) throws Exception {
        try (FakeMember m0 = FakeMember.start(vertx, CLUSTER, 0, "127.0.42.41",
                (r, copies, out) -> out.replyLater(1, 0, r.payload()))) {
            // A warmup of 1.3 s: the second interval is cut at its end, 0.3 s long.
            ClosedLoop.Spec spec = new ClosedLoop.Spec(FakeMember.endpoints(CLUSTER, m0), 2, Duration.ofMillis(1300),
                    Duration.ofMillis(2500), Duration.ofMillis(200), "127.0.42.49", nullPayloads());
            List<Intervals.Interval> intervals = new java.util.concurrent.CopyOnWriteArrayList<>();

            RunResult result = ClosedLoop.run(vertx, spec, intervals::add).toCompletionStage().toCompletableFuture()
                    .get(15, TimeUnit.SECONDS);

            assertThat(intervals).extracting(i -> i.phase().label)
                    .containsExactly("warmup", "warmup", "measured", "measured", "measured");
            assertThat(intervals).extracting(i -> Math.round(i.lengthSeconds() * 10))
                    .containsExactly(10L, 3L, 7L, 10L, 8L);
            for (int i = 1; i < intervals.size(); i++) {
                assertThat(intervals.get(i).startNanos()).isEqualTo(intervals.get(i - 1).endNanos());
            }
            List<Intervals.Interval> measured = intervals.stream().filter(i -> i.phase() == Intervals.Phase.MEASURED).toList();
            assertThat(measured.stream().mapToLong(Intervals.Interval::completed).sum()).isEqualTo(result.completed());
            Histogram merged = new Histogram(3);
            measured.forEach(i -> merged.add(i.latencyMicros()));
            assertThat(merged).isEqualTo(result.latencyMicros());
            assertThat(intervals.getFirst().completed()).isPositive();
            assertThat(intervals.getFirst().opsPerSec()).isEqualTo(intervals.getFirst().completed() / intervals.getFirst().lengthSeconds());
            assertThat(intervals.getFirst().p99Micros()).isBetween(1_000L, 150_000L);
        }
    }
}

package org.electrolab.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.electrolab.client.ClientSocket;
import org.electrolab.client.ClusterEndpoints;
import org.electrolab.client.ClusterProbe;
import org.electrolab.client.KvClient;
import org.electrolab.client.KvClient.Call;
import org.electrolab.client.KvClient.Outcome;
import org.electrolab.protocol.Kv;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real {@code bin/electrolab replica} processes on 127.0.(60+N).x, driven by {@code bin/electrolab
 * client} and by {@link KvClient}: the cluster answers every request, and after {@code kill -9} of
 * the leader a new leader answers within 2 s with every acknowledged put intact.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ClusterProcessTest {

    private static final Path REPO = repositoryRoot();
    private static final Path ELECTROLAB = REPO.resolve("bin/electrolab");
    /** Generous: on a loaded 2-core machine seven JVMs take a while to start and settle on a view. */
    private static final Duration READY_WITHIN = Duration.ofSeconds(120);
    private static final Duration NEW_LEADER_WITHIN = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    /** Every process a test started and has not yet seen exit: killed also if the test JVM is stopped. */
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(ClusterProcessTest::kill)));
    }

    private final List<Process> replicas = new ArrayList<>();
    private final List<Path> logs = new ArrayList<>();
    private Vertx vertx;

    @AfterEach
    void stopEverything() throws Exception {
        for (Process p : replicas) kill(p);
        for (Process p : replicas) {
            p.onExit().get(10, TimeUnit.SECONDS);
            LIVE.remove(p);
        }
        if (vertx != null) vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @ParameterizedTest(name = "{0} replicas")
    @ValueSource(ints = {3, 5, 7})
    void theClientCommandIsAnsweredWithoutErrors(int members) throws Exception {
        ClusterEndpoints cluster = startCluster(members, "null");
        awaitServing(cluster, new byte[] {1});
        Path out = dir.resolve("run.json");
        Path clientLog = dir.resolve("client.log");

        Process client = new ProcessBuilder(ELECTROLAB.toString(), "client", "--config", dir.resolve("cluster.yaml").toString(),
                "--clients", "4", "--warmup", "1s", "--duration", "3s", "--bind", host(members, 200),
                "--offloads-label", "none", "--out", out.toString())
                .redirectErrorStream(true).redirectOutput(clientLog.toFile()).start();
        LIVE.add(client);
        try {
            assertThat(client.waitFor(60, TimeUnit.SECONDS)).as("client exits").isTrue();
        } finally {
            kill(client);
            client.onExit().get(10, TimeUnit.SECONDS);
            LIVE.remove(client);
        }

        assertThat(client.exitValue()).as(() -> "client exit code; output:\n" + read(clientLog) + logTails()).isZero();
        JsonNode run = new ObjectMapper().readTree(out.toFile());
        assertThat(run.get("completed").asLong()).as(run::toString).isGreaterThan(100);
        assertThat(run.get("errors").asLong()).as(run::toString).isZero();
        assertThat(run.get("members").size()).isEqualTo(members);
        assertThat(read(clientLog)).contains("ops/s");
    }

    @ParameterizedTest(name = "{0} replicas")
    @ValueSource(ints = {3, 5, 7})
    void afterTheLeaderIsKilledANewLeaderAnswersAndKeepsEveryAcknowledgedPut(int members) throws Exception {
        ClusterEndpoints cluster = startCluster(members, "kv");
        awaitServing(cluster, Kv.encode(new Kv.Get("ready")));
        ClientSocket socket = await(ClientSocket.open(vertx, cluster, host(members, 201)));
        KvClient.Options options = new KvClient.Options(Duration.ofMillis(100), Duration.ofSeconds(10));
        List<KvClient> writers = new ArrayList<>();
        for (int i = 0; i < 4; i++) writers.add(await(KvClient.on(socket, options)));

        // Each put writes a fresh key, so every acknowledged put has exactly one value to read back.
        Queue<Call> puts = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong killedAtNanos = new AtomicLong(Long.MAX_VALUE);
        AtomicInteger oldView = new AtomicInteger(-1);
        CompletableFuture<Void> warmedUp = new CompletableFuture<>();
        CompletableFuture<Call> firstInNewView = new CompletableFuture<>();
        AtomicInteger okInNewView = new AtomicInteger();
        CompletableFuture<Void> enoughInNewView = new CompletableFuture<>();
        AtomicInteger ok = new AtomicInteger();
        List<CompletableFuture<Void>> writing = new ArrayList<>();
        for (int w = 0; w < writers.size(); w++) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            writing.add(done);
            int writer = w;
            AtomicInteger seq = new AtomicInteger();
            Runnable[] next = new Runnable[1];
            next[0] = () -> {
                if (stop.get()) {
                    done.complete(null);
                    return;
                }
                int n = seq.incrementAndGet();
                writers.get(writer).put("w" + writer + "-" + n, "v" + writer + "-" + n).whenComplete((call, failure) -> {
                    if (failure != null) {
                        done.completeExceptionally(failure);
                        return;
                    }
                    puts.add(call);
                    if (call.outcome() == Outcome.OK) {
                        if (ok.incrementAndGet() >= 50) warmedUp.complete(null);
                        if (oldView.get() >= 0 && call.view() > oldView.get()) {
                            firstInNewView.complete(call);
                            if (okInNewView.incrementAndGet() >= 50) enoughInNewView.complete(null);
                        }
                    }
                    next[0].run();
                });
            };
            next[0].run();
        }

        warmedUp.get(30, TimeUnit.SECONDS);
        long view = await(Future.<Long>future(p -> socket.context().runOnContext(v -> p.complete(socket.view()))));
        int leader = cluster.leaderOf(view);
        oldView.set((int) view);
        killedAtNanos.set(System.nanoTime());
        kill(replicas.get(leader));
        replicas.get(leader).onExit().get(10, TimeUnit.SECONDS);

        Call first;
        try {
            first = firstInNewView.get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("no put acknowledged in a view after " + view + " within 30 s of killing leader " + leader
                    + "; writers: " + writing.stream().map(ClusterProcessTest::state).toList() + logTails(), e);
        }
        Duration gap = Duration.ofNanos(first.completeNanos() - killedAtNanos.get());
        assertThat(gap).as("the view changed before the kill, not because of it").isPositive();
        System.out.printf("%d replicas: killed leader %d of view %d; first put acknowledged in view %d after %d ms%n",
                members, leader, view, first.view(), gap.toMillis());
        assertThat(gap).as(() -> "time from kill -9 of the leader to the first answer of a new one" + logTails())
                .isLessThan(NEW_LEADER_WITHIN);
        enoughInNewView.get(30, TimeUnit.SECONDS);
        stop.set(true);
        CompletableFuture.allOf(writing.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

        List<Call> acknowledged = puts.stream().filter(c -> c.outcome() == Outcome.OK).toList();
        assertThat(puts).extracting(Call::outcome).doesNotContain(Outcome.FAIL);
        KvClient reader = await(KvClient.on(socket, options));
        List<CompletableFuture<Call>> reads = new ArrayList<>();
        for (Call put : acknowledged) reads.add(reader.get(put.command().key()));
        for (int i = 0; i < acknowledged.size(); i++) {
            Kv.Put put = (Kv.Put) acknowledged.get(i).command();
            Call read = reads.get(i).get(30, TimeUnit.SECONDS);
            assertThat(read.result()).as("read back %s", put.key()).isEqualTo(new Kv.Result(Kv.Status.OK, put.value()));
        }
        System.out.printf("%d replicas: %d acknowledged puts read back, %d unknown%n", members, acknowledged.size(),
                puts.stream().filter(c -> c.outcome() == Outcome.UNKNOWN).count());
    }

    /** Writes cluster.yaml for {@code members} replicas on 127.0.(60+members).1.. and starts them. */
    private ClusterEndpoints startCluster(int members, String app) throws IOException {
        vertx = Vertx.vertx();
        int port = 17000 + members;
        List<String> hosts = new ArrayList<>();
        for (int i = 0; i < members; i++) hosts.add(host(members, i + 1));
        StringBuilder yaml = new StringBuilder("cluster-id: " + (900 + members) + "\nf: " + (members - 1) / 2
                + "\napp: " + app + "\nport: " + port + "\nmembers:\n");
        for (String h : hosts) yaml.append("  - ").append(h).append('\n');
        Path config = Files.writeString(dir.resolve("cluster.yaml"), yaml);
        for (int i = 0; i < members; i++) {
            Path log = dir.resolve("replica-" + i + ".log");
            logs.add(log);
            ProcessBuilder replica = new ProcessBuilder(ELECTROLAB.toString(), "replica", "--config", config.toString(),
                    "--id", String.valueOf(i)).redirectErrorStream(true).redirectOutput(log.toFile());
            // Up to seven replica JVMs share the test machine's cores: compile with C1 only and collect
            // serially, so that start-up does not starve the event loops into view changes.
            replica.environment().put("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx256m");
            Process process = replica.start();
            LIVE.add(process);
            replicas.add(process);
        }
        return ClusterEndpoints.of(900 + members, hosts, port);
    }

    /** Until a request is answered; fails early, with the logs, when a replica exits. */
    private void awaitServing(ClusterEndpoints cluster, byte[] payload) throws Exception {
        CompletableFuture<?> answered = ClusterProbe.firstAnswer(vertx, cluster, "127.0.0.1", payload, Duration.ofMillis(100), READY_WITHIN)
                .toCompletionStage().toCompletableFuture();
        CompletableFuture<?> anyExit = CompletableFuture.anyOf(replicas.stream().map(Process::onExit).toArray(CompletableFuture[]::new));
        CompletableFuture.anyOf(answered, anyExit).get(READY_WITHIN.toSeconds() + 10, TimeUnit.SECONDS);
        assertThat(replicas).as(() -> "a replica exited before the cluster served" + logTails()).allMatch(Process::isAlive);
        answered.get(1, TimeUnit.SECONDS);
    }

    private static String host(int members, int last) {
        return "127.0." + (60 + members) + "." + last;
    }

    /** What a writer's future says: still writing, stopped, or why it failed. */
    private static String state(CompletableFuture<Void> writer) {
        if (!writer.isDone()) return "writing";
        return writer.isCompletedExceptionally() ? "failed: " + writer.exceptionNow() : "stopped";
    }

    /** kill -9 of the process and of what it started (the JVM, if the launcher script does not exec it). */
    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private String logTails() {
        StringBuilder s = new StringBuilder();
        for (Path log : logs) {
            List<String> lines = read(log).lines().toList();
            s.append("\n--- ").append(log.getFileName()).append(" (last 20 lines)\n");
            lines.subList(Math.max(0, lines.size() - 20), lines.size()).forEach(l -> s.append(l).append('\n'));
        }
        return s.toString();
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }

    private static Path repositoryRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("bin/electrolab"))) p = p.getParent();
        if (p == null) throw new IllegalStateException("no bin/electrolab above " + Path.of("").toAbsolutePath());
        return p;
    }
}

package org.electrolab.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.electrolab.client.history.History;
import org.electrolab.client.history.HistoryFile;
import org.electrolab.client.history.LinearizabilityChecker;
import org.electrolab.client.history.LostWrites;
import org.electrolab.lab.watch.ClientStats;
import org.electrolab.protocol.Kv;
import org.electrolab.protocol.Message;
import org.electrolab.protocol.MessageCodec;
import org.electrolab.protocol.WireException;
import org.electrolab.protocol.config.ClusterConfig;
import org.electrolab.replica.app.App;
import org.electrolab.replica.core.Options;
import org.electrolab.replica.core.Replica;
import org.electrolab.replica.transport.UdpReplica;
import org.electrolab.replica.transport.UserSpacePath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code electrolab client} as a user runs it: its exit codes, one-line errors, run.json and table. */
class ClientCommandTest {

    @TempDir
    Path dir;

    private record Outcome(int exitCode, String out, String err) {}

    /** {@code electrolab client ARGS}, with Main's error handling. */
    private static Outcome client(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        String[] command = new String[args.length + 1];
        command[0] = "client";
        System.arraycopy(args, 0, command, 1, args.length);
        int code = cli.execute(command);
        return new Outcome(code, out.toString(), err.toString());
    }

    private Path config(String app, int port, String... members) throws Exception {
        StringBuilder yaml = new StringBuilder("cluster-id: 7\nf: " + (members.length - 1) / 2 + "\napp: " + app
                + "\nport: " + port + "\nmembers:\n");
        for (String m : members) yaml.append("  - ").append(m).append('\n');
        return Files.writeString(dir.resolve("cluster.yaml"), yaml);
    }

    @Test
    void aBadDurationIsOneLineAndExitCode2() throws Exception {
        Path config = config("null", 7000, "127.0.44.1");
        Outcome o = client("--config", config.toString(), "--warmup", "5 seconds", "--out", dir.resolve("run.json").toString());
        assertThat(o.exitCode).isEqualTo(2);
        assertThat(o.err.lines()).containsExactly(
                "electrolab client: --warmup '5 seconds' is not a duration; write a whole number and a unit, e.g. 500ms, 5s or 1m");
        assertThat(ClientCommand.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(ClientCommand.parseDuration("1m")).isEqualTo(Duration.ofMinutes(1));
        assertThat(ClientCommand.parseDuration("5000ms")).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void aBadNumberIsOneLineAndExitCode2() throws Exception {
        Path config = config("null", 7000, "127.0.44.1");
        Outcome o = client("--config", config.toString(), "--clients", "0");
        assertThat(o.exitCode).isEqualTo(2);
        assertThat(o.err.lines()).containsExactly("electrolab client: --clients 0: run at least 1 client");
    }

    @Test
    void anUnreadableConfigIsOneLineAndExitCode2() {
        Outcome o = client("--config", dir.resolve("missing.yaml").toString());
        assertThat(o.exitCode).isEqualTo(2);
        assertThat(o.err.lines()).singleElement().asString().startsWith("electrolab client: ").contains("missing.yaml", "not found");
    }

    @Test
    void whenNoReplicaAnswersItSaysSoNamingTheLeaderAndExitsNonZero() throws Exception {
        // Nothing listens on these addresses: nobody answers.
        Path config = config("null", 7003, "127.0.44.11", "127.0.44.12", "127.0.44.13");
        Path out = dir.resolve("run.json");
        Outcome o = client("--config", config.toString(), "--warmup", "0s", "--duration", "300ms", "--timeout", "50ms",
                "--bind", "127.0.44.19", "--out", out.toString());
        assertThat(o.exitCode).isEqualTo(1);
        assertThat(o.err.lines()).singleElement().asString()
                .startsWith("electrolab client: no replica answered: sent to leader 127.0.44.11:7003 (view 0)");
        assertThat(out).doesNotExist();
        assertThat(dir.resolve("run.hlog")).doesNotExist();
    }

    @Test
    void aRunWritesRunJsonAndPrintsOneTable() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            // A one-member null-app cluster: answer every request with its payload, in view 0.
            MessageCodec codec = new MessageCodec(7);
            DatagramSocket member = vertx.createDatagramSocket();
            member.handler(packet -> {
                try {
                    if (codec.decode(packet.data().getBytes()) instanceof Message.Request r) {
                        byte[] reply = codec.encode(new Message.Reply(0, 0, r.clientId(), r.requestNumber(), r.payload()));
                        member.send(Buffer.buffer(reply), packet.sender().port(), packet.sender().host());
                    }
                } catch (WireException e) {
                    throw new IllegalStateException(e);
                }
            });
            member.listen(0, "127.0.44.21").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            Path config = config("null", member.localAddress().port(), "127.0.44.21");
            Path out = dir.resolve("results/run.json");

            Outcome o = client("--config", config.toString(), "--clients", "2", "--warmup", "100ms", "--duration", "500ms",
                    "--payload-bytes", "32", "--offloads-label", "fast-reply,tc-broadcast", "--out", out.toString());

            assertThat(o.exitCode).as(o.err).isZero();
            JsonNode json = new ObjectMapper().readTree(out.toFile());
            assertThat(json.get("completed").asLong()).isPositive();
            assertThat(json.get("errors").asLong()).isZero();
            assertThat(json.get("app").asText()).isEqualTo("null");
            assertThat(json.get("clients").asInt()).isEqualTo(2);
            assertThat(json.get("durationSeconds").asDouble()).isEqualTo(0.5);
            assertThat(json.get("config").get("clusterId").asInt()).isEqualTo(7);
            assertThat(json.get("offloads")).extracting(JsonNode::asText).containsExactly("tc-broadcast", "fast-reply");
            assertThat(o.out).contains("ops/s", "p99.9 µs", String.valueOf(json.get("completed").asLong()));
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void historyNeedsTheKvApp() throws Exception {
        Path config = config("null", 7000, "127.0.44.1");
        Outcome o = client("--config", config.toString(), "--history", dir.resolve("history.jsonl").toString());
        assertThat(o.exitCode).isEqualTo(2);
        assertThat(o.err.lines()).containsExactly("electrolab client: --history needs the kv app, but " + config
                + " runs app null; set app: kv");
    }

    @Test
    void aHistoryOfAHealthyThreeReplicaClusterIsWrittenAndJudgedLinearizable() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            ClusterConfig cluster = startReplicas(vertx, "127.0.45.1", "127.0.45.2", "127.0.45.3");
            Path config = config("kv", cluster.port(), "127.0.45.1", "127.0.45.2", "127.0.45.3");
            Path file = dir.resolve("results/history.jsonl");

            Outcome o = client("--config", config.toString(), "--history", file.toString(), "--clients", "4",
                    "--warmup", "500ms", "--duration", "2s", "--keys-active", "4", "--ops-per-key", "100", "--bind", "127.0.45.9");

            System.out.print(o.out);
            assertThat(o.exitCode).as(o.err).isZero();
            assertThat(o.out).contains("linearizable: yes", "lost acknowledged writes: 0", "wrote " + file).doesNotContain("VIOLATION");
            History history = HistoryFile.read(file);
            assertThat(history.ops().stream().filter(op -> !op.finalRead && op.completed()).count()).isGreaterThan(100);
            assertThat(history.ops()).anyMatch(op -> op.finalRead && op.completed());
            assertThat(o.out).contains("operations: " + history.ops().size() + " (");
            assertThat(new LinearizabilityChecker().check(history).ok()).isTrue();
            assertThat(LostWrites.check(history).unverified()).isEmpty();
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aHistoryWithLostWritesIsJudgedSoAndExitsNonZero() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            // A one-member kv "cluster" that acknowledges every write and forgets it: every get finds nothing.
            MessageCodec codec = new MessageCodec(7);
            byte[] ok = Kv.encode(new Kv.Result(Kv.Status.OK, null));
            byte[] notFound = Kv.encode(new Kv.Result(Kv.Status.NOT_FOUND, null));
            DatagramSocket member = vertx.createDatagramSocket();
            member.handler(packet -> {
                try {
                    if (codec.decode(packet.data().getBytes()) instanceof Message.Request r) {
                        byte[] result = Kv.decode(r.payload()) instanceof Kv.Get ? notFound : ok;
                        byte[] reply = codec.encode(new Message.Reply(0, 0, r.clientId(), r.requestNumber(), result));
                        member.send(Buffer.buffer(reply), packet.sender().port(), packet.sender().host());
                    }
                } catch (WireException e) {
                    throw new IllegalStateException(e);
                }
            });
            member.listen(0, "127.0.44.31").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            Path config = config("kv", member.localAddress().port(), "127.0.44.31");
            Path file = dir.resolve("history.jsonl");

            Outcome o = client("--config", config.toString(), "--history", file.toString(), "--clients", "2",
                    "--warmup", "0s", "--duration", "1s", "--bind", "127.0.44.39");

            assertThat(o.exitCode).as(o.err).isEqualTo(ClientCommand.EXIT_VIOLATION).isNotZero();
            assertThat(o.out).contains("VIOLATION: lost acknowledged writes: ", "wrote " + file);
            assertThat(file).exists();
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aRunPrintsALineEachSecondAndWritesAnIntervalLogBesideRunJson() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            MessageCodec codec = new MessageCodec(7);
            DatagramSocket member = vertx.createDatagramSocket();
            member.handler(packet -> {
                try {
                    if (codec.decode(packet.data().getBytes()) instanceof Message.Request r) {
                        byte[] reply = codec.encode(new Message.Reply(0, 0, r.clientId(), r.requestNumber(), r.payload()));
                        member.send(Buffer.buffer(reply), packet.sender().port(), packet.sender().host());
                    }
                } catch (WireException e) {
                    throw new IllegalStateException(e);
                }
            });
            member.listen(0, "127.0.44.41").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            Path config = config("null", member.localAddress().port(), "127.0.44.41");
            Files.writeString(dir.resolve("lab.json"), "{}");
            Path out = dir.resolve("run.json");

            Outcome o = client("--config", config.toString(), "--warmup", "1s", "--duration", "2s", "--out", out.toString());

            assertThat(o.exitCode).as(o.err).isZero();
            List<String> lines = o.out.lines().filter(l -> l.contains(" ops/s  p50 ")).toList();
            assertThat(lines).hasSize(3);
            assertThat(lines.getFirst()).matches(" +1\\.0s warmup +[0-9,]+ ops/s  p50 +[0-9,]+ µs  p99 +[0-9,]+ µs  errors 0  timeouts \\d+");
            assertThat(lines.getLast()).startsWith("   3.0s measured");
            Path log = dir.resolve("run.hlog");
            assertThat(o.out).contains("wrote " + out + " and " + log);
            List<Histogram> intervals = new ArrayList<>();
            try (HistogramLogReader reader = new HistogramLogReader(log.toFile())) {
                while (reader.hasNext()) intervals.add((Histogram) reader.nextIntervalHistogram());
            }
            assertThat(intervals).extracting(Histogram::getTag).containsExactly("warmup", "measured", "measured");
            long measured = intervals.stream().filter(h -> h.getTag().equals("measured")).mapToLong(Histogram::getTotalCount).sum();
            assertThat(measured).isEqualTo(new ObjectMapper().readTree(out.toFile()).get("completed").asLong());
            // Beside a lab's cluster.yaml, the client reports to the lab's live page; the last file says it stopped.
            ClientStats stats = ClientStats.read(dir.resolve("client.stats.json")).orElseThrow();
            assertThat(stats.running()).isFalse();
            assertThat(stats.phase()).isEqualTo("measured");
            assertThat(stats.opsPerSec()).isPositive();

            Outcome quiet = client("--config", config.toString(), "--warmup", "0s", "--duration", "1s", "--quiet",
                    "--out", dir.resolve("quiet.json").toString());
            assertThat(quiet.out).doesNotContain(" ops/s  p50 ");
            assertThat(dir.resolve("quiet.hlog")).exists();
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
    }

    /** Kv replicas in this JVM on {@code hosts}, over real UDP; on another random port when one is taken. */
    private static ClusterConfig startReplicas(Vertx vertx, String... hosts) throws Exception {
        List<Inet4Address> members = new ArrayList<>();
        for (String h : hosts) members.add((Inet4Address) InetAddress.getByName(h));
        Random random = new Random();
        for (int attempt = 1; ; attempt++) {
            ClusterConfig cluster = new ClusterConfig(7, (hosts.length - 1) / 2, "kv", 20000 + random.nextInt(40000), members,
                    ClusterConfig.TICK_MILLIS_DEFAULT);
            List<Future<String>> deployments = new ArrayList<>();
            for (int i = 0; i < hosts.length; i++) {
                Replica core = new Replica(i, hosts.length, App.named("kv"), Options.defaults(), i);
                deployments.add(vertx.deployVerticle(new UdpReplica(cluster, core, new UserSpacePath(), 1024)));
            }
            Future.join(deployments).otherwiseEmpty().await(10, TimeUnit.SECONDS);
            Throwable failure = deployments.stream().map(Future::cause).filter(c -> c != null).findFirst().orElse(null);
            if (failure == null) return cluster;
            for (Future<String> d : deployments) if (d.succeeded()) vertx.undeploy(d.result()).await(10, TimeUnit.SECONDS);
            if (!(failure instanceof BindException) || attempt == 5) throw new AssertionError("deploy failed", failure);
        }
    }
}

package org.electrolab.lab.watch;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.electrolab.lab.CliRun;
import org.electrolab.protocol.testing.RootRequirement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the live page, {@code lab status} and {@code lab metrics} make of a lab's state directory (written by hand here). */
class LabWatchTest {
    @TempDir
    Path root;

    private final AtomicLong now = new AtomicLong(1_000_000);

    @Test
    void rolesComeFromTheStatsFilesAndTheProcessesAndALeaderKillShowsAsANewViewAndLeader() throws Exception {
        FakeLab lab = new FakeLab(root, "w1", 3);
        LabWatch watch = new LabWatch(lab.paths, "w1", now::get);
        for (int id = 0; id < 3; id++) {
            lab.alive(id);
            lab.replica(id, 0, "NORMAL", 0, 100, FakeLab.counters(10), now.get());
        }
        Snapshot before = watch.sample();
        assertThat(before.up()).isTrue();
        assertThat(FakeLab.roles(before)).containsExactly("leader", "follower", "follower");
        assertThat(before.view()).isZero();
        assertThat(before.leader()).isEqualTo("r0");
        assertThat(before.offloads()).isEqualTo("tc-broadcast,fast-reply,quorum-prune");

        // r0 is killed (its stats file stays as it was); r1 and r2 change view, r1 leads view 1.
        now.addAndGet(1000);
        lab.dead(0);
        lab.replica(1, 1, "NORMAL", 1, 120, FakeLab.counters(10), now.get());
        lab.replica(2, 1, "VIEW_CHANGE", 1, 120, FakeLab.counters(10), now.get());
        Snapshot after = watch.sample();

        assertThat(FakeLab.roles(after)).containsExactly("down", "leader", "view-change");
        assertThat(after.view()).isEqualTo(1);
        assertThat(after.leader()).isEqualTo("r1");
        assertThat(after.events()).extracting(Snapshot.Event::text).containsExactly("view 1: r1 leads", "r0 down");
    }

    @Test
    void countersGetTheirRateOverTheLastSecondOfReadings() throws Exception {
        FakeLab lab = new FakeLab(root, "w2", 3);
        LabWatch watch = new LabWatch(lab.paths, "w2", now::get);
        lab.alive(0);
        lab.replica(0, 0, "NORMAL", 0, 100, FakeLab.counters(1000), now.get());
        assertThat(watch.sample().hosts().getFirst().counter("fast-reply.fast_replied").orElseThrow().perSec()).isZero();
        for (int step = 1; step <= 4; step++) {
            now.addAndGet(250);
            lab.replica(0, 0, "NORMAL", 0, 100, FakeLab.counters(1000 + 500L * step), now.get());
            watch.sample();
        }
        Snapshot.HostRow r0 = watch.sample().hosts().getFirst();
        // 2000 more in the last second: 2000/s; pruned moves twice as fast.
        assertThat(r0.counter("fast-reply.fast_replied").orElseThrow().perSec()).isEqualTo(2000.0);
        assertThat(r0.counter("quorum-prune.pruned").orElseThrow().perSec()).isEqualTo(4000.0);
        assertThat(r0.counter("fast-reply.fast_replied").orElseThrow().value()).isEqualTo(3000);
    }

    @Test
    void theClientsIntervalsMakeTheSeriesAndTheMetricsShowTheSameFigures() throws Exception {
        FakeLab lab = new FakeLab(root, "w3", 3);
        LabWatch watch = new LabWatch(lab.paths, "w3", now::get);
        lab.alive(0);
        lab.replica(0, 2, "NORMAL", 0, 100, FakeLab.counters(7), now.get());
        for (int second = 0; second < 3; second++) {
            now.addAndGet(1000);
            lab.client(10_000 + second, 400 + second, now.get());
            watch.sample();
            watch.sample();
        }
        new FaultWindow("leader-kill", "killed r0 (leader)", now.get() - 500, 0).write(lab.state.dir());
        Snapshot s = watch.sample();

        assertThat(s.series()).extracting(Snapshot.Point::opsPerSec).containsExactly(10_000.0, 10_001.0, 10_002.0);
        assertThat(s.client().p99Micros()).isEqualTo(402);
        assertThat(s.faults()).singleElement().matches(Snapshot.Fault::active);
        String metrics = Metrics.text(s);
        assertThat(metrics.lines()).contains(
                "electrolab_lab_view{lab=\"w3\"} 2",
                "electrolab_replica_role{lab=\"w3\",host=\"r0\",replica=\"0\",role=\"leader\"} 1",
                "electrolab_replica_role{lab=\"w3\",host=\"r1\",replica=\"1\",role=\"down\"} 1",
                "electrolab_replica_commit{lab=\"w3\",host=\"r0\",replica=\"0\"} 100",
                "electrolab_offload_counter_total{lab=\"w3\",host=\"r0\",replica=\"0\",program=\"fast-reply\",counter=\"fast_replied\"} 7",
                "electrolab_client_ops_per_second{lab=\"w3\"} 10002",
                "electrolab_client_latency_p99_microseconds{lab=\"w3\"} 402",
                "electrolab_fault_active{lab=\"w3\",fault=\"leader-kill\"} 1",
                "# TYPE electrolab_offload_counter_total counter");
        // Every sample line is NAME{labels} VALUE, as Prometheus parses them.
        assertThat(metrics.lines().filter(l -> !l.startsWith("#")))
                .allMatch(l -> l.matches("[a-z_0-9]+\\{[a-z]+=\"[^\"]*\"(,[a-z]+=\"[^\"]*\")*\\} -?[0-9.]+"));
    }

    @Test
    void aLabThatIsNotUpIsWaitedFor() throws Exception {
        FakeLab lab = new FakeLab(root, "w4", 3);
        LabWatch watch = new LabWatch(lab.paths, "w5", now::get);
        Snapshot s = watch.sample();
        assertThat(s.up()).isFalse();
        assertThat(s.note()).isEqualTo("lab w5 is not up; waiting for `electrolab lab up --name w5` (or an experiment's lab)");
        assertThat(Metrics.text(s)).contains("electrolab_lab_up{lab=\"w5\"} 0");
        assertThat(lab.name).isEqualTo("w4");
    }

    @Test
    void thePageItsEventsStatusAndMetricsAreServedOnLoopback() throws Exception {
        FakeLab lab = new FakeLab(root, "w6", 3);
        for (int id = 0; id < 3; id++) {
            lab.alive(id);
            lab.replica(id, 4, "NORMAL", 1, 100, FakeLab.counters(5), System.currentTimeMillis());
        }
        try (WatchServer server = WatchServer.start(LabWatch.of(lab.paths, "w6"), WatchServer.LOOPBACK, 0)) {
            assertThat(server.url()).startsWith("http://127.0.0.1:");
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            String page = get(http, server.url()).body();
            assertThat(page).contains("<script src=\"watch.js\"></script>", "id=\"leader\"").doesNotContain("https://");
            assertThat(get(http, server.url() + "watch.js").body()).contains("new EventSource(\"events\")");
            assertThat(get(http, server.url() + "watch.css").headers().firstValue("Content-Type")).hasValue("text/css; charset=utf-8");
            JsonNode status = new ObjectMapper().readTree(get(http, server.url() + "status.json").body());
            assertThat(status.get("leader").asText()).isEqualTo("r1");
            HttpResponse<String> metrics = get(http, server.url() + "metrics");
            assertThat(metrics.headers().firstValue("Content-Type")).hasValue(Metrics.CONTENT_TYPE);
            assertThat(metrics.body()).contains("electrolab_lab_view{lab=\"w6\"} 4");

            HttpResponse<Stream<String>> events = http.send(HttpRequest.newBuilder(URI.create(server.url() + "events"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofLines());
            assertThat(events.headers().firstValue("Content-Type")).hasValue("text/event-stream");
            // Two snapshots within a second: the stream updates at least twice a second.
            long started = System.nanoTime();
            JsonNode[] snapshots = events.body().filter(l -> l.startsWith("data: ")).limit(3)
                    .map(l -> read(l.substring("data: ".length()))).toArray(JsonNode[]::new);
            assertThat(System.nanoTime() - started).isLessThan(Duration.ofSeconds(2).toNanos());
            assertThat(snapshots[2].get("takenAtMillis").asLong() - snapshots[1].get("takenAtMillis").asLong()).isLessThanOrEqualTo(500);
            assertThat(snapshots[2].get("hosts").get(1).get("role").asText()).isEqualTo("leader");
        }
    }

    @Test
    void labMetricsPrintsTheExpositionAndLabWatchNamesATakenPort() throws Exception {
        FakeLab lab = new FakeLab(root, "w7", 3);
        lab.alive(0);
        lab.replica(0, 3, "NORMAL", 0, 100, FakeLab.counters(5), System.currentTimeMillis());
        String previousHome = System.getProperty("electrolab.home");
        System.setProperty("electrolab.home", root.toString());
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            CliRun metrics = CliRun.electrolab("lab", "metrics", "--name", "w7");
            assertThat(metrics.exitCode()).as(metrics.err()).isZero();
            assertThat(metrics.out().lines()).contains("electrolab_lab_view{lab=\"w7\"} 3",
                    "electrolab_replica_role{lab=\"w7\",host=\"r0\",replica=\"0\",role=\"leader\"} 1");

            CliRun watch = CliRun.electrolab("lab", "watch", "--name", "w7", "--port", Integer.toString(taken.getLocalPort()));
            assertThat(watch.exitCode()).isEqualTo(2);
            assertThat(watch.err()).isEqualTo("electrolab lab watch: --port " + taken.getLocalPort() + ": 127.0.0.1:" + taken.getLocalPort()
                    + " is in use; choose another --port (0: any free one)\n");
        } finally {
            if (previousHome == null) System.clearProperty("electrolab.home");
            else System.setProperty("electrolab.home", previousHome);
        }
    }

    @Test
    void labStatusPrintsTheSnapshotAsJsonAndAsATable() throws Exception {
        RootRequirement.require("lab status (it asks ip netns about the lab's namespaces)");
        FakeLab lab = new FakeLab(root, "w8", 3);
        for (int id = 0; id < 3; id++) {
            lab.alive(id);
            lab.replica(id, 5, "NORMAL", 2, 100, FakeLab.counters(5), System.currentTimeMillis());
        }
        lab.client(12_345, 400, System.currentTimeMillis());
        String previousHome = System.getProperty("electrolab.home");
        System.setProperty("electrolab.home", root.toString());
        try {
            CliRun json = CliRun.electrolab("lab", "status", "--json", "--name", "w8");
            assertThat(json.exitCode()).as(json.err()).isZero();
            JsonNode status = new ObjectMapper().readTree(json.out());
            assertThat(status.get("view").asLong()).isEqualTo(5);
            assertThat(status.get("leader").asText()).isEqualTo("r2");
            assertThat(status.get("hosts").get(2).get("role").asText()).isEqualTo("leader");
            assertThat(status.get("hosts").get(0).get("counters").get(0).get("name").asText()).isEqualTo("fast-reply.dropped_invalid");
            assertThat(status.get("client").get("opsPerSec").asDouble()).isEqualTo(12_345.0);
            assertThat(status.get("namespaces").get(0).get("namespace").asText()).isEqualTo("el-w8-r0");
            assertThat(status.get("namespaces").get(0).get("present").asBoolean()).isFalse();

            CliRun table = CliRun.electrolab("lab", "status", "--name", "w8");
            assertThat(table.exitCode()).as(table.err()).isZero();
            assertThat(table.out().lines()).anyMatch(l -> l.matches("r2 +el-w8-r2 +198\\.18\\.7\\.3 +no netns +5 +NORMAL +2 +102 +100 +leader +all"))
                    .anyMatch(l -> l.startsWith("client ") && l.contains("client measured 3s: 12,345 ops/s, p50 80 µs, p99 400 µs"));
        } finally {
            if (previousHome == null) System.clearProperty("electrolab.home");
            else System.setProperty("electrolab.home", previousHome);
        }
    }

    @Test
    void labStatusWatchRedrawsEverySecondWithRatesUntilStopped() throws Exception {
        RootRequirement.require("lab status --watch (it asks ip netns about the lab's namespaces)");
        FakeLab lab = new FakeLab(root, "w9", 3);
        lab.alive(0);
        lab.replica(0, 1, "NORMAL", 0, 100, FakeLab.counters(5), System.currentTimeMillis());
        ProcessBuilder builder = new ProcessBuilder(org.electrolab.lab.Launcher.checkout().resolve("bin/electrolab").toString(),
                "lab", "status", "--watch", "--name", "w9").redirectErrorStream(true);
        builder.environment().put("ELECTROLAB_OPTS", "-Delectrolab.home=" + root);
        Process watch = builder.start();
        try {
            java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(watch.getInputStream()));
            // Two tables, a second apart, each counter with its rate.
            long headers = 0;
            String line;
            while (headers < 2 && (line = out.readLine()) != null) {
                if (line.startsWith("lab w9: ")) headers++;
                if (headers == 2) assertThat(line).contains("view 1, leader r0");
            }
            assertThat(headers).isEqualTo(2);
            assertThat(out.readLine()).startsWith("host ");
            assertThat(out.readLine()).contains(" leader ");
            assertThat(out.readLine()).contains("fast-reply.fast_replied 5 (0/s)");
        } finally {
            watch.destroy();
        }
        assertThat(watch.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).as("stopped by SIGTERM").isTrue();
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url).isEqualTo(200);
        return response;
    }

    private static JsonNode read(String json) {
        try {
            return new ObjectMapper().readTree(json);
        } catch (Exception e) {
            throw new AssertionError(json, e);
        }
    }
}

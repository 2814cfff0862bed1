package org.electrolab.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code electrolab replica} as a user runs it: one-line errors with exit 2, and a run ended by SIGTERM. */
class ReplicaCommandTest {

    private static final String THREE = "cluster-id: 5\nf: 1\napp: kv\nport: 7000\nmembers: [127.0.0.41, 127.0.0.42, 127.0.0.43]\n";

    @TempDir
    Path dir;

    private record Outcome(int exitCode, String out, String err) {}

    private static Outcome electrolab(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        return new Outcome(cli.execute(args), out.toString(), err.toString());
    }

    private Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    private static void assertOneLineError(Outcome o, String line) {
        assertThat(o.exitCode).isEqualTo(2);
        assertThat(o.err.lines()).containsExactly(line);
        assertThat(o.out).isEmpty();
    }

    @Test
    void missingConfigFile() {
        Path missing = dir.resolve("cluster.yaml");
        assertOneLineError(electrolab("replica", "--config", missing.toString(), "--id", "0"),
                "electrolab replica: " + missing + ": file not found; pass --config the path of an existing cluster.yaml");
    }

    @Test
    void badConfig() throws Exception {
        Path config = write("cluster.yaml", THREE.replace("f: 1", "f: 2"));
        assertOneLineError(electrolab("replica", "--config", config.toString(), "--id", "0"),
                "electrolab replica: " + config + ": members has 3 entries but f=2 needs 2f+1 = 5; list 5 addresses or change f");
    }

    @Test
    void idOutOfRange() throws Exception {
        Path config = write("cluster.yaml", THREE);
        assertOneLineError(electrolab("replica", "--config", config.toString(), "--id", "3"),
                "electrolab replica: --id 3 is out of range: " + config + " has 3 members, so use 0..2");
        assertOneLineError(electrolab("replica", "--config", config.toString(), "--id", "-1"),
                "electrolab replica: --id -1 is out of range: " + config + " has 3 members, so use 0..2");
    }

    @Test
    void usageErrors() throws Exception {
        Path config = write("cluster.yaml", THREE);
        assertOneLineError(electrolab("replica", "--config", config.toString(), "--id", "two"),
                "electrolab replica: Invalid value for option '--id': 'two' is not an int; see electrolab replica --help");
        assertOneLineError(electrolab("replica", "--id", "0"),
                "electrolab replica: Missing required option: '--config=FILE'; see electrolab replica --help");
        Outcome typo = electrolab("replicas");
        assertThat(typo.exitCode).isEqualTo(2);
        assertThat(typo.err.lines()).singleElement().asString()
                .startsWith("electrolab: Unmatched argument at index 0: 'replicas' (did you mean replica")
                .endsWith("; see electrolab --help");
    }

    @Test
    void unknownOffload() throws Exception {
        Path config = write("cluster.yaml", THREE);
        assertOneLineError(electrolab("replica", "--config", config.toString(), "--id", "0", "--offload", "tc-broadcast,xdp"),
                "electrolab replica: --offload: unknown offload 'xdp'; use none, all, or a comma-separated list of "
                        + "tc-broadcast, fast-reply, quorum-prune");
    }

    @Test
    void requiredOffloadThatCannotLoad() throws Exception {
        Path config = write("cluster.yaml", THREE);
        assertOneLineError(electrolab("replica", "--config", config.toString(), "--id", "0", "--offload", "all", "--offload-required"),
                "electrolab replica: offload: tc-broadcast,fast-reply,quorum-prune not loaded: 127.0.0.41 is on loopback lo: "
                        + "offloads need the member address on a NIC or veth (use the netns lab); not starting because of --offload-required");
    }

    @Test
    void addressThisHostDoesNotHave() throws Exception {
        // 192.0.2.0/24 is TEST-NET-1: documentation only, never a local address.
        Path config = write("cluster.yaml", THREE.replace("127.0.0.42", "192.0.2.7"));
        assertOneLineError(electrolab("replica", "--config", config.toString(), "--id", "1"),
                "electrolab replica: replica 1: cannot bind 192.0.2.7:7000: this host has no such address; members[1] of "
                        + config + " must be one of this host's addresses (ip -brief addr), or run the replica whose address it is");
    }

    @Test
    void statsFileInAMissingDirectory() throws Exception {
        Path config = write("cluster.yaml", THREE);
        Path stats = dir.resolve("no/such/dir/stats.json");
        assertOneLineError(electrolab("replica", "--config", config.toString(), "--id", "0", "--stats-file", stats.toString()),
                "electrolab replica: --stats-file " + stats + ": directory " + stats.getParent()
                        + " does not exist; create it or choose another path");
    }

    /**
     * A whole run in its own JVM (this test's class path): stats file while running, then SIGTERM,
     * the summary line and the final stats. A single-member cluster becomes normal on its own.
     */
    @Test
    void runsUntilSigtermThenPrintsItsCounters() throws Exception {
        Random random = new Random();
        Path config = write("cluster.yaml", "cluster-id: 9\nf: 0\napp: kv\nport: " + (20000 + random.nextInt(40000))
                + "\nmembers: [127.0.77." + (1 + random.nextInt(250)) + "]\n");
        Path stats = dir.resolve("replica-0.stats.json");
        Path out = dir.resolve("out.txt"), err = dir.resolve("err.txt");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "replica",
                "--config", config.toString(), "--id", "0", "--offload", "fast-reply", "--stats-file", stats.toString()));
        Process replica = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            JsonNode running = awaitStats(stats, replica);
            assertThat(running.path("status").asText()).isEqualTo("NORMAL");
            assertThat(running.path("running").asBoolean()).isTrue();
            assertThat(running.path("offloadsRequested").asText()).isEqualTo("fast-reply");
            assertThat(running.path("offloadsLoaded").asText()).isEqualTo("none");

            replica.destroy();
            assertThat(replica.waitFor(20, TimeUnit.SECONDS)).as("replica exits on SIGTERM").isTrue();
            assertThat(replica.exitValue()).isEqualTo(143);
            assertThat(Files.readString(out).lines())
                    .singleElement().asString().startsWith("replica 0: view 0 normal, leader 0, op 0, commit 0; datagrams in 0");
            assertThat(Files.readString(err)).containsPattern(
                    "offload: fast-reply not loaded: 127\\.0\\.77\\.\\d+ is on loopback lo: offloads need the member address on a NIC or veth"
                            + " \\(use the netns lab\\); running plain VR in user space");
            JsonNode last = new ObjectMapper().readTree(stats.toFile());
            assertThat(last.path("running").asBoolean()).isFalse();
            assertThat(last.path("sent").path("RECOVERY").asLong()).isEqualTo(1);
            assertThat(dir.toFile().list()).doesNotContain("." + stats.getFileName() + ".tmp");
        } finally {
            replica.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static JsonNode awaitStats(Path stats, Process replica) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        ObjectMapper json = new ObjectMapper();
        while (true) {
            if (Files.isRegularFile(stats)) {
                JsonNode node = json.readTree(Files.readString(stats, StandardCharsets.UTF_8));
                if ("NORMAL".equals(node.path("status").asText())) return node;
            }
            assertThat(replica.isAlive()).as("replica still running").isTrue();
            assertThat(System.nanoTime()).as("stats file " + stats + " says NORMAL in time").isLessThan(deadline);
            replica.waitFor(50, TimeUnit.MILLISECONDS);
        }
    }
}

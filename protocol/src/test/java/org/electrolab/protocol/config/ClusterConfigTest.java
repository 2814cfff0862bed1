package org.electrolab.protocol.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterConfigTest {

    private static final String GOOD = """
            cluster-id: 1
            f: 1
            app: kv
            port: 7000
            members:
              - 127.0.0.11
              - 127.0.0.12
              - 127.0.0.13
            """;

    @TempDir
    Path dir;

    @Test
    void readsTheArchitectureExample() throws Exception {
        ClusterConfig config = ClusterConfig.parse(GOOD, "cluster.yaml");
        assertThat(config.clusterId()).isEqualTo(1);
        assertThat(config.f()).isEqualTo(1);
        assertThat(config.app()).isEqualTo("kv");
        assertThat(config.port()).isEqualTo(7000);
        assertThat(config.memberCount()).isEqualTo(3);
        assertThat(config.member(2)).isEqualTo(new InetSocketAddress("127.0.0.13", 7000));
        assertThat(config.tickMillis()).isEqualTo(ClusterConfig.TICK_MILLIS_DEFAULT);
    }

    @Test
    void loadsFromAFileAndRoundTripsThroughYaml() throws Exception {
        Path file = Files.writeString(dir.resolve("cluster.yaml"), GOOD.replace("app: kv", "app: null")
                + "tick-millis: 5\n");
        ClusterConfig config = ClusterConfig.load(file);
        assertThat(config.app()).isEqualTo("null");
        assertThat(config.tickMillis()).isEqualTo(5);
        assertThat(ClusterConfig.parse(config.toYaml(), "again")).isEqualTo(config);
    }

    @Test
    void acceptsTheLargestClusterAndClusterId() throws Exception {
        StringBuilder yaml = new StringBuilder("cluster-id: 4294967295\nf: 7\napp: 'null'\nport: 65535\nmembers:\n");
        for (int i = 1; i <= 15; i++) yaml.append("  - 10.0.0.").append(i).append('\n');
        ClusterConfig config = ClusterConfig.parse(yaml.toString(), "big.yaml");
        assertThat(config.clusterId()).isEqualTo(4294967295L);
        assertThat(config.codec().clusterId()).isEqualTo(-1);
        assertThat(config.memberCount()).isEqualTo(15);
    }

    @Test
    void aSingleReplicaIsACluster() throws Exception {
        ClusterConfig config = ClusterConfig.parse("cluster-id: 7\nf: 0\napp: kv\nport: 7000\nmembers: [10.1.2.3]\n", "one.yaml");
        assertThat(config.memberCount()).isEqualTo(1);
    }

    @Test
    void missingFile() {
        Path file = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> ClusterConfig.load(file)).isInstanceOf(ConfigException.class)
                .hasMessage(file + ": file not found; pass --config the path of an existing cluster.yaml");
    }

    @Test
    void directoryInsteadOfFile() {
        assertRejected(() -> ClusterConfig.load(dir), dir + ": is a directory");
    }

    @Test
    void unreadableFile() throws IOException {
        Assumptions.assumeFalse("root".equals(System.getProperty("user.name")), "root reads any file");
        Path file = Files.writeString(dir.resolve("cluster.yaml"), GOOD);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        assertRejected(() -> ClusterConfig.load(file), file + ": cannot read: permission denied");
    }

    @Test
    void fileThatIsNotText() throws IOException {
        Path file = Files.write(dir.resolve("cluster.yaml"), new byte[] {'f', ':', ' ', (byte) 0xff, (byte) 0xfe, '\n'});
        assertRejected(() -> ClusterConfig.load(file), file + ": cannot read: not UTF-8 text; save the file as UTF-8");
    }

    @Test
    void badYamlNamesTheLine() {
        assertRejected("cluster-id: 1\nf: 1\nmembers: [127.0.0.1, 127.0.0.2\nport: 7000\n",
                "cluster.yaml line ", ": bad YAML: ");
        assertRejected("cluster-id: 1\n  f: 1\n", "cluster.yaml line 2: bad YAML: ");
    }

    @Test
    void aKeyGivenTwiceIsBadYaml() {
        assertRejected(GOOD + "f: 2\n", "cluster.yaml line 9: bad YAML: Duplicate field 'f'");
    }

    @Test
    void emptyFileAndNonMapping() {
        assertRejected("", "cluster.yaml: is empty; it needs the keys cluster-id, f, app, port, members");
        assertRejected("- 1\n- 2\n", "cluster.yaml: must be a mapping of keys (cluster-id, f, app, port, members), not a list");
    }

    @Test
    void unknownKey() {
        assertRejected(GOOD + "replicas: 3\n",
                "cluster.yaml: unknown key 'replicas'; the keys are cluster-id, f, app, port, members, tick-millis");
    }

    @Test
    void missingKey() {
        assertRejected(GOOD.replace("port: 7000\n", ""),
                "cluster.yaml: missing key 'port' (the UDP port every member listens on, e.g. port: 7000)");
        assertRejected(GOOD.replace("cluster-id: 1\n", ""), "cluster.yaml: missing key 'cluster-id'");
    }

    @Test
    void membersMustBeTwoFPlusOne() {
        assertRejected(GOOD.replace("  - 127.0.0.13\n", "  - 127.0.0.13\n  - 127.0.0.14\n"),
                "cluster.yaml: members has 4 entries but f=1 needs 2f+1 = 3; list 3 addresses or change f");
        assertRejected(GOOD.replace("f: 1", "f: 2"), "cluster.yaml: members has 3 entries but f=2 needs 2f+1 = 5");
        assertRejected(GOOD.replace("members:\n  - 127.0.0.11\n  - 127.0.0.12\n  - 127.0.0.13\n", "members: 127.0.0.11\n"),
                "cluster.yaml: members must be a list of IPv4 addresses");
    }

    @Test
    void fOutOfRange() {
        assertRejected(GOOD.replace("f: 1", "f: 8"),
                "cluster.yaml: f is 8 but must be in 0..7 (0..7 so that 2f+1 members <= 15)");
        assertRejected(GOOD.replace("f: 1", "f: -1"), "cluster.yaml: f is -1 but must be in 0..7");
        assertRejected(GOOD.replace("f: 1", "f: one"), "cluster.yaml: f must be an integer (0..7 so that 2f+1 members <= 15), got string 'one'");
        assertRejected(GOOD.replace("f: 1", "f: 1.5"), "cluster.yaml: f must be an integer");
    }

    @Test
    void duplicateAddress() {
        assertRejected(GOOD.replace("127.0.0.13", "127.0.0.11"),
                "cluster.yaml: members[2] 127.0.0.11 duplicates members[0]; every member needs its own address");
    }

    @Test
    void notAnIpv4Address() {
        assertRejected(GOOD.replace("127.0.0.12", "replica-2.example"),
                "cluster.yaml: members[1] 'replica-2.example' is not an IPv4 address; write it as four numbers 0..255, e.g. 10.0.0.1");
        assertRejected(GOOD.replace("127.0.0.12", "127.0.0.256"), "cluster.yaml: members[1] '127.0.0.256' is not an IPv4 address");
        assertRejected(GOOD.replace("127.0.0.12", "'::1'"), "cluster.yaml: members[1] '::1' is not an IPv4 address");
        assertRejected(GOOD.replace("127.0.0.12", "12"), "cluster.yaml: members[1] '12' is not an IPv4 address");
        assertRejected(GOOD.replace("127.0.0.12", "0.0.0.0"), "cluster.yaml: members[1] 0.0.0.0 cannot be a member address");
    }

    @Test
    void unknownApp() {
        assertRejected(GOOD.replace("app: kv", "app: redis"), "cluster.yaml: app 'redis' is unknown; use one of null, kv");
        assertRejected(GOOD.replace("app: kv", "app: 3"), "cluster.yaml: app '3' is unknown");
    }

    @Test
    void portOutOfRange() {
        assertRejected(GOOD.replace("port: 7000", "port: 0"), "cluster.yaml: port is 0 but must be in 1..65535 (a UDP port)");
        assertRejected(GOOD.replace("port: 7000", "port: 70000"), "cluster.yaml: port is 70000 but must be in 1..65535");
    }

    @Test
    void clusterIdOutOfU32() {
        assertRejected(GOOD.replace("cluster-id: 1", "cluster-id: 4294967296"),
                "cluster.yaml: cluster-id is 4294967296 but must be in 0..4294967295 (a u32)");
        assertRejected(GOOD.replace("cluster-id: 1", "cluster-id: -1"), "cluster.yaml: cluster-id is -1 but must be in 0..4294967295");
        assertRejected(GOOD.replace("cluster-id: 1", "cluster-id: 99999999999999999999999"),
                "cluster.yaml: cluster-id is 99999999999999999999999 but must be in 0..4294967295");
    }

    @Test
    void tickMillisOutOfRange() {
        assertRejected(GOOD + "tick-millis: 0\n", "cluster.yaml: tick-millis is 0 but must be in 1..1000");
    }

    @Test
    void everyMessageIsOneLine() {
        assertRejected("a: [\n\n\n", "cluster.yaml line ");
    }

    private static void assertRejected(String yaml, String... expectedParts) {
        assertRejected(() -> ClusterConfig.parse(yaml, "cluster.yaml"), expectedParts);
    }

    private static void assertRejected(ThrowingLoad load, String... expectedParts) {
        assertThatThrownBy(load::run).isInstanceOf(ConfigException.class).satisfies(e -> {
            assertThat(e.getMessage()).doesNotContain("\n");
            assertThat(e.getMessage()).startsWith(expectedParts[0]);
            for (String part : expectedParts) assertThat(e.getMessage()).contains(part);
        });
    }

    private interface ThrowingLoad {
        void run() throws Exception;
    }
}

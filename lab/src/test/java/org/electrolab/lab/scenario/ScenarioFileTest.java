package org.electrolab.lab.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.electrolab.protocol.config.Offload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ScenarioFileTest {
    private static final String GOOD = """
            replicas: 3
            offloads: none
            app: kv
            workload:
              clients: 8
              warmup: 5s
              duration: 30s
              payload-bytes: 64
            """;

    @ParameterizedTest
    @ValueSource(ints = {3, 5, 7})
    void theShippedScenariosLoad(int replicas) throws Exception {
        Scenario scenario = ScenarioFile.load(repo().resolve("experiments/scenarios/scenario" + replicas + ".yaml"));

        assertThat(scenario.name()).isEqualTo("scenario" + replicas);
        assertThat(scenario.replicas()).isEqualTo(replicas);
        assertThat(scenario.f()).isEqualTo((replicas - 1) / 2);
        assertThat(scenario.offloadArgument()).isEqualTo("none");
        assertThat(scenario.workload().clients()).isPositive();
    }

    @Test
    void defaultsAndOffloadListsAreRead() throws Exception {
        Scenario scenario = ScenarioFile.parse(GOOD.replace("offloads: none", "offloads: fast-reply, quorum-prune"), "s.yaml", "s");

        assertThat(scenario.offloads()).containsExactly(Offload.FAST_REPLY, Offload.QUORUM_PRUNE);
        assertThat(scenario.offloadArgument()).isEqualTo("fast-reply,quorum-prune");
        assertThat(scenario.clusterId()).isEqualTo(ScenarioFile.CLUSTER_ID_DEFAULT);
        assertThat(scenario.port()).isEqualTo(ScenarioFile.PORT_DEFAULT);
        assertThat(scenario.workload()).isEqualTo(new ClientLoad(8, Duration.ofSeconds(5), Duration.ofSeconds(30), 64));
        assertThat(ScenarioFile.parse(GOOD.replace("offloads: none", "offloads: all"), "s.yaml", "s").offloads())
                .containsExactly(Offload.values());
    }

    @Test
    void toYamlReadsBackEqual() throws Exception {
        Scenario scenario = ScenarioFile.parse(GOOD.replace("offloads: none", "offloads: tc-broadcast")
                + "cluster-id: 4000000000\nport: 9100\ntick-millis: 200\n", "s.yaml", "s");

        assertThat(scenario.tickMillis()).isEqualTo(200);
        assertThat(ScenarioFile.parse(ScenarioFile.toYaml(scenario), "copy", "s")).isEqualTo(scenario);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "replicas: 3|replicas: 4|s.yaml: replicas: 4 is even; use an odd count",
            "replicas: 3|replicas: 17|s.yaml: replicas: 17 is out of range 3..15",
            "replicas: 3|replicas: three|s.yaml: replicas: 'three' is not an integer",
            "offloads: none|offloads: fast-reply,turbo|s.yaml: offloads: 'turbo' is not an offload; use none, all, or a comma list of tc-broadcast, fast-reply, quorum-prune",
            "offloads: none|offloads: fast-reply,fast-reply|s.yaml: offloads: 'fast-reply' is listed twice",
            "app: kv|app: redis|s.yaml: app: 'redis' is not an app; use null or kv",
            "app: kv|app: kv\\nclients: 8|s.yaml: clients: unknown key; the keys are replicas, offloads, app, workload, cluster-id, port, tick-millis",
            "app: kv|app: kv\\ntick-millis: 0|s.yaml: tick-millis: 0 is out of range 1..1000",
            "  warmup: 5s|  warmup: five|s.yaml: workload.warmup: 'five' is not a duration; write a whole number with ms, s, m or h",
            "  duration: 30s|  duration: 0s|s.yaml: workload.duration: must be longer than 0",
            "  duration: 30s|  duration: 30s\\n  time: 30s|s.yaml: workload.time: unknown key; the workload keys are clients, warmup, duration, payload-bytes",
            "  clients: 8|  clients: 0|s.yaml: workload.clients: 0 is out of range 1..4096",
            "  payload-bytes: 64|  payload-bytes: 100000|s.yaml: workload.payload-bytes: 100000 is out of range 0..",
            "app: kv|app: kv\\nport: 70000|s.yaml: port: 70000 is out of range 1..65535",
            "app: kv|app: kv\\ncluster-id: -1|s.yaml: cluster-id: -1 is out of range 0..4294967295",
            "replicas: 3|replicas: [3|s.yaml line 2: bad YAML: expected ',' or ']'",
    })
    void eachMistakeIsOneLineNamingTheField(String good, String bad, String expected) {
        ScenarioException e = catchThrowableOfType(ScenarioException.class,
                () -> ScenarioFile.parse(GOOD.replace(good, bad.replace("\\n", "\n")), "s.yaml", "s"));

        assertThat(e).as("rejected").isNotNull();
        assertThat(e.problems()).hasSize(1);
        assertThat(e.problems().getFirst()).startsWith(expected).doesNotContain("\n");
    }

    @Test
    void aMisspelledKeyIsNamedAlongWithTheKeyItLeftMissing() {
        ScenarioException e = catchThrowableOfType(ScenarioException.class,
                () -> ScenarioFile.parse(GOOD.replace("app: kv", "apps: kv"), "s.yaml", "s"));

        assertThat(e.problems()).containsExactly(
                "s.yaml: apps: unknown key; the keys are replicas, offloads, app, workload, cluster-id, port, tick-millis",
                "s.yaml: app: missing; add e.g. app: kv (null or kv)");
    }

    @Test
    void missingKeysAreNamedWithAnExample() {
        ScenarioException e = catchThrowableOfType(ScenarioException.class,
                () -> ScenarioFile.parse("replicas: 3\n", "s.yaml", "s"));

        assertThat(e.problems()).containsExactly(
                "s.yaml: offloads: missing; add e.g. offloads: none (none, all, or a comma list of tc-broadcast, fast-reply, quorum-prune)",
                "s.yaml: app: missing; add e.g. app: kv (null or kv)",
                "s.yaml: workload: missing; add e.g. workload: {clients: 8, warmup: 5s, duration: 30s, payload-bytes: 64}");
    }

    @Test
    void everyMistakeInAFileIsReportedAtOnce() {
        ScenarioException e = catchThrowableOfType(ScenarioException.class,
                () -> ScenarioFile.parse(GOOD.replace("replicas: 3", "replicas: 2").replace("app: kv", "app: sql"), "s.yaml", "s"));

        assertThat(e.problems()).hasSize(2);
        assertThat(e.problems()).anySatisfy(line -> assertThat(line).startsWith("s.yaml: replicas:"));
        assertThat(e.problems()).anySatisfy(line -> assertThat(line).startsWith("s.yaml: app:"));
    }

    @Test
    void aMissingFileSaysWhatToPass(@TempDir Path dir) {
        ScenarioException e = catchThrowableOfType(ScenarioException.class, () -> ScenarioFile.load(dir.resolve("nope.yaml")));

        assertThat(e.problems()).singleElement().asString().contains("nope.yaml: file not found; pass --scenario");
    }

    static Path repo() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("experiments/scenarios"))) dir = dir.getParent();
        if (dir == null) throw new IllegalStateException("run from inside the checkout: no experiments/scenarios above");
        return dir;
    }
}

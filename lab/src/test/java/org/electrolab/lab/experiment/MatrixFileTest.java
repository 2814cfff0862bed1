package org.electrolab.lab.experiment;

import org.electrolab.lab.pipeline.OffloadSet;
import org.electrolab.lab.pipeline.PlanException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.electrolab.protocol.config.Offload;
import org.junit.jupiter.api.Test;

public class MatrixFileTest {
    private static final String GOOD = """
            sizes: [3, 5, 7]
            offloads: [none, tc-broadcast, fast-reply, quorum-prune, all]
            clients: [1, 16]
            repeats: 3
            warmup: 5s
            duration: 20s
            app: null
            payload-bytes: 64
            """;

    @Test
    void theShippedMatricesAreValid() throws Exception {
        Path repo = repoRoot();
        Matrix full = MatrixFile.load(repo.resolve("experiments/matrix.yaml"));
        assertThat(full.sizes()).containsExactly(3, 5, 7);
        assertThat(full.offloadSets()).extracting(OffloadSet::label)
                .containsExactly("none", "tc-broadcast", "fast-reply", "quorum-prune", "all");
        assertThat(full.clients()).containsExactly(1, 16);
        assertThat(full.plan()).hasSize(3 * 5 * 2 * full.repeats());
        Matrix ci = MatrixFile.load(repo.resolve("experiments/matrix-ci.yaml"));
        assertThat(ci.plan()).hasSize(ci.sizes().size() * ci.offloadSets().size() * ci.clients().size() * ci.repeats());
    }

    @Test
    void readsEveryField() throws Exception {
        Matrix m = MatrixFile.parse(GOOD + "cluster-id: 9\nport: 7100\n", "m.yaml", "m");
        assertThat(m.name()).isEqualTo("m");
        assertThat(m.repeats()).isEqualTo(3);
        assertThat(m.warmup()).isEqualTo(Duration.ofSeconds(5));
        assertThat(m.duration()).isEqualTo(Duration.ofSeconds(20));
        assertThat(m.app()).isEqualTo("null");
        assertThat(m.payloadBytes()).isEqualTo(64);
        assertThat(m.clusterId()).isEqualTo(9);
        assertThat(m.port()).isEqualTo(7100);
        assertThat(m.offloadSets().getLast().offloads()).containsExactly(Offload.values());
    }

    @Test
    void aCommaListIsOneSetLabelledWithPlus() throws Exception {
        Matrix m = MatrixFile.parse(GOOD.replace("[none, tc-broadcast, fast-reply, quorum-prune, all]",
                "[none, \"quorum-prune, fast-reply\"]"), "m.yaml", "m");
        assertThat(m.offloadSets().get(1).label()).isEqualTo("fast-reply+quorum-prune");
        assertThat(m.offloadSets().get(1).offloads()).containsExactly(Offload.FAST_REPLY, Offload.QUORUM_PRUNE);
    }

    @Test
    void planInterleavesRepeatsAndKeepsClusterStartsTogether() throws Exception {
        Matrix m = MatrixFile.parse("""
                sizes: [3, 5]
                offloads: [none, all]
                clients: [1, 4]
                repeats: 2
                warmup: 0s
                duration: 1s
                app: kv
                payload-bytes: 8
                """, "m.yaml", "m");
        assertThat(m.plan()).extracting(Run::id).containsExactly(
                "n3-none-c1-r1", "n3-none-c4-r1", "n3-all-c1-r1", "n3-all-c4-r1",
                "n5-none-c1-r1", "n5-none-c4-r1", "n5-all-c1-r1", "n5-all-c4-r1",
                "n3-none-c1-r2", "n3-none-c4-r2", "n3-all-c1-r2", "n3-all-c4-r2",
                "n5-none-c1-r2", "n5-none-c4-r2", "n5-all-c1-r2", "n5-all-c4-r2");
        var scenario = m.scenario(new Cell(5, m.offloadSets().get(1), 4));
        assertThat(scenario.replicas()).isEqualTo(5);
        assertThat(scenario.offloadArgument()).isEqualTo("tc-broadcast,fast-reply,quorum-prune");
        assertThat(scenario.workload().clients()).isEqualTo(4);
        assertThat(scenario.app()).isEqualTo("kv");
    }

    @Test
    void everyMistakeIsOneLineNamingTheFieldAndTheFix() {
        List<String> problems = problems("""
                sizes: [3, 4, 3, 17]
                offloads: [none, turbo, all, "fast-reply,fast-reply", "tc-broadcast,fast-reply,quorum-prune"]
                clients: [0, 8, 8]
                repeats: 0
                warmup: soon
                duration: 0s
                app: sql
                payload-bytes: -1
                colour: blue
                """);
        assertThat(problems).containsExactly(
                "m.yaml: colour: unknown key; the keys are sizes, offloads, clients, repeats, warmup, duration, app, payload-bytes, cluster-id, port",
                "m.yaml: sizes: 4 is even; use odd replica counts 3..15 (2f+1 members), e.g. 5",
                "m.yaml: sizes: 3 is listed twice; name each size once",
                "m.yaml: sizes: 17 is out of range 3..15; use odd replica counts 3..15 (2f+1 members)",
                "m.yaml: offloads: 'turbo' is not an offload; each entry is none, all, or a comma list of tc-broadcast, fast-reply, quorum-prune",
                "m.yaml: offloads: 'fast-reply,fast-reply' names fast-reply twice; name each offload once",
                "m.yaml: offloads: 'tc-broadcast,fast-reply,quorum-prune' is the set all again; name each set once",
                "m.yaml: clients: 0 is out of range 1..4096; use closed-loop client counts, e.g. 16",
                "m.yaml: clients: 8 is listed twice; name each client count once",
                "m.yaml: repeats: 0 is out of range 1..1000; use runs per cell, e.g. repeats: 3",
                "m.yaml: warmup: 'soon' is not a duration; write a whole number with ms, s, m or h, e.g. 20s",
                "m.yaml: duration: must be longer than 0; e.g. 20s",
                "m.yaml: app: 'sql' is not an app; use null or kv",
                "m.yaml: payload-bytes: -1 is out of range 0.." + MatrixFile.PAYLOAD_BYTES_MAX + "; use request payload bytes, e.g. 64");
        assertThat(problems).allSatisfy(line -> assertThat(line).doesNotContain("\n"));
    }

    @Test
    void missingKeysAndEmptyListsAreNamed() {
        assertThat(problems("sizes: []\noffloads: none\n")).containsExactly(
                "m.yaml: clients: missing; add e.g. clients: [1, 16]",
                "m.yaml: repeats: missing; add e.g. repeats: 3",
                "m.yaml: warmup: missing; add e.g. warmup: 5s",
                "m.yaml: duration: missing; add e.g. duration: 20s",
                "m.yaml: app: missing; add e.g. app: null",
                "m.yaml: payload-bytes: missing; add e.g. payload-bytes: 64",
                "m.yaml: sizes: must be a non-empty list, e.g. sizes: [3, 5, 7]",
                "m.yaml: offloads: must be a non-empty list, e.g. offloads: [none, tc-broadcast, fast-reply, quorum-prune, all]");
    }

    @Test
    void badYamlAndMissingFilesAreOneLine() {
        assertThat(problems("sizes: [3\n")).singleElement().asString().startsWith("m.yaml line ").contains("bad YAML");
        assertThat(problems("- 3\n")).containsExactly("m.yaml: must be a mapping with the keys sizes, offloads, clients,"
                + " repeats, warmup, duration, app, payload-bytes; see experiments/matrix.yaml");
        PlanException e = catchThrowableOfType(PlanException.class, () -> MatrixFile.load(Path.of("no/such/matrix.yaml")));
        assertThat(e.problems()).containsExactly("no/such/matrix.yaml: file not found; pass the path of a matrix file,"
                + " e.g. experiments/matrix.yaml");
    }

    @Test
    void durationsAndBadYamlReadAsInScenarioFiles() throws Exception {
        assertThat(MatrixFile.parse(GOOD.replace("duration: 20s", "duration: 1h"), "m.yaml", "m").duration())
                .isEqualTo(Duration.ofHours(1));
        assertThat(problems("sizes: [3\n")).containsExactly("m.yaml line 1: bad YAML: expected ',' or ']', but got"
                + " <stream end> (while parsing a flow sequence); fix the YAML there");
    }

    private static List<String> problems(String yaml) {
        PlanException e = catchThrowableOfType(PlanException.class, () -> MatrixFile.parse(yaml, "m.yaml", "m"));
        assertThat(e).as("the matrix is rejected").isNotNull();
        return e.problems();
    }

    public static Path repoRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (dir.resolve("experiments/matrix.yaml").toFile().isFile()) return dir;
        }
        throw new IllegalStateException("run from inside the electrolab checkout");
    }
}

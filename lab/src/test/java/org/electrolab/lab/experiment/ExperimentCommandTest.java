package org.electrolab.lab.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.electrolab.lab.CliRun.electrolab;

import java.nio.file.Files;
import java.nio.file.Path;

import org.electrolab.lab.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code electrolab experiment run} mistakes: one line each, exit 2, nothing started or written. */
class ExperimentCommandTest {
    @TempDir
    Path tmp;

    @Test
    void aBadMatrixPrintsEveryMistakeAndStartsNothing() throws Exception {
        Path matrix = tmp.resolve("bad.yaml");
        Files.writeString(matrix, """
                sizes: [4]
                offloads: [none, turbo]
                clients: [1]
                repeats: 1
                warmup: 1s
                duration: 1s
                app: null
                payload-bytes: 64
                """);
        Path outDir = tmp.resolve("out");
        CliRun run = electrolab("experiment", "run", matrix.toString(), "--out", outDir.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().lines()).containsExactly(
                matrix + ": sizes: 4 is even; use odd replica counts 3..15 (2f+1 members), e.g. 5",
                matrix + ": offloads: 'turbo' is not an offload; each entry is none, all, or a comma list of"
                        + " tc-broadcast, fast-reply, quorum-prune");
        assertThat(outDir).doesNotExist();
        assertThat(run.out()).isEmpty();
    }

    @Test
    void badOptionsAreOneLineEach() {
        Path matrix = MatrixFileTest.repoRoot().resolve("experiments/matrix-ci.yaml");
        CliRun badRepeats = electrolab("experiment", "run", matrix.toString(), "--repeats", "0", "--out", tmp.resolve("o").toString());
        assertThat(badRepeats.exitCode()).isEqualTo(2);
        assertThat(badRepeats.err()).isEqualTo("electrolab experiment run: --repeats 0: use 1..1000\n");
        assertThat(tmp.resolve("o")).doesNotExist();

        CliRun badLabName = electrolab("experiment", "run", matrix.toString(), "--lab-name", "Bad-Name");
        assertThat(badLabName.exitCode()).isEqualTo(2);
        assertThat(badLabName.err()).startsWith("electrolab experiment run: --lab-name: 'Bad-Name' is not a lab name;")
                .hasLineCount(1);

        CliRun noInventory = electrolab("experiment", "run", matrix.toString(), "--inventory", tmp.resolve("hosts.yml").toString(),
                "--out", tmp.resolve("o").toString());
        assertThat(noInventory.exitCode()).isEqualTo(2);
        assertThat(noInventory.err()).startsWith("electrolab experiment run: --inventory " + tmp.resolve("hosts.yml")
                + ": no such file; pass an Ansible inventory").hasLineCount(1);
        assertThat(tmp.resolve("o")).doesNotExist();

        CliRun noMatrix = electrolab("experiment", "run", tmp.resolve("none.yaml").toString());
        assertThat(noMatrix.exitCode()).isEqualTo(2);
        assertThat(noMatrix.err()).isEqualTo(tmp.resolve("none.yaml") + ": file not found; pass the path of a matrix file,"
                + " e.g. experiments/matrix.yaml\n");
    }
}

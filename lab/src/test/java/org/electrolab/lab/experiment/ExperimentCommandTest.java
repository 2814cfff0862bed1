package org.electrolab.lab.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.electrolab.lab.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code electrolab experiment run} mistakes: one line each, exit 2, nothing started or written. */
class ExperimentCommandTest {
    @TempDir
    Path tmp;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int electrolab(String... args) {
        return Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
    }

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
        assertThat(electrolab("experiment", "run", matrix.toString(), "--out", outDir.toString())).isEqualTo(2);
        assertThat(err.toString().lines()).containsExactly(
                matrix + ": sizes: 4 is even; use odd replica counts 3..15 (2f+1 members), e.g. 5",
                matrix + ": offloads: 'turbo' is not an offload; each entry is none, all, or a comma list of"
                        + " tc-broadcast, fast-reply, quorum-prune");
        assertThat(outDir).doesNotExist();
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void badOptionsAreOneLineEach() {
        Path matrix = MatrixFileTest.repoRoot().resolve("experiments/matrix-ci.yaml");
        assertThat(electrolab("experiment", "run", matrix.toString(), "--repeats", "0", "--out", tmp.resolve("o").toString()))
                .isEqualTo(2);
        assertThat(err.toString()).isEqualTo("electrolab experiment run: --repeats 0: use 1..1000\n");
        assertThat(tmp.resolve("o")).doesNotExist();

        err.getBuffer().setLength(0);
        assertThat(electrolab("experiment", "run", matrix.toString(), "--lab-name", "Bad-Name")).isEqualTo(2);
        assertThat(err.toString()).startsWith("electrolab experiment run: --lab-name: 'Bad-Name' is not a lab name;")
                .hasLineCount(1);

        err.getBuffer().setLength(0);
        assertThat(electrolab("experiment", "run", tmp.resolve("none.yaml").toString())).isEqualTo(2);
        assertThat(err.toString()).isEqualTo(tmp.resolve("none.yaml") + ": file not found; pass the path of a matrix file,"
                + " e.g. experiments/matrix.yaml\n");
    }
}

package org.electrolab.lab.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import org.electrolab.lab.Main;
import org.electrolab.lab.experiment.ResultsDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code electrolab report DIR} through the CLI's own entry point. */
class ReportCommandTest {
    @TempDir
    Path tmp;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int electrolab(String... args) {
        return Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
    }

    @Test
    void writesTheReportAndCharts() throws Exception {
        ResultsDir results = SyntheticResults.write(tmp.resolve("results"));
        assertThat(electrolab("report", results.dir().toString())).isZero();
        assertThat(out.toString()).isEqualTo("wrote " + results.report() + " and charts in " + results.charts() + "\n");
        assertThat(results.report()).isNotEmptyFile();
        assertThat(results.charts().resolve("throughput-c8.png")).isNotEmptyFile();
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void aDirectoryWithoutResultsIsAOneLineUserError() {
        assertThat(electrolab("report", tmp.toString())).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("electrolab report: " + tmp + " has no results.csv; pass a directory"
                + " `electrolab experiment run` wrote, e.g. experiments/results/<timestamp>\n");
    }
}

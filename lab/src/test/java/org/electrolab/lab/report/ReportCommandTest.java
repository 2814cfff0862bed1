package org.electrolab.lab.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.electrolab.lab.CliRun.electrolab;

import java.nio.file.Path;

import org.electrolab.lab.CliRun;
import org.electrolab.lab.experiment.ResultsDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code electrolab report DIR} through the CLI's own entry point. */
class ReportCommandTest {
    @TempDir
    Path tmp;

    @Test
    void writesTheReportAndCharts() throws Exception {
        ResultsDir results = SyntheticResults.write(tmp.resolve("results"));
        CliRun run = electrolab("report", results.dir().toString());
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo("wrote " + results.report() + " and charts in " + results.charts() + "\n");
        assertThat(results.report()).isNotEmptyFile();
        assertThat(results.charts().resolve("throughput-c8.png")).isNotEmptyFile();
        assertThat(run.err()).isEmpty();
    }

    @Test
    void aDirectoryWithoutResultsIsAOneLineUserError() {
        CliRun run = electrolab("report", tmp.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("electrolab report: " + tmp + " has no results.csv; pass a directory"
                + " `electrolab experiment run` wrote, e.g. experiments/results/<timestamp>\n");
    }
}

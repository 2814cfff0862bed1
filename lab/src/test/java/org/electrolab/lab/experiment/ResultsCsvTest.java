package org.electrolab.lab.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsCsvTest {
    @TempDir
    Path tmp;

    @Test
    void rowsRoundTripIncludingReasonsWithCommasQuotesAndLineBreaks() throws IOException {
        Path file = tmp.resolve("results.csv");
        List<RunRow> rows = List.of(
                new RunRow(3, "all", 16, 1, new Figures(1000, 2, 3, 12345.678, 50, 90, 990, 1999, 5000), RunStatus.OK, ""),
                new RunRow(5, "fast-reply+quorum-prune", 1, 2, null, RunStatus.FAILED,
                        "client: exited 1, log \"client.log\" ends:\nno replica answered"),
                new RunRow(7, "none", 1, 3, null, RunStatus.SKIPPED, ExperimentRunner.STOPPED));
        try (ResultsCsv csv = ResultsCsv.create(file)) {
            for (RunRow row : rows) csv.append(row);
        }
        assertThat(ResultsCsv.read(file)).isEqualTo(rows);
        assertThat(Files.readAllLines(file).getFirst()).isEqualTo("size,offloads,clients,repeat,completed,errors,timeouts,"
                + "throughput_ops_per_sec,p50_us,p90_us,p99_us,p999_us,max_us,status,reason");
        assertThat(Files.readAllLines(file).get(1)).isEqualTo("3,all,16,1,1000,2,3,12345.678,50,90,990,1999,5000,ok,");
    }

    @Test
    void aMalformedRowIsNamedByItsLine() throws IOException {
        Path file = tmp.resolve("results.csv");
        Files.writeString(file, String.join(",", ResultsCsv.HEADER) + "\n3,all,16\n");
        assertThat(catchThrowable(() -> ResultsCsv.read(file))).hasMessage(file + ": row 2: has 3 fields, expected 15");
    }
}

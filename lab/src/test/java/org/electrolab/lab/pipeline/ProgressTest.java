package org.electrolab.lab.pipeline;

import org.electrolab.lab.experiment.Cell;
import org.electrolab.lab.experiment.ExperimentRunner;
import org.electrolab.lab.experiment.Figures;
import org.electrolab.lab.experiment.Run;
import org.electrolab.lab.experiment.RunRow;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class ProgressTest {
    private final AtomicLong nanos = new AtomicLong();
    private final StringWriter text = new StringWriter();
    private final Run run = new Run(new Cell(3, OffloadSet.NONE, 16), 1);

    @Test
    void plainOutputIsOneLinePerRunWithAnEtaFromTheRunsSoFar() {
        Progress progress = new Progress(new PrintWriter(text), false, 4, Duration.ofSeconds(30), nanos::get);
        progress.started(run.id());
        assertThat(text.toString()).isEmpty();
        nanos.set(Duration.ofSeconds(40).toNanos());
        progress.finished(ExperimentRunner.outcome(run, RunRow.ok(run, new Figures(10, 0, 0, 1234.4, 81, 0, 0, 0, 0))), false, false);
        progress.note("failed x: reason");
        nanos.set(Duration.ofSeconds(80).toNanos());
        progress.finished(ExperimentRunner.outcome(run, RunRow.failed(run, null, "reason")), true, false);
        progress.close();
        assertThat(text.toString().lines()).containsExactly(
                "[######..................] 1/4  25%  n3-none-c16-r1 ok 1234 ops/s p50 81 µs  elapsed 40s  ETA 2m00s",
                "failed x: reason",
                "[############............] 2/4  50%  n3-none-c16-r1 failed  elapsed 1m20s  ETA 1m20s  1 failed");
    }

    @Test
    void aTerminalGetsOneLineRedrawnInPlace() {
        Progress progress = new Progress(new PrintWriter(text), true, 2, Duration.ofSeconds(30), nanos::get);
        progress.started(run.id());
        progress.note("starting 3 replicas");
        progress.close();
        assertThat(text.toString()).startsWith("\r\033[K[........................] 0/2   0%  running n3-none-c16-r1  elapsed 0s  ETA 1m00s")
                .contains("\r\033[Kstarting 3 replicas\n").endsWith("\n");
        assertThat(text.toString().chars().filter(c -> c == '\n')).as("line breaks").hasSize(2);
    }

    @Test
    void aFaultRunsVerdictStaysAboveTheBarOnATerminal() {
        Progress progress = new Progress(new PrintWriter(text), true, 2, Duration.ofSeconds(20), nanos::get);
        progress.started("n3-all-leader-kill-r1");
        nanos.set(Duration.ofSeconds(25).toNanos());
        progress.finished("n3-all-leader-kill-r1: 9,000 ops (0 unknown), linearizable", false, true);
        progress.close();
        assertThat(text.toString()).contains("\r\033[Kn3-all-leader-kill-r1: 9,000 ops (0 unknown), linearizable\n")
                .endsWith("[############............] 1/2  50%  n3-all-leader-kill-r1: 9,000 ops (0 unknown), linearizable"
                        + "  elapsed 25s  ETA 25s\n");
    }

    @Test
    void clockReadsLikeAClock() {
        assertThat(Progress.clock(Duration.ofSeconds(42))).isEqualTo("42s");
        assertThat(Progress.clock(Duration.ofSeconds(302))).isEqualTo("5m02s");
        assertThat(Progress.clock(Duration.ofSeconds(3723))).isEqualTo("1h02m03s");
    }
}

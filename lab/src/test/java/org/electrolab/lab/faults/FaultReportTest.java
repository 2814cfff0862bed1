package org.electrolab.lab.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.electrolab.client.history.History;
import org.electrolab.client.history.History.Op;
import org.electrolab.lab.experiment.OffloadSet;
import org.electrolab.protocol.Kv;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a run is judged from its history, and what the report makes of the runs. */
class FaultReportTest {
    private static final Kv.Result OK = new Kv.Result(Kv.Status.OK, null);
    private static final Campaign.Run RUN = new Campaign.Run(3, OffloadSet.NONE, FaultKind.LEADER_KILL, 1);
    private static final FaultInjector.Injected KILLED = new FaultInjector.Injected(FaultKind.LEADER_KILL, List.of(), "killed r0 (leader)");

    @TempDir
    Path tmp;

    /** Puts of fresh values every {@code step} ns from 0 to {@code end}, skipping completions inside the outage. */
    private static History steadyPuts(long end, long step, long outageFrom, long outageTo) {
        History history = new History();
        int n = 0;
        for (long t = 0; t < end; t += step) {
            Op put = history.invoke(1, ++n, new Kv.Put("k" + n, "v" + n), t);
            long done = t + step / 2;
            if (done >= outageFrom && done < outageTo) done = outageTo;
            history.complete(put, OK, done);
            Op read = history.invoke(2, n, new Kv.Get("k" + n), end + 10 * n, true);
            history.complete(read, new Kv.Result(Kv.Status.OK, "v" + n), end + 10 * n + 5);
        }
        return history;
    }

    @Test
    void aHealthyHistoryIsCorrectAndItsOutageIsMeasured() {
        // One put per ms for 3 s; nothing completes between 1.0 s and 1.4 s; the fault came at 1.0 s.
        History history = steadyPuts(3_000_000_000L, 1_000_000, 1_000_000_000L, 1_400_000_000L);
        FaultRun run = CampaignRunner.judge(RUN, KILLED, history, 1_000_000_000L, 2_000_000_000L, 250, 3000, Map.of(), List.of());
        assertThat(run.correct()).isTrue();
        assertThat(run.ops()).isEqualTo(3000);
        assertThat(run.unavailableMillis()).isBetween(399.0, 401.0);
        assertThat(run.faultAtSeconds()).isEqualTo(1.0);
        assertThat(run.healAtSeconds()).isEqualTo(2.0);
        assertThat(run.timeline()).hasSize(30);
        assertThat(run.timeline().get(12)).as("nothing completes during the outage").isZero();
        assertThat(FaultReport.line(run)).contains("3,000 ops").contains("linearizable").contains("unavailable 400 ms");
    }

    @Test
    void aLostAcknowledgedWriteIsAViolationAndALostWrite() {
        History history = new History();
        Op put = history.invoke(1, 1, new Kv.Put("k", "v1"), 100);
        history.complete(put, OK, 200);
        Op read = history.invoke(1, 2, new Kv.Get("k"), 300, true);
        history.complete(read, new Kv.Result(Kv.Status.NOT_FOUND, null), 400);
        FaultRun run = CampaignRunner.judge(RUN, KILLED, history, 150, 250, 10, 1, Map.of(), List.of());
        assertThat(run.linearizable()).isFalse();
        assertThat(run.lostWrites()).isEqualTo(1);
        assertThat(run.correct()).isFalse();
        assertThat(FaultReport.line(run)).contains("NOT LINEARIZABLE").contains("1 lost writes");
    }

    @Test
    void aReplicaThatDiedOnItsOwnMakesTheRunIncorrect() {
        History history = steadyPuts(1_000_000_000L, 1_000_000, 0, 0);
        FaultRun run = CampaignRunner.judge(RUN, KILLED, history, 500_000_000L, 600_000_000L, -1, 1000, Map.of(), List.of("r2"));
        assertThat(run.linearizable()).isTrue();
        assertThat(run.correct()).isFalse();
        assertThat(FaultReport.line(run)).contains("CRASHED: r2");
    }

    @Test
    void theEffectOfALinkFaultIsWhatItsProgramCounted() {
        History history = steadyPuts(1_000_000_000L, 1_000_000, 0, 0);
        FaultRun run = CampaignRunner.judge(new Campaign.Run(3, OffloadSet.NONE, FaultKind.LOSS_20, 1),
                new FaultInjector.Injected(FaultKind.LOSS_20, List.of(), "dropped 20% of packets to every replica"), history,
                500_000_000L, 600_000_000L, 5, 1000, Map.of("r0", Map.of("seen", 600L, "dropped_loss", 120L),
                        "r1", Map.of("seen", 400L, "dropped_loss", 80L)), List.of());
        assertThat(FaultReport.effect(run)).isEqualTo("dropped 20% of packets to every replica: dropped loss 200 of 1,000 packets (20.0%)");
    }

    @Test
    void theReportCountsViolationsAndShowsTimelines() throws Exception {
        CampaignDir dir = new CampaignDir(tmp.resolve("c"));
        dir.create();
        ObjectMapper json = new ObjectMapper();
        History good = steadyPuts(3_000_000_000L, 1_000_000, 1_000_000_000L, 1_300_000_000L);
        FaultRun fine = CampaignRunner.judge(RUN, KILLED, good, 1_000_000_000L, 2_000_000_000L, 250, 3000, Map.of(), List.of());
        History lost = new History();
        Op put = lost.invoke(1, 1, new Kv.Put("k", "v1"), 100);
        lost.complete(put, OK, 200);
        Op read = lost.invoke(1, 2, new Kv.Get("k"), 300, true);
        lost.complete(read, new Kv.Result(Kv.Status.NOT_FOUND, null), 400);
        Campaign.Run other = new Campaign.Run(3, OffloadSet.NONE, FaultKind.LOSS_20, 1);
        FaultRun bad = CampaignRunner.judge(other, KILLED, lost, 150, 250, -1, 1, Map.of(), List.of());
        FaultRun failed = FaultRun.failed(new Campaign.Run(5, OffloadSet.NONE, FaultKind.LOSS_20, 1), "", "lab n5-none failed: boom");
        for (FaultRun r : List.of(fine, bad, failed)) json.writeValue(dir.runJson(r.id()).toFile(), r);

        String report = Files.readString(FaultReport.write(dir));
        assertThat(report).contains("3 runs (2 judged, 1 failed to run)")
                .contains("**1 linearizability violations, 1 lost acknowledged writes, 1 runs whose replicas did not converge, 0 replica crashes.**")
                .contains("Leader kill: service back within 300 ms at worst (goal: 2000 ms) — met")
                .contains("| leader-kill | 3 | none | 1 | 3,000 | 0 | 0 | 0 | 300 / 300 | yes | killed r0 (leader) |")
                .contains("| loss-20 | 5 | none | 1 (1 failed) |")
                .contains("lab n5-none failed: boom")
                .contains("![timeline-leader-kill-n3.png](charts/timeline-leader-kill-n3.png)");
        assertThat(dir.charts().resolve("timeline-leader-kill-n3.png")).isRegularFile();
        assertThat(Files.readAllLines(dir.csv())).hasSize(4);
    }
}

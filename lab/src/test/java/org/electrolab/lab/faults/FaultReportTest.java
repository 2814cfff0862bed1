package org.electrolab.lab.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.electrolab.client.history.History;
import org.electrolab.client.history.History.Op;
import org.electrolab.lab.pipeline.OffloadSet;
import org.electrolab.protocol.Kv;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a run is judged from its history, and what the report makes of the runs. */
class FaultReportTest {
    private static final Kv.Result OK = new Kv.Result(Kv.Status.OK, null);
    private static final Campaign.Run RUN = new Campaign.Run(3, OffloadSet.NONE, FaultKind.LEADER_KILL, 1);
    private static final FaultInjector.Injected KILLED = new FaultInjector.Injected(FaultKind.LEADER_KILL, List.of(), "killed r0 (leader)");
    private static final Duration BEFORE = Duration.ofSeconds(1);

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
        FaultRun run = CampaignRunner.judge(RUN, KILLED, history, 1_000_000_000L, 2_000_000_000L, BEFORE, 250, 3000, 0, 0, Map.of(), List.of());
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
        FaultRun run = CampaignRunner.judge(RUN, KILLED, history, 150, 250, BEFORE, 10, 1, 0, 0, Map.of(), List.of());
        assertThat(run.linearizable()).isFalse();
        assertThat(run.lostWrites()).isEqualTo(1);
        assertThat(run.correct()).isFalse();
        assertThat(FaultReport.line(run)).contains("NOT LINEARIZABLE").contains("1 lost writes");
    }

    @Test
    void aReplicaThatDiedOnItsOwnMakesTheRunIncorrect() {
        History history = steadyPuts(1_000_000_000L, 1_000_000, 0, 0);
        FaultRun run = CampaignRunner.judge(RUN, KILLED, history, 500_000_000L, 600_000_000L, BEFORE, -1, 1000, 0, 0, Map.of(), List.of("r2"));
        assertThat(run.linearizable()).isTrue();
        assertThat(run.correct()).isFalse();
        assertThat(FaultReport.line(run)).contains("CRASHED: r2");
    }

    @Test
    void theEffectOfALinkFaultIsWhatItsProgramCounted() {
        History history = steadyPuts(1_000_000_000L, 1_000_000, 0, 0);
        FaultRun run = CampaignRunner.judge(new Campaign.Run(3, OffloadSet.NONE, FaultKind.LOSS_20, 1),
                new FaultInjector.Injected(FaultKind.LOSS_20, List.of(), "dropped 20% of packets to every replica"), history,
                500_000_000L, 600_000_000L, BEFORE, 5, 1000, 0, 0, Map.of("r0", Map.of("seen", 600L, "dropped_loss", 120L),
                        "r1", Map.of("seen", 400L, "dropped_loss", 80L)), List.of());
        assertThat(FaultReport.effect(run)).isEqualTo("dropped 20% of packets to every replica: dropped loss 200 of 1,000 packets (20.0%)");
    }

    @Test
    void theReportCountsViolationsAndShowsTimelines() throws Exception {
        CampaignDir dir = new CampaignDir(tmp.resolve("c"));
        dir.create();
        ObjectMapper json = new ObjectMapper();
        History good = steadyPuts(3_000_000_000L, 1_000_000, 1_000_000_000L, 1_300_000_000L);
        FaultRun fine = CampaignRunner.judge(RUN, KILLED, good, 1_000_000_000L, 2_000_000_000L, BEFORE, 250, 3000, 0, 0, Map.of(), List.of());
        History lost = new History();
        Op put = lost.invoke(1, 1, new Kv.Put("k", "v1"), 100);
        lost.complete(put, OK, 200);
        Op read = lost.invoke(1, 2, new Kv.Get("k"), 300, true);
        lost.complete(read, new Kv.Result(Kv.Status.NOT_FOUND, null), 400);
        Campaign.Run other = new Campaign.Run(3, OffloadSet.NONE, FaultKind.LOSS_20, 1);
        FaultRun bad = CampaignRunner.judge(other, KILLED, lost, 150, 250, BEFORE, -1, 1, 0, 0, Map.of(), List.of());
        FaultRun failed = FaultRun.failed(new Campaign.Run(5, OffloadSet.NONE, FaultKind.LOSS_20, 1), "", "lab n5-none failed: boom");
        for (FaultRun r : List.of(fine, bad, failed)) json.writeValue(dir.runJson(r.id()).toFile(), r);

        String report = Files.readString(FaultReport.write(dir));
        assertThat(report).contains("3 runs (2 judged, 1 failed to run)")
                .contains("**1 linearizability violations, 1 lost acknowledged writes, 1 runs whose replicas did not converge, 0 replica crashes.**")
                .contains("Leader kill: service back within 300 ms at worst (goal: 2000 ms) — met")
                .contains("| leader-kill | 3 | none | 1 | 3,000 | 0 | 0 | 0 | 100 | 300 | 100 | 290 | 1,000 | 0 of 1 | yes | killed r0 (leader) |")
                .contains("| loss-20 | 5 | none | 1 (1 failed) |")
                .contains("lab n5-none failed: boom")
                .contains("![timeline-leader-kill-n3.png](charts/timeline-leader-kill-n3.png)");
        assertThat(dir.charts().resolve("timeline-leader-kill-n3.png")).isRegularFile();
        assertThat(Files.readAllLines(dir.csv())).hasSize(4);
    }

    /** Puts completing every {@code step} ns in {@code [from, to)}, each taking 0.5 ms, numbered on from {@code n}. */
    private static int puts(History history, int n, long from, long to, long step) {
        for (long t = from; t < to; t += step) {
            Op put = history.invoke(1, ++n, new Kv.Put("k" + n, "v" + n), t);
            history.complete(put, OK, t + 500_000);
        }
        return n;
    }

    /** 1,000 ops/s for 2 s, a trickle of one every 50 ms during a 1 s fault, then 1,000 ops/s for 1 s. */
    private static History trickle() {
        History history = new History();
        int n = puts(history, 0, 0, 2_000_000_000L, 1_000_000);
        n = puts(history, n, 2_000_000_000L, 3_000_000_000L, 50_000_000);
        puts(history, n, 3_000_000_000L, 4_000_000_000L, 1_000_000);
        return history;
    }

    @Test
    void aTrickleDuringTheFaultShowsAsCollapsedGoodputNotAsAvailability() throws Exception {
        Campaign.Run loss = new Campaign.Run(3, OffloadSet.of(List.of(org.electrolab.protocol.config.Offload.values())), FaultKind.LOSS_20, 1);
        FaultRun run = CampaignRunner.judge(loss, new FaultInjector.Injected(FaultKind.LOSS_20, List.of(), "dropped 20% of packets"),
                trickle(), 2_000_000_000L, 3_000_000_000L, Duration.ofSeconds(2), 10, 4000, 4, 4, Map.of(), List.of());

        assertThat(run.unavailableMillis()).isBetween(49.0, 51.0);
        assertThat(run.goodput().preFaultOpsPerSec()).isEqualTo(1000);
        assertThat(run.goodput().steady()).isTrue();
        assertThat(run.goodput().duringPercent()).isEqualTo(2.0);
        assertThat(run.goodput().afterPercent()).isBetween(99.0, 101.0);
        assertThat(run.goodput().p99DuringMillis()).isEqualTo(0.5);
        assertThat(run.viewChanged()).isFalse();

        CampaignDir dir = new CampaignDir(tmp.resolve("trickle"));
        dir.create();
        new ObjectMapper().writeValue(dir.runJson(run.id()).toFile(), run);
        String report = Files.readString(FaultReport.write(dir));
        assertThat(report).contains("| loss-20 | 3 | all | 1 | ")
                .contains("| 2 | 50 | 100 | 0.5 | 1,000 | 0 of 1 | yes |")
                .contains("Loss goals: 2 of 3 met")
                .contains("| loss-20 | 3 | all | goodput during the fault ≥ 25% of the pre-fault rate | 2% | **missed by 23 points** |")
                .contains("| loss-20 | 3 | all | p99 latency during the fault < 20 ms | 0.5 ms | met |")
                .contains("| loss-20 | 3 | all | no view change | 0 of 1 runs changed view | met |");
        assertThat(dir.charts().resolve("timeline-loss-20-n3.png")).isRegularFile();
        assertThat(dir.charts().resolve("timeline-loss-20-n3.svg")).isRegularFile();
        assertThat(Files.readAllLines(dir.csv()).get(1)).contains(",1000.000,").contains(",2.000,");
    }

    @Test
    void goalsAreJudgedOnTheMedianOfTheRepeatsAndSayHowFarTheyMiss() {
        List<FaultRun> runs = List.of(lossRun(FaultKind.LOSS_20, 1, 30, 12, 0), lossRun(FaultKind.LOSS_20, 2, 20, 35, 0),
                lossRun(FaultKind.LOSS_20, 3, 10, 40, 1));

        List<LossGoals.Verdict> verdicts = LossGoals.judge("loss-20", 3, "none", runs);

        assertThat(verdicts).extracting(LossGoals.Verdict::goal).containsExactly(
                "goodput during the fault ≥ 25% of the pre-fault rate", "p99 latency during the fault < 20 ms", "no view change");
        assertThat(verdicts).extracting(LossGoals.Verdict::measured).containsExactly(
                "20% [10–30]", "35 ms [12–40]", "1 of 3 runs changed view");
        assertThat(verdicts).extracting(LossGoals.Verdict::met).containsExactly(false, false, false);
        assertThat(verdicts).extracting(LossGoals.Verdict::miss).containsExactly(
                "missed by 5 points", "missed by 15 ms", "missed in 1 of 3 runs");
        assertThat(LossGoals.judge("loss-5", 3, "none", List.of(lossRun(FaultKind.LOSS_5, 1, 71, 3, 0))))
                .extracting(LossGoals.Verdict::met).containsExactly(true, true);
        assertThat(LossGoals.judge("leader-kill", 3, "none", List.of(lossRun(FaultKind.LOSS_5, 1, 71, 3, 0)))).isEmpty();
    }

    @Test
    void twoOrMoreLossRatesAtASizeMakeAGoodputAgainstLossChart() throws Exception {
        CampaignDir dir = new CampaignDir(tmp.resolve("bench"));
        dir.create();
        ObjectMapper json = new ObjectMapper();
        for (FaultRun r : List.of(lossRun(FaultKind.LOSS_0, 1, 100, 1, 0), lossRun(FaultKind.LOSS_5, 1, 80, 3, 0),
                lossRun(FaultKind.LOSS_20, 1, 30, 15, 0))) {
            json.writeValue(dir.runJson(r.id()).toFile(), r);
        }
        String report = Files.readString(FaultReport.write(dir));
        assertThat(dir.charts().resolve("goodput-loss-n3.png")).isRegularFile();
        assertThat(dir.charts().resolve("goodput-loss-n3.svg")).isRegularFile();
        assertThat(report).contains("## Goodput under loss").contains("![goodput-loss-n3.png](charts/goodput-loss-n3.png)");
    }

    private static FaultRun lossRun(FaultKind kind, int repeat, double duringPercent, double p99Millis, long viewsChanged) {
        Goodput goodput = new Goodput(1000, 1, duringPercent, 100.0, p99Millis);
        return new FaultRun("n3-none-" + kind.label + "-r" + repeat, 3, "none", kind.label, repeat, FaultRun.OK, "", kind.description,
                1000, 1000, 0, 0, true, "", 0, 0, 50, 10, 1000, 2, 2 + viewsChanged, 2, 3, 0.1, 2, List.of(1L, 2L, 3L), goodput,
                Map.of(), List.of());
    }
}

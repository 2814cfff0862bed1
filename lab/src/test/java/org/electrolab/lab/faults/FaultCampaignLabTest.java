package org.electrolab.lab.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import org.electrolab.lab.experiment.MatrixFileTest;
import org.electrolab.lab.netns.CommandRunner;
import org.electrolab.lab.netns.Lab;
import org.electrolab.lab.netns.Network;
import org.electrolab.lab.netns.Locations;
import org.electrolab.lab.netns.Netns;
import org.electrolab.protocol.testing.RootRequirement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * experiments/faults-ci.yaml through the real CLI: 3 and 5 replicas with every offload on, a leader
 * kill, a leader partition and 20% loss while kv clients record histories. It fails on any
 * linearizability violation, lost acknowledged write, replicas that do not converge, or a leader
 * kill that leaves the service down for 2 s or more.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class FaultCampaignLabTest {
    private static final Duration RUN_LIMIT = Duration.ofMinutes(12);

    private final Path repo = MatrixFileTest.repoRoot();
    private final String labName = "f" + ProcessHandle.current().pid() % 1_000_000;
    @TempDir
    Path tmp;
    private Process cli;

    @BeforeEach
    void requireRoot() {
        RootRequirement.require("the netns lab");
    }

    @AfterEach
    void cleanUp() {
        if (cli != null && cli.isAlive()) cli.destroyForcibly();
        if (RootRequirement.isRoot()) Lab.down(Locations.of(repo), labName);
    }

    @Test
    void theShortCampaignFindsNoViolationNoLostWriteAndServiceBackWithinTwoSeconds() throws Exception {
        CampaignDir results = new CampaignDir(tmp.resolve("results"));
        cli = new ProcessBuilder(repo.resolve("bin/electrolab").toString(), "experiment", "faults", "experiments/faults-ci.yaml",
                "--out", results.dir().toString(), "--lab-name", labName)
                .directory(repo.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(tmp.resolve("stdout").toFile()).redirectError(tmp.resolve("stderr").toFile()).start();
        assertThat(cli.waitFor(RUN_LIMIT.toMillis(), TimeUnit.MILLISECONDS)).as("campaign finished").isTrue();
        String stdout = Files.readString(tmp.resolve("stdout"));
        assertThat(cli.exitValue()).as("exit code; stdout:\n%s\nstderr:\n%s", stdout, Files.readString(tmp.resolve("stderr"))).isZero();

        List<FaultRun> runs = FaultReport.read(results);
        assertThat(runs).extracting(FaultRun::id).containsExactlyInAnyOrder(
                "n3-all-leader-kill-r1", "n3-all-leader-partition-r1", "n3-all-loss-20-r1",
                "n5-all-leader-kill-r1", "n5-all-leader-partition-r1", "n5-all-loss-20-r1");
        for (FaultRun run : runs) {
            assertThat(run.judged()).as(run.id() + ": " + run.error()).isTrue();
            assertThat(run.ok()).as(run.id() + " acknowledged operations").isGreaterThan(100);
            assertThat(run.linearizable()).as(run.id() + ": " + run.violation()).isTrue();
            assertThat(run.lostWrites()).as(run.id() + " lost writes").isZero();
            assertThat(run.crashed()).as(run.id() + " replicas that died on their own").isEmpty();
            assertThat(run.convergedMillis()).as(run.id() + " converged").isNotNegative();
            assertThat(run.healAtSeconds()).isGreaterThan(run.faultAtSeconds());
            assertThat(run.goodput()).as(run.id() + " goodput around the fault").isNotNull();
            assertThat(run.goodput().preFaultOpsPerSec()).as(run.id() + " pre-fault rate").isPositive();
            assertThat(run.goodput().duringPercent()).as(run.id() + " goodput during the fault").isNotNull();
            if (run.fault().equals(FaultKind.LEADER_KILL.label)) {
                assertThat(run.unavailableMillis()).as(run.id() + " unavailable after the leader kill").isLessThan(2000);
            }
            if (run.fault().equals(FaultKind.LOSS_20.label)) {
                long dropped = run.links().values().stream().mapToLong(c -> c.getOrDefault("dropped_loss", 0L)).sum();
                long seen = run.links().values().stream().mapToLong(c -> c.getOrDefault("seen", 0L)).sum();
                assertThat(dropped).as(run.id() + ": the loss program dropped packets (" + run.links() + ")").isPositive();
                assertThat((double) dropped / seen).as(run.id() + " share dropped").isBetween(0.15, 0.25);
            }
            if (run.fault().equals(FaultKind.LEADER_PARTITION.label)) {
                long blocked = run.links().values().stream().mapToLong(c -> c.getOrDefault("dropped_partition", 0L)).sum();
                assertThat(blocked).as(run.id() + ": the partition blocked packets (" + run.links() + ")").isPositive();
            }
        }
        assertThat(Files.readString(results.report())).contains("0 linearizability violations, 0 lost acknowledged writes, 0 runs whose replicas did not converge, 0 replica crashes")
                .contains("| leader-kill | 5 | all | 1 |").contains("goodput during %").contains("## Goals under loss");
        assertThat(Files.readAllLines(results.csv())).hasSize(7);
        // The progress of experiment run, one line per run here (stderr is a file): bar, count, verdict, elapsed, ETA.
        assertThat(Files.readAllLines(tmp.resolve("stderr")).stream().filter(l -> l.startsWith("[")).toList()).hasSize(6)
                .first().asString().matches("\\[####\\.{20}\\] 1/6  16%  n3-all-leader-kill-r1: [0-9,]+ ops \\(\\d+ unknown\\), "
                        + "linearizable, 0 lost writes, goodput during the fault \\d+% of [0-9,]+ ops/s, unavailable \\d+ ms, converged "
                        + "in view \\d+ \\(from \\d+\\)  elapsed \\S+  ETA \\S+");
        for (String chart : List.of("timeline-leader-kill-n3.png", "timeline-loss-20-n5.png")) {
            BufferedImage image = ImageIO.read(results.charts().resolve(chart).toFile());
            assertThat(image).as(chart).isNotNull();
        }
        assertThat(Netns.list(new CommandRunner(), Network.namespacePrefix(labName))).as("namespaces left").isEmpty();
        assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(labName)).map(ProcessHandle::pid)
                .toList()).as("processes of the lab left").isEmpty();
    }
}

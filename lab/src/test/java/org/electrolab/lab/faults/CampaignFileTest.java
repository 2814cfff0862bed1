package org.electrolab.lab.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.electrolab.lab.pipeline.PlanException;
import org.electrolab.lab.experiment.MatrixFileTest;
import org.junit.jupiter.api.Test;

class CampaignFileTest {
    private final Path repo = MatrixFileTest.repoRoot();

    @Test
    void theCommittedCampaignsAreValid() throws Exception {
        Campaign full = CampaignFile.load(repo.resolve("experiments/faults.yaml"));
        // Every fault but the extra loss rates, which the loss benchmark runs (experiments/bench/loss.sh).
        assertThat(full.faults()).containsExactlyElementsOf(java.util.Arrays.stream(FaultKind.values())
                .filter(k -> k != FaultKind.LOSS_0 && k != FaultKind.LOSS_1 && k != FaultKind.LOSS_10).toList());
        assertThat(full.repeats()).isEqualTo(3);
        assertThat(full.plan()).hasSize(198);
        assertThat(full.plan().getFirst().id()).isEqualTo("n3-none-leader-kill-r1");
        // Repeats interleave: every fault once, then every fault again.
        assertThat(full.plan().get(11).id()).isEqualTo("n3-none-leader-kill-r2");
        Campaign ci = CampaignFile.load(repo.resolve("experiments/faults-ci.yaml"));
        assertThat(ci.plan()).extracting(Campaign.Run::id).containsExactly(
                "n3-all-leader-kill-r1", "n3-all-leader-partition-r1", "n3-all-loss-20-r1",
                "n5-all-leader-kill-r1", "n5-all-leader-partition-r1", "n5-all-loss-20-r1");
        assertThat(ci.load()).isEqualTo(Duration.ofSeconds(9));
    }

    @Test
    void settleDefaultsToThreeSecondsAndCountsInTheLoad() throws Exception {
        Campaign plain = CampaignFile.parse("sizes: [3]\noffloads: [none]\nfaults: [loss-5]\n", "c.yaml", "c");
        assertThat(plain.settle()).isEqualTo(Duration.ofSeconds(3));
        assertThat(plain.load()).isEqualTo(Duration.ofSeconds(3 + 3 + 4 + 5));
        Campaign none = CampaignFile.parse("sizes: [3]\noffloads: [none]\nfaults: [loss-5]\nsettle: 0s\n", "c.yaml", "c");
        assertThat(none.settle()).isZero();
        PlanException e = catchThrowableOfType(PlanException.class,
                () -> CampaignFile.parse("sizes: [3]\noffloads: [none]\nfaults: [loss-5]\nsettle: later\n", "c.yaml", "c"));
        assertThat(e.problems()).singleElement().asString().contains("settle").contains("3s");
    }

    @Test
    void eachMistakeIsOneLineNamingTheFieldAndTheFix() {
        PlanException e = catchThrowableOfType(PlanException.class, () -> CampaignFile.parse("""
                sizes: [3, 4]
                offloads: [all, warp]
                faults: [leader-kill, meteor, leader-kill]
                clients: 0
                during: soon
                """, "c.yaml", "c"));
        List<String> problems = e.problems();
        assertThat(problems).allSatisfy(p -> assertThat(p).startsWith("c.yaml: ").doesNotContain("\n"));
        assertThat(String.join("\n", problems))
                .contains("4 is even")
                .contains("'warp' is not an offload")
                .contains("'meteor' is not a fault; use leader-kill, follower-kill")
                .contains("leader-kill is listed twice")
                .contains("clients")
                .contains("during");
    }

    @Test
    void requiredKeysAreNamedWithAnExample() {
        PlanException e = catchThrowableOfType(PlanException.class, () -> CampaignFile.parse("repeats: 2\n", "c.yaml", "c"));
        assertThat(String.join("\n", e.problems())).contains("sizes").contains("offloads").contains("faults: [leader-kill, loss-20]");
    }
}

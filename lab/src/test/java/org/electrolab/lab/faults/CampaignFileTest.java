package org.electrolab.lab.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.electrolab.lab.experiment.MatrixException;
import org.electrolab.lab.experiment.MatrixFileTest;
import org.junit.jupiter.api.Test;

class CampaignFileTest {
    private final Path repo = MatrixFileTest.repoRoot();

    @Test
    void theCommittedCampaignsAreValid() throws Exception {
        Campaign full = CampaignFile.load(repo.resolve("experiments/faults.yaml"));
        assertThat(full.faults()).containsExactly(FaultKind.values());
        assertThat(full.plan()).hasSize(66);
        assertThat(full.plan().getFirst().id()).isEqualTo("n3-none-leader-kill-r1");
        Campaign ci = CampaignFile.load(repo.resolve("experiments/faults-ci.yaml"));
        assertThat(ci.plan()).extracting(Campaign.Run::id).containsExactly(
                "n3-all-leader-kill-r1", "n3-all-leader-partition-r1", "n3-all-loss-20-r1",
                "n5-all-leader-kill-r1", "n5-all-leader-partition-r1", "n5-all-loss-20-r1");
        assertThat(ci.load()).isEqualTo(Duration.ofSeconds(8));
    }

    @Test
    void eachMistakeIsOneLineNamingTheFieldAndTheFix() {
        MatrixException e = catchThrowableOfType(MatrixException.class, () -> CampaignFile.parse("""
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
        MatrixException e = catchThrowableOfType(MatrixException.class, () -> CampaignFile.parse("repeats: 2\n", "c.yaml", "c"));
        assertThat(String.join("\n", e.problems())).contains("sizes").contains("offloads").contains("faults: [leader-kill, loss-20]");
    }
}

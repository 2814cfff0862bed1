package org.electrolab.lab.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.electrolab.lab.CliRun.electrolab;

import java.nio.file.Files;
import java.nio.file.Path;

import org.electrolab.lab.CliRun;
import org.electrolab.lab.experiment.MatrixFileTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code electrolab experiment faults} mistakes: one line each, exit 2, nothing started or written. */
class FaultsCommandTest {
    @TempDir
    Path tmp;

    @Test
    void aBadCampaignPrintsEveryMistakeAndStartsNothing() throws Exception {
        Path campaign = tmp.resolve("bad.yaml");
        Files.writeString(campaign, """
                sizes: [3]
                offloads: [all]
                faults: [leader-kill, earthquake]
                during: 0s
                """);
        Path outDir = tmp.resolve("out");
        CliRun run = electrolab("experiment", "faults", campaign.toString(), "--out", outDir.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().lines()).hasSize(2).allSatisfy(line -> assertThat(line).startsWith(campaign + ": "));
        assertThat(run.err()).contains("'earthquake' is not a fault; use leader-kill,").contains("during");
        assertThat(outDir).doesNotExist();
        assertThat(run.out()).isEmpty();
    }

    @Test
    void aMissingFileAndABadLabNameAreOneLineEach() {
        CliRun missing = electrolab("experiment", "faults", tmp.resolve("nope.yaml").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).isEqualTo(tmp.resolve("nope.yaml")
                + ": file not found; pass the path of a campaign file, e.g. experiments/faults.yaml\n");

        Path campaign = MatrixFileTest.repoRoot().resolve("experiments/faults-ci.yaml");
        CliRun badName = electrolab("experiment", "faults", campaign.toString(), "--lab-name", "Bad-Name",
                "--out", tmp.resolve("o").toString());
        assertThat(badName.exitCode()).isEqualTo(2);
        assertThat(badName.err()).startsWith("electrolab experiment faults: --lab-name: 'Bad-Name' is not a lab name;").hasLineCount(1);
        assertThat(tmp.resolve("o")).doesNotExist();
    }
}

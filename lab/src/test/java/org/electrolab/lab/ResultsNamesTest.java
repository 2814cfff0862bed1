package org.electrolab.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.electrolab.lab.experiment.ResultsDir;
import org.electrolab.lab.pipeline.ResultsName;
import org.electrolab.lab.faults.CampaignDir;
import org.junit.jupiter.api.Test;

/** One timestamp format for every results directory, so `ls experiments/results` lists them in time order. */
class ResultsNamesTest {
    private static final Path REPO = Launcher.checkout();
    private static final LocalDateTime NOW = LocalDateTime.of(2026, 12, 2, 9, 5, 7);
    /** How a script or a page names a results directory with the shell's date: the same format. */
    private static final String SHELL_STAMP = "$(date +%Y-%m-%dT%H-%M-%S)";

    @Test
    void experimentsCampaignsAndTheDemoNameTheirDirectoriesAlike() {
        Path results = REPO.resolve("experiments/results");
        List<String> names = List.of(ResultsDir.timestamped(results, NOW).dir().getFileName().toString(),
                CampaignDir.timestamped(results, NOW).dir().getFileName().toString(),
                DemoCommand.defaultOut(REPO, NOW).getFileName().toString());
        assertThat(names).containsExactly("2026-12-02T09-05-07", "2026-12-02T09-05-07-faults", "2026-12-02T09-05-07-demo");
        assertThat(names).allMatch(n -> ResultsName.NAME.matcher(n).matches());
    }

    @Test
    void everyCommittedResultsDirectoryHasTheFormat() throws IOException {
        try (Stream<Path> dirs = Files.list(REPO.resolve("experiments/results"))) {
            assertThat(dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).toList())
                    .isNotEmpty().allMatch(n -> ResultsName.NAME.matcher(n).matches(), "named <yyyy-MM-ddTHH-mm-ss>[-kind]");
        }
    }

    @Test
    void scriptsAndPagesThatNameAResultsDirectoryUseTheFormat() throws IOException {
        List<Path> files = new ArrayList<>();
        for (String dir : List.of("experiments/bench", "docs", "ansible", "bin")) {
            try (Stream<Path> tree = Files.walk(REPO.resolve(dir))) {
                // Pages, scripts and playbooks: text (docs/ also holds images).
                tree.filter(Files::isRegularFile).filter(f -> !f.toString().matches(".*\\.(png|svg|jpg)$")).forEach(files::add);
            }
        }
        List<String> stamped = new ArrayList<>();
        for (Path file : files) {
            for (String line : Files.readAllLines(file)) {
                if (line.contains("results/") && (line.contains("$(date") || line.contains("now(fmt="))) stamped.add(file.getFileName() + ": " + line.strip());
            }
        }
        assertThat(stamped).isNotEmpty().allSatisfy(line -> assertThat(line).containsAnyOf(SHELL_STAMP, "now(fmt='%Y-%m-%dT%H-%M-%S')"));
    }
}

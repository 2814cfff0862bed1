package org.electrolab.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.electrolab.lab.pipeline.ResultsName;
import org.junit.jupiter.api.Test;

/** README's headline chart, and every image a page of docs/ shows, are files in the checkout. */
class ReadmeTest {
    private static final Path REPO = Launcher.checkout();
    private static final Pattern IMAGE = Pattern.compile("!\\[[^\\]]*\\]\\(([^)\\s]+)\\)");

    @Test
    void readmeShowsAHeadlineChartOfCommittedResults() throws IOException {
        List<String> images = images(REPO.resolve("README.md"));
        assertThat(images).anySatisfy(image -> {
            Path chart = REPO.resolve(image);
            assertThat(chart.getParent().getFileName().toString()).isEqualTo("charts");
            assertThat(ResultsName.NAME.matcher(chart.getParent().getParent().getFileName().toString()).matches()).isTrue();
            assertThat(chart.getParent().getParent().resolve("results.csv")).exists();
        });
    }

    @Test
    void readmesKernelTableIsTheNewestCommittedKernelMatrixRun() throws IOException {
        Path newest;
        try (var results = Files.list(REPO.resolve("experiments/results"))) {
            newest = results.filter(d -> d.getFileName().toString().endsWith("-kernels")).sorted().reduce((a, b) -> b)
                    .orElseThrow(() -> new AssertionError("no committed experiments/results/*-kernels run"));
        }
        List<String> table = Files.readAllLines(newest.resolve("kernels.md")).stream().filter(l -> l.startsWith("|")).toList();
        List<String> readme = Files.readAllLines(REPO.resolve("README.md"));
        assertThat(table).as("the table of %s", newest).isNotEmpty();
        int at = readme.indexOf(table.getFirst());
        assertThat(at).as("README quotes the table of %s", newest).isNotNegative();
        assertThat(readme.subList(at, Math.min(readme.size(), at + table.size()))).isEqualTo(table);
        assertThat(String.join("\n", readme)).contains(newest.getFileName() + "/kernels.md");
    }

    @Test
    void everyImageOfReadmeAndDocsExists() throws IOException {
        List<Path> pages = new java.util.ArrayList<>(List.of(REPO.resolve("README.md")));
        try (var docs = Files.list(REPO.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).forEach(pages::add);
        }
        for (Path page : pages) {
            for (String image : images(page)) {
                assertThat(page.getParent().resolve(image)).as("image %s of %s", image, page.getFileName()).isRegularFile();
            }
        }
    }

    private static List<String> images(Path page) throws IOException {
        Matcher m = IMAGE.matcher(Files.readString(page));
        List<String> images = new java.util.ArrayList<>();
        while (m.find()) if (!m.group(1).startsWith("http")) images.add(m.group(1));
        return images;
    }
}

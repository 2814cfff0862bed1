package org.electrolab.lab.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.electrolab.lab.experiment.CannedRunJson;
import org.electrolab.lab.experiment.ResultsDir;

/** The report of a synthetic results directory ({@link SyntheticResults}). */
class ReportTest {
    private static final List<Integer> SIZES = SyntheticResults.SIZES;
    private static final List<String> SETS = SyntheticResults.SETS;
    private static final List<Integer> CLIENTS = SyntheticResults.CLIENTS;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** none, fast-reply and all as Charts colours them. */
    private static final List<Integer> SET_COLOURS = List.of(0x7f7f7f, 0xff7f0e, 0xd62728);

    @TempDir
    Path tmp;
    ResultsDir results;

    @BeforeEach
    void synthesise() throws IOException {
        results = SyntheticResults.write(tmp.resolve("2025-11-25T08-50-12"));
    }

    @Test
    void everyChartIsAReadablePngWithContent() throws IOException {
        for (String set : SETS) {
            for (int repeat = 1; repeat <= 3; repeat++) intervalLog(results.runIntervalLog("n3-" + set + "-c1-r" + repeat), 1000 * repeat);
        }
        Report.write(results.dir());
        List<Path> pngs;
        try (Stream<Path> files = Files.list(results.charts())) {
            pngs = files.filter(p -> p.toString().endsWith(".png")).sorted().toList();
        }
        assertThat(pngs).extracting(p -> p.getFileName().toString()).containsExactlyInAnyOrder(
                "throughput-c1.png", "throughput-c8.png", "latency-p50-c1.png", "latency-p50-c8.png",
                "latency-p99-c1.png", "latency-p99-c8.png", "speedup-c1.png", "speedup-c8.png",
                "cdf-n3-c1.png", "cdf-n3-c8.png", "cdf-n5-c1.png", "cdf-n5-c8.png",
                "spectrum-n3-c1.png", "spectrum-n3-c8.png", "spectrum-n5-c1.png", "spectrum-n5-c8.png",
                // Only the runs of n3 with 1 client have interval logs.
                "over-time-n3-c1.png");
        for (Path png : pngs) {
            assertThat(Files.size(png)).as(png + " size").isGreaterThan(10_000);
            BufferedImage image = ImageIO.read(png.toFile());
            assertThat(image).as(png + " decodes as an image").isNotNull();
            assertThat(image.getWidth()).isEqualTo(Charts.WIDTH);
            assertThat(image.getHeight()).isEqualTo(Charts.HEIGHT);
            // Offload sets' colours show up: lines or bars were drawn, not just axes and text on white.
            Set<Integer> colours = colours(image);
            assertThat(colours).as(png + " colours").hasSizeGreaterThan(20);
            assertThat(SET_COLOURS.stream().filter(colours::contains)).as(png + " offload set colours").hasSizeGreaterThanOrEqualTo(2);
            // The same chart as SVG, its text as text.
            String svg = Files.readString(png.resolveSibling(png.getFileName().toString().replace(".png", ".svg")));
            // (Booleans, so that a failure does not print a whole SVG.)
            assertThat(svg.contains("<svg xmlns='http://www.w3.org/2000/svg'") && svg.strip().endsWith("</svg>")).as(png + " as SVG").isTrue();
            assertThat(svg.split("<text ", -1).length).as(png + " SVG's texts (title, labels, legend)").isGreaterThan(10);
        }
        String spectrum = Files.readString(results.charts().resolve("spectrum-n3-c1.svg"));
        assertThat(List.of(">90%<", ">99%<", ">99.9%<", ">99.99%<")).allMatch(spectrum::contains, "an axis label of the spectrum");
        String overTime = Files.readString(results.charts().resolve("over-time-n3-c1.svg"));
        assertThat(List.of("warmup (not measured)", "n3-none-c1-r")).allMatch(overTime::contains, "a text of the chart over time");
    }

    /** An interval log as the client writes it: 2 s of warmup, then 3 s measured, {@code opsPerSec} each second. */
    private static void intervalLog(Path file, int opsPerSec) throws IOException {
        org.HdrHistogram.HistogramLogWriter log = new org.HdrHistogram.HistogramLogWriter(file.toFile());
        log.outputLogFormatVersion();
        log.outputStartTime(1_700_000_000_000L);
        log.setBaseTime(1_700_000_000_000L);
        log.outputLegend();
        for (int second = 0; second < 5; second++) {
            org.HdrHistogram.Histogram h = new org.HdrHistogram.Histogram(3);
            for (int i = 0; i < opsPerSec; i++) h.recordValue(100 + i % 50);
            h.setTag(second < 2 ? "warmup" : "measured");
            log.outputIntervalHistogram(second, second + 1, h, 1000.0);
        }
        log.close();
    }

    @Test
    void theReportNamesEveryCellWithMedianSpreadAndRatio() throws IOException {
        String md = Files.readString(Report.write(results.dir()));
        for (int size : SIZES) {
            for (String set : SETS) {
                for (int clients : CLIENTS) assertThat(md).contains("| n" + size + "-" + set + "-c" + clients + " |");
            }
        }
        // n3-fast-reply-c8: throughputs 8000*2/3*{1.0,1.1,1.2} -> median 5867 [5333–6400]; none's median 2933 -> 2.00.
        assertThat(md).contains("| n3-fast-reply-c8 | 8 | fast-reply | 3/3 | 5,867 [5,333–6,400] | 2.00 |");
        assertThat(md).contains("| n3-none-c1 | 1 | none | 3/3 | 367 [333–400] | 1.00 |");
        assertThat(md).contains("| n5-all-c8 | 8 | all | 0/3 | **failed** |");
        assertThat(md).contains("| n5-all-c8-r2 | failed | lab up failed: fast-reply: XDP attach to eth0 failed: EOPNOTSUPP |");
        assertThat(md).contains("- `n5-fast-reply-r2`: offloads requested but not loaded (r1 lacks fast-reply)");
        assertThat(md).contains("| n5-fast-reply-c1 | 1 | fast-reply ⚠ |").contains("| n3-fast-reply-c1 | 1 | fast-reply |");
        assertThat(md).contains("kernel 6.18.0-test").contains("`n3-all-r1`: r0=xdp native, tc");
        assertThat(md).contains("![Throughput by cluster size and offloads, 8 clients](charts/throughput-c8.png)");
        assertThat(md).contains("![Latency CDF, 5 replicas, 1 client](charts/cdf-n5-c1.png) ([SVG](charts/cdf-n5-c1.svg))");
        assertThat(md).contains("### Latency by percentile (to 99.99%)", "![Latency by percentile, 3 replicas, 8 clients](charts/spectrum-n3-c8.png)");
    }

    @Test
    void percentilesStandInForAMissingHistogram() throws IOException {
        for (int repeat = 1; repeat <= 3; repeat++) {
            Path file = results.runJson("n3-none-c1-r" + repeat);
            ObjectNode run = (ObjectNode) JSON.readTree(file.toFile());
            run.remove("latencyHistogram");
            CannedRunJson.write(file, run);
        }
        Report.write(results.dir());
        BufferedImage image = ImageIO.read(results.charts().resolve("cdf-n3-c1.png").toFile());
        assertThat(colours(image)).contains(0x7f7f7f);
    }

    @Test
    void aDirectoryWithoutResultsIsOneLine() {
        Throwable e = catchThrowable(() -> Report.write(tmp));
        assertThat(e).hasMessage(tmp + " has no results.csv; pass a directory `electrolab experiment run` wrote,"
                + " e.g. experiments/results/<timestamp>");
    }

    @Test
    void flattenKeepsNestingReadable() {
        ObjectNode node = JSON.valueToTree(Map.of("r0", Map.of("fast-reply", "xdp native")));
        assertThat(Report.flatten(node)).isEqualTo("r0=(fast-reply=xdp native)");
    }

    private static Set<Integer> colours(BufferedImage image) {
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) colours.add(image.getRGB(x, y) & 0xffffff);
        }
        return colours;
    }
}

package org.electrolab.lab.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import javax.imageio.ImageIO;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.electrolab.lab.experiment.Figures;
import org.electrolab.lab.experiment.RunRow;
import org.electrolab.lab.figures.Palette;
import org.electrolab.lab.figures.ChartFiles;
import org.electrolab.lab.figures.Stat;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The report's charts, each as PNG and SVG ({@link ChartFiles}), per client count: throughput, p50
 * and p99 latency per cluster size and offload set (bars: median of the repeats, whiskers: min to
 * max), speedup over offloads none; per cluster size and client count: the latency CDF, the
 * latency by percentile (HdrHistogram's percentile spectrum) and, from the clients' interval logs,
 * throughput over time. Rendered headless; every axis says its unit.
 */
public final class Charts {
    public static final int WIDTH = 1000;
    public static final int HEIGHT = 600;

    /** One chart written: its file under charts/, its title, and the section of the report it belongs to. */
    public record ChartFile(String file, String title, Section section) {}

    public enum Section { THROUGHPUT, LATENCY, SPEEDUP, CDF, SPECTRUM, OVER_TIME }

    /** Each point of a CDF is this factor above the one before. */
    private static final double CDF_BUCKET_GROWTH = 1.05;
    /** The percentile spectrum's x axis ends at 99.99%: 1 / (1 - 0.9999) = 10^4. */
    private static final int SPECTRUM_DECADES = 4;

    private Charts() {}

    /** Writes every chart into {@code chartsDir} and lists them in report order. */
    public static List<ChartFile> write(ResultsData data, Path chartsDir) throws IOException {
        System.setProperty("java.awt.headless", "true");
        // ImageIO's default file cache registers a shutdown hook per stream, which fails while the JVM
        // shuts down: the report written after Ctrl-C. PNGs of a chart's size fit in memory.
        ImageIO.setUseCache(false);
        Files.createDirectories(chartsDir);
        Map<String, Color> colours = Palette.forSets(data.offloadSets());
        List<ChartFile> files = new ArrayList<>();
        for (int clients : data.clients()) {
            String who = clients == 1 ? "1 client" : clients + " clients";
            files.add(save(chartsDir, "throughput-c" + clients, Section.THROUGHPUT,
                    bars(data, clients, colours, "Throughput by cluster size and offloads, " + who,
                            "throughput (requests/s)", CellResult::throughput)));
            files.add(save(chartsDir, "latency-p50-c" + clients, Section.LATENCY,
                    bars(data, clients, colours, "Median (p50) latency by cluster size and offloads, " + who,
                            "p50 latency (µs)", CellResult::p50)));
            files.add(save(chartsDir, "latency-p99-c" + clients, Section.LATENCY,
                    bars(data, clients, colours, "p99 latency by cluster size and offloads, " + who,
                            "p99 latency (µs)", CellResult::p99)));
            if (data.offloadSets().contains("none") && data.offloadSets().size() > 1) {
                files.add(save(chartsDir, "speedup-c" + clients, Section.SPEEDUP,
                        speedup(data, clients, colours, "Throughput speedup over offloads none, " + who)));
            }
        }
        for (int size : data.sizes()) {
            for (int clients : data.clients()) {
                String who = clients == 1 ? "1 client" : clients + " clients";
                files.add(save(chartsDir, "cdf-n" + size + "-c" + clients, Section.CDF,
                        cdf(data, size, clients, colours, "Latency CDF, " + size + " replicas, " + who)));
                Optional<JFreeChart> spectrum = spectrum(data, size, clients, colours, "Latency by percentile, " + size + " replicas, " + who);
                if (spectrum.isPresent()) files.add(save(chartsDir, "spectrum-n" + size + "-c" + clients, Section.SPECTRUM, spectrum.get()));
            }
        }
        for (int size : data.sizes()) {
            for (int clients : data.clients()) {
                String who = clients == 1 ? "1 client" : clients + " clients";
                Optional<JFreeChart> overTime = overTime(data, size, clients, colours, "Throughput over time, " + size + " replicas, " + who);
                if (overTime.isPresent()) files.add(save(chartsDir, "over-time-n" + size + "-c" + clients, Section.OVER_TIME, overTime.get()));
            }
        }
        return files;
    }

    private static ChartFile save(Path dir, String name, Section section, JFreeChart chart) throws IOException {
        return new ChartFile(ChartFiles.save(dir, name, chart, WIDTH, HEIGHT), chart.getTitle().getText(), section);
    }

    /**
     * Latency against percentile, as HdrHistogram plots it: x is 1 / (1 - percentile) on a log axis,
     * so 90%, 99%, 99.9% and 99.99% are evenly spaced and the tail gets the room it deserves.
     * Empty when no cell of this size and client count has a latency histogram.
     */
    private static Optional<JFreeChart> spectrum(ResultsData data, int size, int clients, Map<String, Color> colours, String title) {
        XYSeriesCollection dataset = new XYSeriesCollection();
        List<Paint> paints = new ArrayList<>();
        for (String set : data.offloadSets()) {
            Optional<Histogram> histogram = data.cell(size, set, clients).filter(CellResult::hasResult).flatMap(data::latencyHistogram);
            if (histogram.isEmpty() || histogram.get().getTotalCount() == 0) continue;
            XYSeries series = new XYSeries(set, true, true);
            for (HistogramIterationValue value : histogram.get().percentiles(5)) {
                double fraction = value.getPercentileLevelIteratedTo() / 100.0;
                if (fraction >= 1 - Math.pow(10, -SPECTRUM_DECADES)) break;
                series.addOrUpdate(Math.log10(1 / (1 - fraction)), (double) value.getValueIteratedTo());
            }
            series.addOrUpdate(SPECTRUM_DECADES, (double) histogram.get().getValueAtPercentile(100 * (1 - Math.pow(10, -SPECTRUM_DECADES))));
            dataset.addSeries(series);
            paints.add(colours.get(set));
        }
        if (dataset.getSeriesCount() == 0) return Optional.empty();
        JFreeChart chart = ChartFactory.createXYLineChart(title, "percentile (log scale of 1 / (1 - percentile))", "latency (µs)",
                dataset, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        NumberAxis percentile = (NumberAxis) plot.getDomainAxis();
        // A little room past 99.99% so its label is not cut at the edge.
        percentile.setRange(0, SPECTRUM_DECADES + 0.12);
        percentile.setTickUnit(new NumberTickUnit(1, new PercentileFormat()));
        ((NumberAxis) plot.getRangeAxis()).setNumberFormatOverride(new DecimalFormat("#,##0"));
        lines(chart, paints, false);
        chart.addSubtitle(subtitle("every completed request of every repeat, from the runs' latency histograms; 99.99% is the last point"));
        return Optional.of(chart);
    }

    /** A decade of the spectrum's axis as a percentile: 0 → 0%, 1 → 90%, 2 → 99%, 3 → 99.9%, 4 → 99.99%. */
    private static final class PercentileFormat extends java.text.NumberFormat {
        @Override
        public StringBuffer format(double decades, StringBuffer to, java.text.FieldPosition position) {
            int n = (int) Math.round(decades);
            if (n <= 0) return to.append("0%");
            return to.append(n == 1 ? "90" : n == 2 ? "99" : "99." + "9".repeat(n - 2)).append('%');
        }

        @Override
        public StringBuffer format(long decades, StringBuffer to, java.text.FieldPosition position) {
            return format((double) decades, to, position);
        }

        @Override
        public Number parse(String text, java.text.ParsePosition position) {
            throw new UnsupportedOperationException("an axis label is never parsed");
        }
    }

    /**
     * Requests completed per second over the run, one line per offload set: of each cell the run
     * nearest its median throughput, from the client's interval log, warmup shaded. Empty when no
     * run of this size and client count has an interval log (older clients, Ansible runs).
     */
    private static Optional<JFreeChart> overTime(ResultsData data, int size, int clients, Map<String, Color> colours, String title) {
        XYSeriesCollection dataset = new XYSeriesCollection();
        List<Paint> paints = new ArrayList<>();
        double warmupEnd = 0;
        for (String set : data.offloadSets()) {
            Optional<Map.Entry<RunRow, List<ResultsData.Interval>>> run = data.cell(size, set, clients).flatMap(data::medianIntervals);
            if (run.isEmpty()) continue;
            XYSeries series = new XYSeries(set + " (" + run.get().getKey().runId() + ")", true, true);
            for (ResultsData.Interval interval : run.get().getValue()) {
                series.addOrUpdate((interval.startSeconds() + interval.endSeconds()) / 2, interval.opsPerSec());
                if (interval.warmup()) warmupEnd = Math.max(warmupEnd, interval.endSeconds());
            }
            dataset.addSeries(series);
            paints.add(colours.get(set));
        }
        if (dataset.getSeriesCount() == 0) return Optional.empty();
        JFreeChart chart = ChartFactory.createXYLineChart(title, "seconds from the client's start", "throughput (requests/s)",
                dataset, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        ((NumberAxis) plot.getRangeAxis()).setNumberFormatOverride(new DecimalFormat("#,##0"));
        if (warmupEnd > 0) {
            IntervalMarker warmup = new IntervalMarker(0, warmupEnd, new Color(0xee, 0xee, 0xee));
            warmup.setLabel("warmup (not measured)");
            warmup.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            warmup.setLabelAnchor(RectangleAnchor.TOP_LEFT);
            warmup.setLabelTextAnchor(TextAnchor.TOP_LEFT);
            plot.addDomainMarker(warmup, Layer.BACKGROUND);
        }
        lines(chart, paints, false);
        chart.addSubtitle(subtitle("each line: the repeat nearest the cell's median throughput, one point per second of its interval log"));
        return Optional.of(chart);
    }

    private static void lines(JFreeChart chart, List<Paint> paints, boolean shapes) {
        XYPlot plot = chart.getXYPlot();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, shapes);
        // One path per line: an SVG of a few elements instead of one per segment.
        renderer.setDrawSeriesLineAsPath(true);
        for (int i = 0; i < paints.size(); i++) {
            renderer.setSeriesPaint(i, paints.get(i));
            renderer.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        chart.setBackgroundPaint(Color.WHITE);
    }

    private static String sizeCategory(int size) {
        return size + " replicas";
    }

    private static JFreeChart bars(ResultsData data, int clients, Map<String, Color> colours, String title, String valueLabel,
                                   Function<CellResult, Stat> figure) {
        DefaultCategoryDataset dataset = new DefaultCategoryDataset();
        Map<String, Stat> spreads = new HashMap<>();
        double top = 0;
        int repeats = 0;
        for (String set : data.offloadSets()) {
            for (int size : data.sizes()) {
                Optional<Stat> stat = data.cell(size, set, clients).map(figure);
                // A cell without a completed run keeps its slot, empty, so bars stay aligned by offload set.
                dataset.addValue(stat.map(Stat::median).orElse(null), set, sizeCategory(size));
                if (stat.isPresent()) {
                    spreads.put(WhiskerBarRenderer.key(set, sizeCategory(size)), stat.get());
                    top = Math.max(top, stat.get().max());
                    repeats = Math.max(repeats, stat.get().count());
                }
            }
        }
        JFreeChart chart = ChartFactory.createBarChart(title, "cluster size", valueLabel, dataset,
                PlotOrientation.VERTICAL, true, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        WhiskerBarRenderer renderer = new WhiskerBarRenderer(spreads);
        styleBars(renderer, data.offloadSets(), colours);
        plot.setRenderer(renderer);
        stylePlot(chart);
        NumberAxis axis = (NumberAxis) plot.getRangeAxis();
        axis.setNumberFormatOverride(new DecimalFormat("#,##0"));
        if (top > 0) axis.setRange(0, top * 1.08);
        chart.addSubtitle(subtitle(repeats > 1 ? "bars: median of up to " + repeats + " repeats; whiskers: min to max;"
                + " no bar: no completed run" : "bars: one run each; no bar: no completed run"));
        return chart;
    }

    private static JFreeChart speedup(ResultsData data, int clients, Map<String, Color> colours, String title) {
        DefaultCategoryDataset dataset = new DefaultCategoryDataset();
        List<String> sets = data.offloadSets().stream().filter(s -> !s.equals("none")).toList();
        double top = 1;
        for (String set : sets) {
            for (int size : data.sizes()) {
                Double ratio = data.cell(size, set, clients).flatMap(cell -> Ratios.throughput(data, cell)).orElse(null);
                dataset.addValue(ratio, set, sizeCategory(size));
                if (ratio != null) top = Math.max(top, ratio);
            }
        }
        JFreeChart chart = ChartFactory.createBarChart(title, "cluster size",
                "speedup: throughput / throughput with offloads none (×)", dataset, PlotOrientation.VERTICAL, true, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        BarRenderer renderer = new BarRenderer();
        styleBars(renderer, sets, colours);
        renderer.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}×", new DecimalFormat("0.00")));
        renderer.setDefaultItemLabelsVisible(true);
        renderer.setDefaultItemLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        plot.setRenderer(renderer);
        stylePlot(chart);
        NumberAxis axis = (NumberAxis) plot.getRangeAxis();
        axis.setRange(0, top * 1.15);
        ValueMarker parity = new ValueMarker(1.0, Color.BLACK, new BasicStroke(1.5f, BasicStroke.CAP_BUTT,
                BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        parity.setLabel("1× = offloads none");
        parity.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        parity.setLabelBackgroundColor(Color.WHITE);
        parity.setLabelAnchor(RectangleAnchor.TOP_LEFT);
        parity.setLabelTextAnchor(TextAnchor.BOTTOM_LEFT);
        plot.addRangeMarker(parity);
        chart.addSubtitle(subtitle("median throughput of the offload set over the median of offloads none,"
                + " same size and client count; above 1 is faster"));
        return chart;
    }

    private static JFreeChart cdf(ResultsData data, int size, int clients, Map<String, Color> colours, String title) {
        XYSeriesCollection dataset = new XYSeriesCollection();
        List<Paint> paints = new ArrayList<>();
        boolean estimated = false;
        for (String set : data.offloadSets()) {
            Optional<CellResult> cell = data.cell(size, set, clients).filter(CellResult::hasResult);
            if (cell.isEmpty()) continue;
            XYSeries series = new XYSeries(set, true, true);
            Optional<Histogram> histogram = data.latencyHistogram(cell.get());
            if (histogram.isPresent()) {
                addHistogram(series, histogram.get());
            } else {
                addPercentiles(series, cell.get());
                estimated = true;
            }
            dataset.addSeries(series);
            paints.add(colours.get(set));
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, "latency (µs, log scale)",
                "fraction of requests completed within latency", dataset, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        // Ticks at 1, 2, ..., 9 times powers of ten, labelled as plain numbers (not 10^n).
        LogarithmicAxis latency = new LogarithmicAxis("latency (µs, log scale)");
        latency.setStrictValuesFlag(false);
        latency.setExpTickLabelsFlag(false);
        latency.setLog10TickLabelsFlag(false);
        latency.setNumberFormatOverride(new DecimalFormat("#,##0"));
        NumberAxis fraction = (NumberAxis) plot.getRangeAxis();
        latency.setLabelFont(fraction.getLabelFont());
        latency.setLabelPaint(fraction.getLabelPaint());
        latency.setTickLabelFont(fraction.getTickLabelFont());
        plot.setDomainAxis(latency);
        fraction.setRange(0, 1.02);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, estimated);
        renderer.setDrawSeriesLineAsPath(true);
        for (int i = 0; i < paints.size(); i++) {
            renderer.setSeriesPaint(i, paints.get(i));
            renderer.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        chart.setBackgroundPaint(Color.WHITE);
        chart.addSubtitle(subtitle(estimated
                ? "some lines join only p50, p90, p99, p99.9 and max (medians over repeats): their run.json has no latency histogram"
                : "every completed request of every repeat, from the runs' latency histograms"));
        if (dataset.getSeriesCount() == 0) chart.addSubtitle(subtitle("no completed run for this size and client count"));
        return chart;
    }

    /**
     * The CDF at the top of each logarithmic bucket of the histogram (5% wide): a few hundred points
     * however many values were recorded, which keeps the SVG small and loses nothing a chart shows.
     */
    private static void addHistogram(XYSeries series, Histogram histogram) {
        double total = histogram.getTotalCount();
        long cumulative = 0;
        for (HistogramIterationValue value : histogram.logarithmicBucketValues(1, CDF_BUCKET_GROWTH)) {
            cumulative += value.getCountAddedInThisIterationStep();
            if (value.getCountAddedInThisIterationStep() == 0) continue;
            // The log axis cannot show 0 µs; a sub-microsecond latency is drawn at 1 µs.
            double micros = Math.max(1, histogram.highestEquivalentValue(value.getValueIteratedTo()));
            series.addOrUpdate(micros, cumulative / total);
        }
    }

    private static void addPercentiles(XYSeries series, CellResult cell) {
        List<RowFigure> points = List.of(
                new RowFigure(0.50, Figures::p50Micros), new RowFigure(0.90, Figures::p90Micros),
                new RowFigure(0.99, Figures::p99Micros), new RowFigure(0.999, Figures::p999Micros),
                new RowFigure(1.0, Figures::maxMicros));
        for (RowFigure point : points) {
            Stat stat = Stat.of(cell.runs().stream().filter(RunRow::isOk).map(r -> (double) point.value.apply(r.figures())).toList());
            if (stat != null) series.addOrUpdate(Math.max(1, stat.median()), point.fraction);
        }
    }

    private record RowFigure(double fraction, Function<Figures, Long> value) {}

    private static void styleBars(BarRenderer renderer, List<String> sets, Map<String, Color> colours) {
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setItemMargin(0.05);
        for (int i = 0; i < sets.size(); i++) renderer.setSeriesPaint(i, colours.get(sets.get(i)));
    }

    private static void stylePlot(JFreeChart chart) {
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        chart.setBackgroundPaint(Color.WHITE);
    }

    private static TextTitle subtitle(String text) {
        TextTitle title = new TextTitle(text, new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        title.setPaint(Color.DARK_GRAY);
        return title;
    }
}

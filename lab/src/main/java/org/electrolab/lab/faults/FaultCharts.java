package org.electrolab.lab.faults;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import javax.imageio.ImageIO;

import org.electrolab.lab.figures.ChartFiles;
import org.electrolab.lab.figures.Palette;
import org.electrolab.lab.figures.Stat;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * The campaign's charts (PNG and SVG): per fault and size, throughput over time around the fault,
 * with the reference window and the fault's span marked and each offload set's pre-fault rate as
 * a dashed line; per size with two or more loss rates, goodput during the fault against the loss rate.
 */
final class FaultCharts {
    private static final float[] DASH = {6f, 4f};

    private FaultCharts() {}

    /** Writes every chart into {@code dir.charts()}; returns the PNG file names, timelines first. */
    static List<String> write(CampaignDir dir, List<FaultRun> runs) throws IOException {
        System.setProperty("java.awt.headless", "true");
        ImageIO.setUseCache(false);
        Files.createDirectories(dir.charts());
        List<String> files = new ArrayList<>();
        Map<String, List<FaultRun>> byChart = new LinkedHashMap<>();
        for (FaultRun r : runs) {
            if (r.judged() && !r.timeline().isEmpty()) byChart.computeIfAbsent(r.fault() + "-n" + r.size(), k -> new ArrayList<>()).add(r);
        }
        for (Map.Entry<String, List<FaultRun>> e : byChart.entrySet()) {
            files.add(ChartFiles.save(dir.charts(), "timeline-" + e.getKey(), timeline(e.getValue()), 900, 450));
        }
        Map<Integer, List<FaultRun>> lossBySize = new TreeMap<>();
        for (FaultRun r : runs) {
            FaultKind kind = FaultKind.named(r.fault());
            if (r.judged() && kind != null && kind.isLoss() && r.goodput() != null && r.goodput().duringPercent() != null) {
                lossBySize.computeIfAbsent(r.size(), k -> new ArrayList<>()).add(r);
            }
        }
        for (Map.Entry<Integer, List<FaultRun>> e : lossBySize.entrySet()) {
            if (e.getValue().stream().map(FaultRun::fault).distinct().count() < 2) continue;
            files.add(ChartFiles.save(dir.charts(), "goodput-loss-n" + e.getKey(), goodputUnderLoss(e.getKey(), e.getValue()), 800, 500));
        }
        return files;
    }

    /** A line per offload set and repeat, x = seconds from the fault. */
    private static JFreeChart timeline(List<FaultRun> rs) {
        FaultRun first = rs.getFirst();
        boolean repeats = rs.stream().anyMatch(o -> o.repeat() > 1);
        XYSeriesCollection data = new XYSeriesCollection();
        for (FaultRun r : rs) {
            XYSeries series = new XYSeries(r.offloads() + (repeats ? " r" + r.repeat() : ""));
            for (int i = 0; i < r.timeline().size(); i++) {
                series.add((i + 0.5) * r.bucketSeconds() - r.faultAtSeconds(), r.timeline().get(i) / r.bucketSeconds());
            }
            data.addSeries(series);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(first.fault() + " with " + first.size() + " replicas",
                "seconds from the fault", "operations completed OK per second", data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = styled(chart);
        double span = rs.stream().mapToDouble(r -> r.healAtSeconds() - r.faultAtSeconds()).average().orElse(0);
        IntervalMarker fault = new IntervalMarker(0, span, new Color(0xff, 0xcc, 0xcc));
        fault.setLabel("fault");
        fault.setLabelAnchor(RectangleAnchor.TOP);
        fault.setLabelTextAnchor(TextAnchor.TOP_CENTER);
        plot.addDomainMarker(fault, Layer.BACKGROUND);
        double before = rs.stream().mapToDouble(FaultRun::beforeSeconds).max().orElse(0);
        if (before > 0) {
            IntervalMarker reference = new IntervalMarker(-before, 0, new Color(0xdd, 0xe8, 0xf4));
            reference.setLabel("pre-fault");
            reference.setLabelAnchor(RectangleAnchor.TOP);
            reference.setLabelTextAnchor(TextAnchor.TOP_CENTER);
            plot.addDomainMarker(reference, Layer.BACKGROUND);
        }
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        renderer.setDrawSeriesLineAsPath(true);
        Map<String, Color> palette = Palette.forSets(rs.stream().map(FaultRun::offloads).toList());
        for (int i = 0; i < rs.size(); i++) {
            renderer.setSeriesPaint(i, palette.get(rs.get(i).offloads()));
            renderer.setSeriesStroke(i, new BasicStroke(1.5f));
        }
        plot.setRenderer(renderer);
        // One dashed line per offload set: the median of its runs' pre-fault rates, what the goodput percentages divide by.
        Map<String, List<Double>> references = new LinkedHashMap<>();
        for (FaultRun r : rs) {
            if (r.goodput() != null) references.computeIfAbsent(r.offloads(), k -> new ArrayList<>()).add(r.goodput().preFaultOpsPerSec());
        }
        for (Map.Entry<String, List<Double>> e : references.entrySet()) {
            ValueMarker line = new ValueMarker(Stat.of(e.getValue()).median(), palette.get(e.getKey()),
                    new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, DASH, 0f));
            line.setLabel("pre-fault rate, " + e.getKey());
            line.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
            line.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
            plot.addRangeMarker(line, Layer.FOREGROUND);
        }
        return chart;
    }

    /** Goodput during the fault against the loss rate: per offload set the median over repeats, bars from min to max. */
    private static JFreeChart goodputUnderLoss(int size, List<FaultRun> rs) {
        Map<String, Map<Double, List<Double>>> bySet = new LinkedHashMap<>();
        for (FaultRun r : rs) {
            double loss = 100 * Objects.requireNonNull(FaultKind.named(r.fault())).lossRate;
            bySet.computeIfAbsent(r.offloads(), k -> new TreeMap<>()).computeIfAbsent(loss, k -> new ArrayList<>())
                    .add(r.goodput().duringPercent());
        }
        YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        for (Map.Entry<String, Map<Double, List<Double>>> set : bySet.entrySet()) {
            YIntervalSeries series = new YIntervalSeries("offloads " + set.getKey());
            set.getValue().forEach((loss, values) -> {
                Stat stat = Stat.of(values);
                series.add(loss, stat.median(), stat.min(), stat.max());
            });
            data.addSeries(series);
        }
        JFreeChart chart = ChartFactory.createXYLineChart("goodput under packet loss, " + size + " replicas",
                "packets to the replicas dropped (%)", "goodput during the fault (% of the pre-fault rate)", data,
                PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = styled(chart);
        XYErrorRenderer renderer = new XYErrorRenderer();
        renderer.setDrawXError(false);
        renderer.setDefaultLinesVisible(true);
        renderer.setDefaultShapesVisible(true);
        Map<String, Color> palette = Palette.forSets(bySet.keySet());
        int index = 0;
        for (String set : bySet.keySet()) {
            renderer.setSeriesPaint(index, palette.get(set));
            renderer.setSeriesStroke(index, new BasicStroke(1.8f));
            index++;
        }
        renderer.setErrorPaint(Color.DARK_GRAY);
        plot.setRenderer(renderer);
        ValueMarker full = new ValueMarker(100, Color.GRAY,
                new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, DASH, 0f));
        full.setLabel("pre-fault rate");
        full.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
        full.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
        plot.addRangeMarker(full, Layer.BACKGROUND);
        NumberAxis range = (NumberAxis) plot.getRangeAxis();
        range.setLowerBound(0);
        range.setUpperBound(Math.max(110, rs.stream().mapToDouble(r -> r.goodput().duringPercent()).max().orElse(100) + 10));
        return chart;
    }

    private static XYPlot styled(JFreeChart chart) {
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return plot;
    }
}

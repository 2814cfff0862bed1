package org.electrolab.lab.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.util.Map;

import org.electrolab.lab.figures.Stat;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.CategoryItemRendererState;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.category.CategoryDataset;

/**
 * Bars of the median with a whisker from the minimum to the maximum of the repeats: JFreeChart's
 * statistical bar renderer draws mean ± standard deviation only, which three repeats do not support.
 */
final class WhiskerBarRenderer extends BarRenderer {
    private static final Color WHISKER = new Color(0x30, 0x30, 0x30);

    /** Spread per bar, keyed by {@link #key}(series, category). */
    private final transient Map<String, Stat> spreads;

    WhiskerBarRenderer(Map<String, Stat> spreads) {
        this.spreads = spreads;
    }

    static String key(Comparable<?> series, Comparable<?> category) {
        return series + "\u0000" + category;
    }

    @Override
    public void drawItem(Graphics2D g2, CategoryItemRendererState state, Rectangle2D dataArea, CategoryPlot plot,
                         CategoryAxis domainAxis, ValueAxis rangeAxis, CategoryDataset dataset, int row, int column, int pass) {
        super.drawItem(g2, state, dataArea, plot, domainAxis, rangeAxis, dataset, row, column, pass);
        // The whisker goes on top of its bar, drawn in the last pass.
        if (pass != getPassCount() - 1 || dataset.getValue(row, column) == null) return;
        Stat spread = spreads.get(key(dataset.getRowKey(row), dataset.getColumnKey(column)));
        if (spread == null || spread.count() < 2) return;
        int visibleRow = state.getVisibleSeriesIndex(row);
        if (visibleRow < 0) return;
        double barW0 = calculateBarW0(plot, PlotOrientation.VERTICAL, dataArea, domainAxis, state, visibleRow, column);
        double x = barW0 + state.getBarWidth() / 2;
        double capHalf = Math.max(2, state.getBarWidth() / 4);
        RectangleEdge edge = plot.getRangeAxisEdge();
        double yMin = rangeAxis.valueToJava2D(spread.min(), dataArea, edge);
        double yMax = rangeAxis.valueToJava2D(spread.max(), dataArea, edge);
        g2.setPaint(WHISKER);
        g2.setStroke(new BasicStroke(1.5f));
        g2.draw(new Line2D.Double(x, yMin, x, yMax));
        g2.draw(new Line2D.Double(x - capHalf, yMin, x + capHalf, yMin));
        g2.draw(new Line2D.Double(x - capHalf, yMax, x + capHalf, yMax));
    }
}

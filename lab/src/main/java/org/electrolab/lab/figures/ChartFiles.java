package org.electrolab.lab.figures;

import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.svg.SVGGraphics2D;

/**
 * Writes a chart twice: PNG (for any viewer) and SVG (sharp at any size, and small: what README
 * and a course's slides embed). Both reports, experiments' and fault campaigns', save through here.
 */
public final class ChartFiles {
    private ChartFiles() {}

    /** Writes {@code dir/<name>.png} and {@code dir/<name>.svg}; returns the PNG's file name. */
    public static String save(Path dir, String name, JFreeChart chart, int width, int height) throws IOException {
        ChartUtils.saveChartAsPNG(dir.resolve(name + ".png").toFile(), chart, width, height);
        SVGGraphics2D svg = new SVGGraphics2D(width, height);
        chart.draw(svg, new Rectangle2D.Double(0, 0, width, height));
        Files.writeString(dir.resolve(name + ".svg"), svg.getSVGDocument(), StandardCharsets.UTF_8);
        return name + ".png";
    }
}

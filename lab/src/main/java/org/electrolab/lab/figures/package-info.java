/**
 * What the experiment report and the fault campaign's report share: the spread of a figure over
 * repeats ({@link org.electrolab.lab.figures.Stat}), one colour per offload set
 * ({@link org.electrolab.lab.figures.Palette}) and writing a chart as PNG and SVG
 * ({@link org.electrolab.lab.figures.ChartFiles}). A package of its own, so that neither pipeline
 * uses the other's (docs/architecture.md, "Packages inside lab/").
 */
package org.electrolab.lab.figures;

package org.electrolab.lab.figures;

import java.util.List;

/**
 * The spread of one figure over a cell's repeats.
 *
 * @param median the middle value (the mean of the two middle values for an even count)
 * @param count how many runs it summarises
 */
public record Stat(double median, double min, double max, int count) {

    /** The stat of {@code values}, or null when there are none. */
    public static Stat of(List<Double> values) {
        if (values.isEmpty()) return null;
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        return new Stat(median, sorted.getFirst(), sorted.getLast(), n);
    }
}

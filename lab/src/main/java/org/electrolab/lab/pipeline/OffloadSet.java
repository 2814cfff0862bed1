package org.electrolab.lab.pipeline;

import java.util.EnumSet;
import java.util.List;
import java.util.stream.Collectors;

import org.electrolab.protocol.config.Offload;

/**
 * One offload configuration of a matrix, e.g. {@code none}, {@code tc-broadcast} or {@code all}.
 *
 * @param label how results name it: {@code none}, {@code all}, one offload's name, or names joined
 *        with {@code +} (no commas, so it fits a CSV field and a file name)
 * @param offloads what every replica runs, in the enum's order; empty for plain VR
 */
public record OffloadSet(String label, List<Offload> offloads) {
    public static final OffloadSet NONE = new OffloadSet("none", List.of());

    public OffloadSet {
        offloads = List.copyOf(offloads);
    }

    /** The set of {@code offloads}, labelled as results name it. */
    public static OffloadSet of(List<Offload> offloads) {
        if (offloads.isEmpty()) return NONE;
        List<Offload> ordered = List.copyOf(EnumSet.copyOf(offloads));
        if (ordered.size() == Offload.values().length) return new OffloadSet("all", ordered);
        return new OffloadSet(ordered.stream().map(o -> o.cliName).collect(Collectors.joining("+")), ordered);
    }

    public boolean isNone() {
        return offloads.isEmpty();
    }
}

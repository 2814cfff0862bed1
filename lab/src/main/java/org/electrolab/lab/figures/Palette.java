package org.electrolab.lab.figures;

import java.awt.Color;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One colour per offload set, the same in every chart of both reports: none grey, all red, each
 * single offload its own; other sets take the fallback colours in the order they come.
 */
public final class Palette {
    private static final Map<String, Color> SET_COLOURS = Map.of(
            "none", new Color(0x7f, 0x7f, 0x7f),
            "tc-broadcast", new Color(0x1f, 0x77, 0xb4),
            "fast-reply", new Color(0xff, 0x7f, 0x0e),
            "quorum-prune", new Color(0x2c, 0xa0, 0x2c),
            "all", new Color(0xd6, 0x27, 0x28));
    private static final List<Color> FALLBACK_COLOURS = List.of(new Color(0x94, 0x67, 0xbd), new Color(0x8c, 0x56, 0x4b),
            new Color(0xe3, 0x77, 0xc2), new Color(0xbc, 0xbd, 0x22), new Color(0x17, 0xbe, 0xcf));

    private Palette() {}

    /** The colour of each of {@code sets} (offload set labels, each once), in their order. */
    public static Map<String, Color> forSets(Collection<String> sets) {
        Map<String, Color> colours = new LinkedHashMap<>();
        int fallback = 0;
        for (String set : sets) {
            if (colours.containsKey(set)) continue;
            Color colour = SET_COLOURS.get(set);
            if (colour == null) colour = FALLBACK_COLOURS.get(fallback++ % FALLBACK_COLOURS.size());
            colours.put(set, colour);
        }
        return colours;
    }
}

package org.electrolab.lab.figures;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Both reports draw an offload set in one colour, whatever other sets a chart shows. */
class PaletteTest {
    @Test
    void aSetHasItsColourInEveryChartAndOtherSetsTakeDistinctFallbacks() {
        Map<String, Color> experiment = Palette.forSets(List.of("none", "tc-broadcast", "fast-reply", "quorum-prune", "all"));
        Map<String, Color> campaign = Palette.forSets(List.of("all", "none", "all", "none"));
        assertThat(campaign).containsOnlyKeys("all", "none");
        assertThat(campaign.get("none")).isEqualTo(experiment.get("none"));
        assertThat(campaign.get("all")).isEqualTo(experiment.get("all"));
        assertThat(experiment.values()).doesNotHaveDuplicates();

        Map<String, Color> mixed = Palette.forSets(List.of("none", "tc-broadcast+fast-reply", "fast-reply+quorum-prune", "all"));
        assertThat(mixed.values()).doesNotHaveDuplicates();
        assertThat(mixed.get("tc-broadcast+fast-reply")).isNotIn(experiment.values());
    }
}

package org.electrolab.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class DemoCommandTest {

    @Test
    void printsTheThreeReplicaTableOfTheReport() {
        List<String> report = List.of("# Experiment results: demo", "", "## 3 replicas", "", "| cell | clients |", "|---|---:|",
                "| n3-none-c1 | 1 |", "", "All runs completed.", "## Charts");
        assertThat(DemoCommand.comparisonTable(report)).containsExactly("| cell | clients |", "|---|---:|", "| n3-none-c1 | 1 |");
    }

    @Test
    void saysSoWhenTheReportHasNoTable() {
        assertThat(DemoCommand.comparisonTable(List.of("# Experiment results: demo", "no runs"))).singleElement()
                .asString().contains("no 3-replica table");
    }
}

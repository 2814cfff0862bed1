package org.electrolab.lab.ansible;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.electrolab.lab.scenario.ScenarioException;
import org.junit.jupiter.api.Test;

/** What scenario.yml gets from `electrolab ansible scenario`: the file with -e overrides, validated once. */
class ScenarioVarsTest {
    private final Path scenario3 = Tools.repo().resolve("experiments/scenarios/scenario3.yaml");

    @Test
    void overridesReplaceTheFilesValues() throws Exception {
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put("replicas", "5");
        overrides.put("offloads", "all");
        overrides.put("workload.duration", "3s");

        Map<String, Object> vars = ScenarioVars.asVars(ScenarioVars.resolve(scenario3, overrides));

        assertThat(vars).containsEntry("name", "scenario3").containsEntry("replicas", 5).containsEntry("f", 2)
                .containsEntry("offloads_label", "all").containsEntry("duration", "3000ms");
        assertThat((String) vars.get("offloads")).contains("tc-broadcast", "fast-reply", "quorum-prune");
    }

    @Test
    void theFileAloneIsUsedAsItIs() throws Exception {
        Map<String, Object> vars = ScenarioVars.asVars(ScenarioVars.resolve(scenario3, Map.of()));

        assertThat(vars).containsEntry("replicas", 3).containsEntry("offloads", "none").containsEntry("offloads_label", "none");
    }

    @Test
    void aBadOverrideIsOneLineNamingTheFieldAndTheOverride() {
        assertThatThrownBy(() -> ScenarioVars.resolve(scenario3, Map.of("replicas", "4")))
                .isInstanceOf(ScenarioException.class)
                .satisfies(e -> assertThat(((ScenarioException) e).problems()).singleElement().asString()
                        .contains("replicas").contains("even").contains("{replicas=4}"));
    }

    @Test
    void aMissingFileSaysWhatToPass() {
        assertThatThrownBy(() -> ScenarioVars.resolve(Path.of("no/such.yaml"), Map.of()))
                .isInstanceOf(ScenarioException.class)
                .hasMessageContaining("file not found").hasMessageContaining("electrolab_scenario_file");
    }
}

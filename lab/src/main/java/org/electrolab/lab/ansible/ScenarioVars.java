package org.electrolab.lab.ansible;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import org.electrolab.lab.pipeline.OffloadSet;
import org.electrolab.lab.scenario.Scenario;
import org.electrolab.lab.scenario.ScenarioException;
import org.electrolab.lab.scenario.ScenarioFile;
import org.electrolab.lab.scenario.ClientLoad;

/**
 * A scenario file, with the overrides a playbook was given ({@code -e electrolab_replicas=5}),
 * validated by {@link ScenarioFile} and flattened into the values the playbooks use. The
 * playbooks run this instead of parsing scenario files themselves, so there is one validation.
 */
public final class ScenarioVars {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ScenarioVars() {}

    /**
     * Reads {@code file}, replaces the top-level keys in {@code overrides} (a workload key is
     * written {@code workload.clients}), validates the result and returns it.
     */
    public static Scenario resolve(Path file, Map<String, String> overrides) throws ScenarioException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ScenarioException(List.of(file + ": file not found; pass the path of a scenario file,"
                    + " e.g. -e electrolab_scenario_file=experiments/scenarios/scenario3.yaml"));
        } catch (IOException e) {
            throw new ScenarioException(List.of(file + ": cannot read (" + e.getMessage() + ")"));
        }
        String fileName = file.getFileName().toString();
        String name = fileName.endsWith(".yaml") ? fileName.substring(0, fileName.length() - ".yaml".length()) : fileName;
        if (overrides.isEmpty()) return ScenarioFile.parse(text, file.toString(), name);
        ObjectNode root;
        try {
            root = (ObjectNode) YAML.readTree(text);
            for (Map.Entry<String, String> override : overrides.entrySet()) {
                JsonNode value = YAML.readTree(override.getValue());
                String[] path = override.getKey().split("\\.", 2);
                if (path.length == 2) {
                    ((ObjectNode) root.withObject("/" + path[0])).set(path[1], value);
                } else {
                    root.set(path[0], value);
                }
            }
            text = YAML.writeValueAsString(root);
        } catch (IOException | ClassCastException e) {
            throw new ScenarioException(List.of(file + ": cannot apply the overrides " + overrides + ": " + e.getMessage()));
        }
        return ScenarioFile.parse(text, file + " with " + overrides, name);
    }

    /** The scenario as the playbooks read it (JSON). */
    public static Map<String, Object> asVars(Scenario scenario) {
        ClientLoad w = scenario.workload();
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("name", scenario.name());
        vars.put("replicas", scenario.replicas());
        vars.put("f", scenario.f());
        vars.put("offloads", scenario.offloadArgument());
        vars.put("offloads_label", OffloadSet.of(scenario.offloads()).label());
        vars.put("offload_names", scenario.offloads().stream().map(o -> o.cliName).toList());
        vars.put("app", scenario.app());
        vars.put("cluster_id", scenario.clusterId());
        vars.put("port", scenario.port());
        vars.put("tick_millis", scenario.tickMillis());
        vars.put("clients", w.clients());
        vars.put("warmup", ClientLoad.argument(w.warmup()));
        vars.put("duration", ClientLoad.argument(w.duration()));
        vars.put("run_seconds", w.warmup().plus(w.duration()).toSeconds() + 1);
        vars.put("payload_bytes", w.payloadBytes());
        return vars;
    }
}

package org.electrolab.lab.experiment;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What one client run measured, as its run.json says (latencies in microseconds).
 *
 * @param throughputOpsPerSec completed requests per second of the measured window
 */
public record Figures(long completed, long errors, long timeouts, double throughputOpsPerSec,
                      long p50Micros, long p90Micros, long p99Micros, long p999Micros, long maxMicros) {

    /** The figures of a run.json; a missing or non-numeric key is named in the exception. */
    public static Figures of(JsonNode runJson) {
        List<String> missing = new ArrayList<>();
        JsonNode latency = runJson.path("latencyMicros");
        Figures figures = new Figures(count(runJson, "completed", missing), count(runJson, "errors", missing),
                count(runJson, "timeouts", missing), number(runJson, "throughputOpsPerSec", missing),
                count(latency, "p50", missing), count(latency, "p90", missing), count(latency, "p99", missing),
                count(latency, "p999", missing), count(latency, "max", missing));
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("run.json lacks the number(s) " + String.join(", ", missing));
        }
        return figures;
    }

    private static long count(JsonNode node, String key, List<String> missing) {
        JsonNode value = node.get(key);
        if (value == null || !value.isIntegralNumber()) {
            missing.add(key);
            return 0;
        }
        return value.asLong();
    }

    private static double number(JsonNode node, String key, List<String> missing) {
        JsonNode value = node.get(key);
        if (value == null || !value.isNumber()) {
            missing.add(key);
            return 0;
        }
        return value.asDouble();
    }
}

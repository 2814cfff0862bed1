package org.electrolab.lab.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.electrolab.lab.experiment.CannedRunJson;
import org.electrolab.lab.experiment.Figures;
import org.electrolab.lab.experiment.ResultsCsv;
import org.electrolab.lab.experiment.ResultsDir;
import org.electrolab.lab.experiment.RunRow;
import org.electrolab.lab.experiment.RunStatus;

/**
 * A results directory as {@code electrolab experiment run} writes it, with known figures: 3 and 5
 * replicas x none, fast-reply, all x 1 and 8 clients x 3 repeats. Every run of n5-all-c8 failed.
 */
public final class SyntheticResults {
    static final List<Integer> SIZES = List.of(3, 5);
    static final List<String> SETS = List.of("none", "fast-reply", "all");
    static final List<Integer> CLIENTS = List.of(1, 8);
    private static final ObjectMapper JSON = new ObjectMapper();

    private SyntheticResults() {}

    public static ResultsDir write(Path dir) throws IOException {
        ResultsDir results = new ResultsDir(dir);
        results.create();
        try (ResultsCsv csv = ResultsCsv.create(results.resultsCsv())) {
            for (int repeat = 1; repeat <= 3; repeat++) {
                for (int size : SIZES) {
                    for (int s = 0; s < SETS.size(); s++) {
                        for (int clients : CLIENTS) {
                            String set = SETS.get(s);
                            String id = "n" + size + "-" + set + "-c" + clients + "-r" + repeat;
                            if (size == 5 && set.equals("all") && clients == 8) {
                                csv.append(new RunRow(size, set, clients, repeat, null, RunStatus.FAILED,
                                        "lab up failed: fast-reply: XDP attach to eth0 failed: EOPNOTSUPP"));
                                continue;
                            }
                            // Throughput (median) doubles per offload step; repeats vary by ±10%.
                            double throughput = 1000.0 * clients * (1 << s) / size * (0.9 + 0.1 * repeat);
                            ObjectNode run = CannedRunJson.of(clients, throughput, 100L * size / (1 + s), id.hashCode());
                            CannedRunJson.write(results.runJson(id), run);
                            csv.append(new RunRow(size, set, clients, repeat, Figures.of(run), RunStatus.OK, ""));
                        }
                    }
                }
            }
        }
        ObjectNode env = JSON.createObjectNode();
        env.put("matrix", "matrix-synthetic");
        env.put("status", "complete");
        env.put("cluster", "netns lab 'exp'");
        env.putObject("machine").put("kernel", "6.18.0-test").put("cpuModel", "Test CPU").put("cpuCount", 2)
                .put("hostname", "lab1").put("memoryBytes", 8L << 30);
        ObjectNode clusters = env.putObject("clusters");
        clusters.putObject("n3-all-r1").put("r0", "xdp native, tc");
        clusters.putObject("n5-fast-reply-r2").put("warning", "offloads requested but not loaded (r1 lacks fast-reply)");
        JSON.writeValue(results.environment().toFile(), env);
        return results;
    }
}

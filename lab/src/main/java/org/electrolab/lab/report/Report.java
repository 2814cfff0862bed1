package org.electrolab.lab.report;

import org.electrolab.lab.pipeline.RunId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import org.electrolab.lab.pipeline.Cluster;
import org.electrolab.lab.experiment.RunRow;
import org.electrolab.lab.experiment.RunStatus;
import org.electrolab.lab.figures.Stat;

/**
 * {@code electrolab report DIR}: report.md and charts/*.png from a results directory. The report
 * stands alone: tables of every cell (median of the repeats, min to max in brackets, ratio to
 * offloads none), every run that failed or was skipped with its reason, the environment, and the
 * charts, readable in any Markdown viewer or as plain text.
 */
public final class Report {
    private Report() {}

    /** Writes report.md and the charts into {@code dir}; returns report.md. */
    public static Path write(Path dir) throws IOException {
        ResultsData data = ResultsData.load(dir);
        List<Charts.ChartFile> charts = Charts.write(data, data.dir().charts());
        Path report = data.dir().report();
        Files.writeString(report, markdown(data, charts), StandardCharsets.UTF_8);
        return report;
    }

    static String markdown(ResultsData data, List<Charts.ChartFile> charts) {
        StringBuilder md = new StringBuilder();
        JsonNode env = data.environment();
        String matrix = env == null ? "" : env.path("matrix").asText("");
        md.append("# Experiment results").append(matrix.isEmpty() ? "" : ": " + matrix).append("\n\n");
        md.append(summary(data)).append("\n\n");
        Map<String, String> warnings = warnings(env);
        if (!warnings.isEmpty()) {
            md.append("## Warnings\n\nCells marked ⚠ below did not run as their offload set says:\n\n");
            warnings.forEach((cluster, warning) -> md.append("- `").append(cluster).append("`: ").append(warning).append("\n"));
            md.append("\n");
        }
        if (env != null) md.append(environment(env));
        md.append("""
                Each figure is the **median** of the cell's completed repeats, with the **min–max** over those \
                repeats in brackets. Throughput is completed requests per second of the measured window; latency \
                is from a request's first transmission to its reply, in microseconds. **×none** is the median \
                divided by the median of offload set `none` with the same size and client count: above 1 is \
                faster for throughput, below 1 is quicker for latency. A cell with no completed run shows **failed**.

                """);
        for (int size : data.sizes()) {
            md.append("## ").append(size).append(" replicas\n\n");
            md.append("| cell | clients | offloads | runs ok | throughput (req/s) | ×none | p50 (µs) | ×none | p99 (µs) | ×none |\n");
            md.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
            for (int clients : data.clients()) {
                for (String set : data.offloadSets()) {
                    Optional<CellResult> cell = data.cell(size, set, clients);
                    if (cell.isPresent()) md.append(row(data, cell.get(), warned(warnings, cell.get())));
                }
            }
            md.append("\n");
        }
        md.append(problems(data));
        md.append(chartSection(charts));
        md.append("""
                ## Files

                - `results.csv`: one row per run (the figures of its run.json, status, reason).
                - `runs/<run>.json`: each run's raw run.json; `runs/<run>.log`: the client's output.
                - `logs/<cluster>-r<repeat>/`: the replicas' logs of each cluster start.
                - `environment.json`: machine, software, command line, how the offloads attached.
                - `matrix.yaml`: the matrix as it was run. See docs/experiments.md.
                """);
        return md.toString();
    }

    private static String summary(ResultsData data) {
        long ok = data.rows().stream().filter(RunRow::isOk).count();
        long failed = data.rows().stream().filter(r -> r.status() == RunStatus.FAILED).count();
        long skipped = data.rows().stream().filter(r -> r.status() == RunStatus.SKIPPED).count();
        long cellsWithout = data.cells().values().stream().filter(c -> !c.hasResult()).count();
        return String.format(Locale.ROOT, "%d cells (%s replicas × %d offload sets × %s clients), %d runs: %d ok, %d failed, %d skipped."
                        + "%s",
                data.cells().size(), join(data.sizes()), data.offloadSets().size(), join(data.clients()),
                data.rows().size(), ok, failed, skipped,
                cellsWithout == 0 ? "" : " " + cellsWithout + " cell(s) have no completed run.");
    }

    private static String join(List<Integer> values) {
        return String.join("/", values.stream().map(String::valueOf).toList());
    }

    private static String environment(JsonNode env) {
        StringBuilder md = new StringBuilder("## Environment\n\n");
        line(md, "Run", env.path("startedAt").asText("?") + " to " + env.path("finishedAt").asText("(not finished)")
                + ", status " + env.path("status").asText("?") + ", repeats " + env.path("repeats").asText("?"));
        line(md, "Cluster", env.path("cluster").asText(""));
        // The experiment runner records the machine it ran on; an Ansible run, the control machine and each host.
        JsonNode machine = env.has("machine") ? env.path("machine") : env.path("controlMachine");
        if (machine.isObject()) {
            long memory = machine.path("memoryBytes").asLong(-1);
            line(md, "Machine", machine.path("hostname").asText("?") + ", kernel " + machine.path("kernel").asText("?")
                    + ", " + machine.path("cpuCount").asText("?") + " × " + machine.path("cpuModel").asText("?")
                    + (memory > 0 ? String.format(Locale.ROOT, ", %.1f GiB memory", memory / (double) (1L << 30)) : ""));
        }
        JsonNode software = env.path("software");
        if (software.isObject()) {
            line(md, "Software", "electrolab " + software.path("electrolabVersion").asText("?") + " (commit "
                    + software.path("gitCommit").asText("?") + (software.path("gitDirty").asBoolean(false) ? ", with uncommitted changes" : "")
                    + "), JDK " + software.path("jdk").asText("?") + " " + software.path("jdkVendor").asText(""));
        }
        JsonNode command = env.path("commandLine");
        if (command.isArray() && !command.isEmpty()) {
            StringBuilder text = new StringBuilder();
            command.forEach(arg -> text.append(text.isEmpty() ? "" : " ").append(arg.asText()));
            line(md, "Command", "`" + text + "`");
        }
        facts(md, env.path("clusters"), "What the replicas reported after each start (e.g. how the offloads attached):");
        facts(md, env.path("hosts"), "Hosts:");
        return md.append("\n").toString();
    }

    private static void facts(StringBuilder md, JsonNode facts, String heading) {
        if (!facts.isObject() || facts.isEmpty()) return;
        md.append("\n").append(heading).append("\n\n");
        for (Map.Entry<String, JsonNode> e : facts.properties()) {
            md.append("- `").append(e.getKey()).append("`: ").append(flatten(e.getValue())).append("\n");
        }
    }

    private static void line(StringBuilder md, String label, String text) {
        if (!text.isEmpty()) md.append("- **").append(label).append("**: ").append(text).append("\n");
    }

    /** A JSON value as one line: {@code key=value; key=value}, nested objects in parentheses. */
    static String flatten(JsonNode node) {
        if (node.isObject()) {
            StringBuilder text = new StringBuilder();
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                if (!text.isEmpty()) text.append("; ");
                String value = flatten(e.getValue());
                text.append(e.getKey()).append("=").append(e.getValue().isObject() ? "(" + value + ")" : value);
            }
            return text.toString();
        }
        if (node.isArray()) {
            StringBuilder text = new StringBuilder("[");
            node.forEach(item -> text.append(text.length() > 1 ? ", " : "").append(flatten(item)));
            return text.append("]").toString();
        }
        return node.asText();
    }

    /** What the cluster reported as not what was asked for, by cluster start (e.g. n5-all-r1), from environment.json. */
    private static Map<String, String> warnings(JsonNode env) {
        Map<String, String> warnings = new LinkedHashMap<>();
        if (env == null) return warnings;
        for (Map.Entry<String, JsonNode> e : env.path("clusters").properties()) {
            JsonNode warning = e.getValue().path(Cluster.WARNING);
            if (warning.isTextual()) warnings.put(e.getKey(), warning.asText());
        }
        return warnings;
    }

    private static boolean warned(Map<String, String> warnings, CellResult cell) {
        String prefix = RunId.cluster(cell.size(), cell.offloads()) + RunId.REPEAT;
        return warnings.keySet().stream().anyMatch(key -> key.startsWith(prefix));
    }

    private static String row(ResultsData data, CellResult cell, boolean warned) {
        String runs = cell.okRuns() + "/" + cell.runs().size();
        String offloads = cell.offloads() + (warned ? " ⚠" : "");
        if (!cell.hasResult()) {
            return "| " + cell.id() + " | " + cell.clients() + " | " + offloads + " | " + runs
                    + " | **failed** | | | | | |\n";
        }
        return "| " + cell.id() + " | " + cell.clients() + " | " + offloads + " | " + runs
                + " | " + spread(cell.throughput()) + " | " + ratio(Ratios.throughput(data, cell))
                + " | " + spread(cell.p50()) + " | " + ratio(Ratios.p50(data, cell))
                + " | " + spread(cell.p99()) + " | " + ratio(Ratios.p99(data, cell)) + " |\n";
    }

    private static String spread(Stat stat) {
        if (stat.count() == 1) return number(stat.median());
        return number(stat.median()) + " [" + number(stat.min()) + "–" + number(stat.max()) + "]";
    }

    private static String number(double value) {
        return String.format(Locale.ROOT, "%,.0f", value);
    }

    private static String ratio(Optional<Double> ratio) {
        return ratio.map(r -> String.format(Locale.ROOT, "%.2f", r)).orElse("–");
    }

    private static String problems(ResultsData data) {
        List<RunRow> bad = data.rows().stream().filter(r -> !r.isOk()).toList();
        if (bad.isEmpty()) return "All runs completed.\n\n";
        StringBuilder md = new StringBuilder("## Failed and skipped runs\n\n| run | status | reason |\n|---|---|---|\n");
        for (RunRow run : bad) {
            md.append("| ").append(run.runId()).append(" | ").append(run.status().csvName).append(" | ")
                    .append(run.reason().replace("|", "\\|").replace("\n", " ")).append(" |\n");
        }
        return md.append("\n").toString();
    }

    private static String chartSection(List<Charts.ChartFile> charts) {
        StringBuilder md = new StringBuilder("## Charts\n\n");
        for (Charts.Section section : Charts.Section.values()) {
            List<Charts.ChartFile> inSection = charts.stream().filter(c -> c.section() == section).toList();
            if (inSection.isEmpty()) continue;
            md.append("### ").append(switch (section) {
                case THROUGHPUT -> "Throughput";
                case LATENCY -> "Latency (p50, p99)";
                case SPEEDUP -> "Speedup per offload set";
                case CDF -> "Latency CDF";
                case SPECTRUM -> "Latency by percentile (to 99.99%)";
                case OVER_TIME -> "Throughput over time";
            }).append("\n\n");
            for (Charts.ChartFile chart : inSection) {
                String svg = chart.file().replaceFirst("\\.png$", ".svg");
                md.append("![").append(chart.title()).append("](charts/").append(chart.file()).append(") ([SVG](charts/")
                        .append(svg).append("))\n\n");
            }
        }
        return md.toString();
    }
}

package org.electrolab.client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.HdrHistogram.Histogram;

/**
 * run.json: what a client run measured and what it ran against. The client cannot see which
 * offloads the replicas loaded, so {@code offloads} is what the caller says they are.
 *
 * @param config the cluster.yaml the run read, summarised
 * @param answeredIncludingWarmup replies accepted over the whole run; 0 means no replica ever answered
 * @param latencyHistogram the HdrHistogram of {@code latencyMicros}, compressed and base64-encoded, so
 *        runs of several client processes can be merged into exact percentiles
 */
public record RunReport(String startedAt, String app, List<String> members, Config config, List<String> offloads,
                        int clients, double warmupSeconds, double durationSeconds, long timeoutMillis,
                        Map<String, Object> workload, long completed, long errors, long timeouts, long undecodable,
                        double throughputOpsPerSec, Latency latencyMicros, long answeredIncludingWarmup,
                        long lastView, String lastLeader, String latencyHistogram) {

    /** The cluster config a run used: where it was read from and what it said. */
    public record Config(String path, int clusterId, int f, String app, int port, List<String> members) {}

    /** Percentiles of the measured latency, in microseconds (0 when nothing completed). */
    public record Latency(long p50, long p90, long p99, long p999, long max, double mean) {
        public static Latency of(Histogram h) {
            if (h.getTotalCount() == 0) return new Latency(0, 0, 0, 0, 0, 0);
            return new Latency(h.getValueAtPercentile(50), h.getValueAtPercentile(90), h.getValueAtPercentile(99),
                    h.getValueAtPercentile(99.9), h.getMaxValue(), h.getMean());
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public static RunReport of(RunResult result, ClosedLoop.Spec spec, Config config, List<String> offloads, String startedAt) {
        return new RunReport(startedAt, spec.workload().app(),
                spec.cluster().members().stream().map(ClusterEndpoints::describe).toList(), config, List.copyOf(offloads),
                spec.clients(), spec.warmup().toMillis() / 1e3, spec.duration().toMillis() / 1e3, spec.timeout().toMillis(),
                spec.workload().settings(), result.completed(), result.errors(), result.timeouts(), result.undecodable(),
                result.throughputOpsPerSec(), Latency.of(result.latencyMicros()), result.answeredIncludingWarmup(),
                result.view(), result.leader(), encode(result.latencyMicros()));
    }

    public void write(Path path) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        JSON.writeValue(path.toFile(), this);
    }

    public static RunReport read(Path path) throws IOException {
        return JSON.readValue(path.toFile(), RunReport.class);
    }

    /** The latency histogram back from {@link #latencyHistogram}. */
    public Histogram histogram() {
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(latencyHistogram)), 0);
        } catch (java.util.zip.DataFormatException e) {
            throw new IllegalArgumentException("latencyHistogram is not a compressed HdrHistogram", e);
        }
    }

    /** One table for a terminal: throughput, latency percentiles in µs, errors and timeouts. */
    public String table() {
        String header = String.format(Locale.ROOT, "%12s %12s %10s %10s %10s %10s %10s %8s %9s",
                "ops", "ops/s", "p50 µs", "p90 µs", "p99 µs", "p99.9 µs", "max µs", "errors", "timeouts");
        String row = String.format(Locale.ROOT, "%12d %12.1f %10d %10d %10d %10d %10d %8d %9d",
                completed, throughputOpsPerSec, latencyMicros.p50, latencyMicros.p90, latencyMicros.p99,
                latencyMicros.p999, latencyMicros.max, errors, timeouts);
        return String.format(Locale.ROOT, "%d clients, app %s, %d members, %.1fs warmup + %.1fs measured, offloads %s%n%s%n%s%n",
                clients, app, members.size(), warmupSeconds, durationSeconds, String.join(",", offloads), header, row);
    }

    private static String encode(Histogram histogram) {
        ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        int length = histogram.encodeIntoCompressedByteBuffer(buffer);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length));
    }
}

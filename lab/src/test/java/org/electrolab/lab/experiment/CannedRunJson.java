package org.electrolab.lab.experiment;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.HdrHistogram.Histogram;

/**
 * run.json files as {@code electrolab client} writes them (the keys the runner and the report read),
 * with figures taken from a real latency histogram so percentiles, CDF and CSV agree.
 */
public final class CannedRunJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CannedRunJson() {}

    /**
     * A run whose latencies spread around {@code centreMicros} (log-normal-ish, seeded) and whose
     * throughput is {@code throughput}.
     */
    public static ObjectNode of(int clients, double throughput, long centreMicros, long seed) {
        Histogram histogram = new Histogram(3);
        Random random = new Random(seed);
        for (int i = 0; i < 5000; i++) {
            histogram.recordValue(Math.max(1, Math.round(centreMicros * Math.exp(random.nextGaussian() * 0.35))));
        }
        ObjectNode run = JSON.createObjectNode();
        run.put("app", "null");
        run.put("clients", clients);
        run.put("completed", histogram.getTotalCount());
        run.put("errors", 0);
        run.put("timeouts", seed % 3);
        run.put("throughputOpsPerSec", throughput);
        ObjectNode latency = run.putObject("latencyMicros");
        latency.put("p50", histogram.getValueAtPercentile(50));
        latency.put("p90", histogram.getValueAtPercentile(90));
        latency.put("p99", histogram.getValueAtPercentile(99));
        latency.put("p999", histogram.getValueAtPercentile(99.9));
        latency.put("max", histogram.getMaxValue());
        latency.put("mean", histogram.getMean());
        ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        int length = histogram.encodeIntoCompressedByteBuffer(buffer);
        run.put("latencyHistogram", Base64.getEncoder().encodeToString(Arrays.copyOf(buffer.array(), length)));
        return run;
    }

    public static void write(Path file, ObjectNode run) throws IOException {
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), run);
    }
}

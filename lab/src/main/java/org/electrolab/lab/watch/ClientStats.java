package org.electrolab.lab.watch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * A running client's stats file ({@code electrolab client --stats-file}, by default
 * {@code client.stats.json} in the lab's state directory): its last interval, rewritten each second
 * and replaced atomically, so {@code lab watch} and {@code lab status} show the client's ops/s and
 * latency without a port of their own inside the lab.
 *
 * @param running false in the last file the client writes as it ends
 * @param phase {@code warmup}, {@code measured} or {@code final-reads}
 * @param elapsedSeconds the interval's end, in seconds from the run's start
 * @param intervalSeconds the interval's length (1 s, shorter at the end of the warmup and of the run)
 * @param completed requests answered in the interval (checked workload: calls answered OK or FAIL)
 * @param unknown checked workload: calls given up on in the interval
 * @param view the highest view a reply named so far; {@code leader} the address requests go to
 * @param updatedAtMillis wall-clock time of the write
 */
public record ClientStats(boolean running, String phase, double elapsedSeconds, double intervalSeconds, long completed,
                          double opsPerSec, long p50Micros, long p99Micros, long errors, long timeouts, long unknown,
                          long view, String leader, int clients, long updatedAtMillis) {

    public static final String FILE = "client.stats.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public ClientStats stopped(long nowMillis) {
        return new ClientStats(false, phase, elapsedSeconds, intervalSeconds, completed, opsPerSec, p50Micros, p99Micros, errors,
                timeouts, unknown, view, leader, clients, nowMillis);
    }

    /** Replaces {@code file} atomically (temp file, then rename): a reader sees the old or the new file, whole. */
    public void write(Path file) throws IOException {
        Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
        JSON.writeValue(temp.toFile(), this);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** What {@code file} says, or empty while it is missing or unreadable. */
    public static Optional<ClientStats> read(Path file) {
        try {
            if (!Files.isRegularFile(file)) return Optional.empty();
            return Optional.of(JSON.readValue(file.toFile(), ClientStats.class));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}

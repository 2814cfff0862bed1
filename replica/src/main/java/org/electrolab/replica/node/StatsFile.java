package org.electrolab.replica.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.electrolab.protocol.config.OffloadChoice;
import org.electrolab.replica.transport.ReplicaStats;

/**
 * A running replica's {@code --stats-file}: its {@link ReplicaStats} as JSON, plus what offloads
 * were asked for and loaded, whether the replica is still running, and when it was written. It is
 * replaced atomically (temp file, then rename), so a reader sees a whole old or a whole new file.
 * Writes come from a worker thread and, at exit, the shutdown hook; they take turns. {@link
 * ReplicaView} reads it.
 */
public final class StatsFile {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path path;
    private final Path temp;
    private boolean finished;

    public StatsFile(Path path) {
        this.path = path.toAbsolutePath();
        this.temp = this.path.resolveSibling("." + this.path.getFileName() + ".tmp");
    }

    public Path path() {
        return path;
    }

    /** Fails with a one-line reason when the file cannot be written where asked. */
    public void checkWritable() {
        Path dir = path.getParent();
        if (Files.isDirectory(path)) {
            throw new StartException("--stats-file " + path + ": is a directory; name a file, e.g. " + path.resolve("replica.stats.json"));
        }
        if (dir == null || !Files.isDirectory(dir)) {
            throw new StartException("--stats-file " + path + ": directory " + dir + " does not exist; create it or choose another path");
        }
        if (!Files.isWritable(dir)) {
            throw new StartException("--stats-file " + path + ": directory " + dir + " is not writable; choose another path");
        }
    }

    /** Replaces the file with {@code stats} of the running replica; nothing once {@link #finish} ran. */
    public synchronized void write(ReplicaStats stats, OffloadChoice requested, String loaded) throws IOException {
        if (!finished) replace(stats, requested, loaded, true);
    }

    /** The last write, at exit: {@code running} false, and no periodic write may replace it afterwards. */
    public synchronized void finish(ReplicaStats stats, OffloadChoice requested, String loaded) throws IOException {
        finished = true;
        replace(stats, requested, loaded, false);
    }

    private void replace(ReplicaStats stats, OffloadChoice requested, String loaded, boolean running) throws IOException {
        ObjectNode json = JSON.valueToTree(stats);
        json.put("offloadsRequested", requested.names());
        json.put("offloadsLoaded", loaded);
        json.put("running", running);
        json.put("updatedAtMillis", System.currentTimeMillis());
        JSON.writeValue(temp.toFile(), json);
        Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}

package org.electrolab.lab.netns;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.electrolab.lab.cli.InvokingUser;

/**
 * A lab's state directory, {@code lab-state/<lab>/}: the record of what {@code up} creates (written
 * before it creates it), the rendered cluster.yaml, the scenario it ran, and per-host log, pid and
 * stats files. {@code down} reads it to find everything, and deletes it last.
 */
public final class StateDir {
    /** What {@code up} creates, written before the first creation. */
    public record Record(String name, int subnet, int replicas, List<String> namespaces, String scenarioName) {
        public Record {
            namespaces = List.copyOf(namespaces);
        }
    }

    static final String RECORD_FILE = "lab.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;

    public StateDir(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    public Path clusterConfig() {
        return dir.resolve("cluster.yaml");
    }

    /** The scenario file {@code up} ran, copied so the lab can be reopened without the original. */
    public Path scenarioCopy() {
        return dir.resolve("scenario.yaml");
    }

    public Path log(String host) {
        return dir.resolve(host + ".log");
    }

    public Path pidFile(String host) {
        return dir.resolve(host + ".pid");
    }

    public Path stats(int replicaId) {
        return dir.resolve("replica-" + replicaId + ".stats.json");
    }

    public boolean exists() {
        return Files.isDirectory(dir);
    }

    /** Makes the directory; fails when it exists, so two {@code up}s of one lab cannot interleave. */
    public void create() {
        try {
            // lab-state/ stays in the checkout after down: under sudo it is the invoking user's.
            InvokingUser.createDirectories(dir.getParent());
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            throw new LabException(dir + " already exists: the lab is up or was interrupted;"
                    + " run `electrolab lab down --name " + dir.getFileName() + "` first");
        } catch (IOException e) {
            throw new LabException("cannot create " + dir + ": " + e.getMessage() + "; check the permissions");
        }
    }

    /** Writes the record durably and atomically: a reader sees the old file or the whole new one. */
    public void write(Record record) {
        try {
            Path tmp = dir.resolve(RECORD_FILE + ".tmp");
            Files.write(tmp, JSON.writeValueAsBytes(record), StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
            Files.move(tmp, dir.resolve(RECORD_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Optional<Record> read() {
        try {
            return Optional.of(JSON.readValue(dir.resolve(RECORD_FILE).toFile(), Record.class));
        } catch (NoSuchFileException | FileNotFoundException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new LabException(dir.resolve(RECORD_FILE) + " is unreadable (" + LabException.oneLine(e.getMessage())
                    + "); run `electrolab lab down --name " + dir.getFileName() + "`, which also cleans by name");
        }
    }

    public void writeText(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every pid file in the directory (one per started process). */
    public List<Path> pidFiles() {
        if (!exists()) return List.of();
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*.pid")) {
            stream.forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /** The last {@code lines} lines of a host's log, for error messages. */
    public String logTail(String host, int lines) {
        try {
            List<String> all = Files.readAllLines(log(host), StandardCharsets.UTF_8);
            if (all.isEmpty()) return "(nothing yet: still starting, e.g. bin/electrolab waiting for a build)";
            return String.join(" | ", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    public void delete() {
        if (!exists()) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new LabException("cannot delete " + dir + ": " + e.getMessage());
        }
    }

    /** The lowest subnet number no other lab under {@code stateRoot} has recorded. */
    static int freeSubnet(Path stateRoot) {
        Set<Integer> used = new HashSet<>();
        if (Files.isDirectory(stateRoot)) {
            try (DirectoryStream<Path> labs = Files.newDirectoryStream(stateRoot, Files::isDirectory)) {
                for (Path lab : labs) {
                    try {
                        new StateDir(lab).read().ifPresent(r -> used.add(r.subnet()));
                    } catch (LabException unreadable) {
                        // A broken record claims no subnet; its own down reports it.
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        for (int subnet = 0; subnet <= Network.SUBNET_MAX; subnet++) if (!used.contains(subnet)) return subnet;
        throw new LabException("all " + (Network.SUBNET_MAX + 1) + " lab subnets are in use under " + stateRoot
                + "; take some labs down");
    }
}

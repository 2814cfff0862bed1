package org.electrolab.lab.pipeline;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

import org.electrolab.lab.cli.InvokingUser;

/**
 * The one name of every results directory, experiments, campaigns, kernel checks and the demo
 * alike: local time without colons and an optional kind, so that {@code ls experiments/results}
 * lists them in time order; and how a new one is made without overwriting another.
 */
public final class ResultsName {
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss");
    /** {@link #stamp} and an optional kind ({@code -faults}, {@code -demo}, {@code -loopback}, ...). */
    public static final Pattern NAME = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}(-[a-z0-9-]+)?");

    private ResultsName() {}

    /** A results directory's name for {@code now}: local time without colons, so file names stay portable. */
    public static String stamp(LocalDateTime now) {
        return TIMESTAMP.format(now);
    }

    /** {@code parent/<stamp>} or, with a {@code kind}, {@code parent/<stamp>-<kind>}, e.g. experiments/results/2026-12-02T09-05-07-faults. */
    public static Path dir(Path parent, LocalDateTime now, String kind) {
        return parent.resolve(kind.isEmpty() ? stamp(now) : stamp(now) + "-" + kind);
    }

    /**
     * Creates {@code dir} and {@code subdirs} (under sudo, owned by the invoking user); refuses a
     * {@code dir} that exists and is not empty.
     */
    public static void createEmpty(Path dir, Path... subdirs) throws IOException {
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                if (entries.iterator().hasNext()) {
                    throw new IOException(dir + " is not empty; choose a new --out directory (or leave --out out for a timestamped one)");
                }
            }
        }
        InvokingUser.createDirectories(dir);
        for (Path subdir : subdirs) InvokingUser.createDirectories(subdir);
    }
}

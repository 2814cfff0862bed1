package org.electrolab.lab.watch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The fault {@code experiment faults} has injected into a lab, in {@code fault.json} of the lab's
 * state directory: written when the fault is injected and again when it is healed, so the live
 * page can shade its window. Only the latest fault is kept; {@link LabWatch} remembers the earlier ones.
 *
 * @param what what the fault did, e.g. {@code killed r0 (leader)}
 * @param injectedAtMillis, healedAtMillis wall-clock times; {@code healedAtMillis} is 0 while the fault is on
 */
public record FaultWindow(String fault, String what, long injectedAtMillis, long healedAtMillis) {
    public static final String FILE = "fault.json";
    private static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public static FaultWindow injected(String fault, String what, long nowMillis) {
        return new FaultWindow(fault, what, nowMillis, 0);
    }

    public FaultWindow healed(long nowMillis) {
        return new FaultWindow(fault, what, injectedAtMillis, nowMillis);
    }

    /** Writes {@code fault.json} into {@code stateDir}, atomically. */
    public void write(Path stateDir) throws IOException {
        Path file = stateDir.resolve(FILE);
        Path temp = stateDir.resolve("." + FILE + ".tmp");
        JSON.writeValue(temp.toFile(), this);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    public static Optional<FaultWindow> read(Path stateDir) {
        Path file = stateDir.resolve(FILE);
        try {
            if (!Files.isRegularFile(file)) return Optional.empty();
            return Optional.of(JSON.readValue(file.toFile(), FaultWindow.class));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}

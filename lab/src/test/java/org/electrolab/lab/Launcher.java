package org.electrolab.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * bin/electrolab run as a user runs it, in a process of its own (the test build's classes, through
 * ELECTROLAB_CLASSPATH, which surefire sets), with extra environment variables.
 */
public record Launcher(int exitCode, String out, String err) {

    public static Path checkout() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("bin").resolve("electrolab"))) dir = dir.getParent();
        if (dir == null) throw new IllegalStateException("no checkout above " + Path.of("").toAbsolutePath());
        return dir;
    }

    public static Launcher run(Path launcher, Map<String, String> environment, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(launcher.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        // A value of "" removes the variable, e.g. ELECTROLAB_CLASSPATH to make the launcher build.
        environment.forEach((name, value) -> {
            if (value.isEmpty()) builder.environment().remove(name);
            else builder.environment().put(name, value);
        });
        Process process = builder.start();
        CompletableFuture<String> out = read(process.getInputStream());
        CompletableFuture<String> err = read(process.getErrorStream());
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish within 120 s");
        }
        return new Launcher(process.exitValue(), out.join(), err.join());
    }

    public static Launcher electrolab(Map<String, String> environment, String... args) throws IOException, InterruptedException {
        return run(checkout().resolve("bin").resolve("electrolab"), environment, args);
    }

    private static CompletableFuture<String> read(java.io.InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "unreadable: " + e;
            }
        }, Thread::startVirtualThread);
    }
}

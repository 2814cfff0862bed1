package org.electrolab.lab.netns;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs short external commands (iproute2, sysctl, ethtool) with a timeout. A failure becomes one
 * {@link LabException} whose message names the command and its stderr, so a lab error reads as
 * one line. The lab's long-running processes are started elsewhere ({@link Processes}).
 */
public class CommandRunner {
    /** The output of a command that ran to completion, whatever its exit code. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    private final Duration timeout;

    public CommandRunner(Duration timeout) {
        this.timeout = timeout;
    }

    public CommandRunner() {
        this(Duration.ofSeconds(20));
    }

    /** Runs the command and returns its stdout; a non-zero exit or a timeout throws. */
    public String run(List<String> command) {
        Result result = tryRun(command);
        if (!result.ok()) throw LabException.commandFailed(result);
        return result.stdout();
    }

    public String run(String... command) {
        return run(List.of(command));
    }

    /** Runs the command and returns its result; only a timeout or a command that cannot start throws. */
    public Result tryRun(List<String> command) {
        return tryRun(null, command);
    }

    /** Like {@link #tryRun(List)}, in working directory {@code directory} (null: this process's). */
    public Result tryRun(Path directory, List<String> command) {
        Process process;
        try {
            process = new ProcessBuilder(command).directory(directory == null ? null : directory.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        } catch (IOException e) {
            throw new LabException(LabException.quote(command) + " could not start: " + e.getMessage());
        }
        CompletableFuture<String> stdout = readAsync(process.getInputStream());
        CompletableFuture<String> stderr = readAsync(process.getErrorStream());
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new LabException(LabException.quote(command) + " timed out after " + timeout.toSeconds() + " s");
            }
            return new Result(List.copyOf(command), process.exitValue(),
                    stdout.get(timeout.toMillis(), TimeUnit.MILLISECONDS),
                    stderr.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new LabException(LabException.quote(command) + " interrupted");
        } catch (ExecutionException | TimeoutException e) {
            throw new LabException(LabException.quote(command) + " output unreadable: " + e);
        }
    }

    public Result tryRun(String... command) {
        return tryRun(List.of(command));
    }

    private static CompletableFuture<String> readAsync(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, Thread::startVirtualThread);
    }
}

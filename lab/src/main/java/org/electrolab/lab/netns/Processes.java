package org.electrolab.lab.netns;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts the lab's long-running processes inside namespaces and stops them. A pid file holds the pid
 * and the start time, so a pid the kernel has since given to another process is never signalled.
 */
public final class Processes {
    public static final Duration TERM_WAIT = Duration.ofSeconds(5);
    public static final Duration KILL_WAIT = Duration.ofSeconds(5);

    private Processes() {}

    /**
     * Starts {@code command} inside {@code netns} with stdin from /dev/null and stdout and stderr
     * appended to {@code log}, and writes its pid file. The process runs in a session of its own
     * ({@code setsid}), so it outlives this JVM and its terminal until {@code lab down}.
     */
    public static Process start(Netns netns, List<String> command, Path log, Path pidFile) {
        List<String> full = new ArrayList<>(List.of("setsid"));
        full.addAll(netns.execCommand(command));
        Process process;
        try {
            process = new ProcessBuilder(full)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            throw new LabException(LabException.quote(full) + " could not start: " + e.getMessage());
        }
        writePidFile(pidFile, process.toHandle());
        return process;
    }

    private static void writePidFile(Path pidFile, ProcessHandle handle) {
        long started = handle.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
        try {
            Files.writeString(pidFile, handle.pid() + " " + started + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LabException("cannot write " + pidFile + ": " + e.getMessage());
        }
    }

    /** The live process a pid file names, if it is still the same process (same start time). */
    public static Optional<ProcessHandle> fromPidFile(Path pidFile) {
        String[] fields;
        try {
            fields = Files.readString(pidFile, StandardCharsets.UTF_8).strip().split("\\s+");
        } catch (IOException e) {
            return Optional.empty();
        }
        if (fields.length != 2) return Optional.empty();
        long pid;
        long started;
        try {
            pid = Long.parseLong(fields[0]);
            started = Long.parseLong(fields[1]);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(h -> h.info().startInstant().map(Instant::toEpochMilli).orElse(-1L) == started);
    }

    /**
     * Stops the processes and their descendants: SIGTERM, then SIGKILL for those still alive after
     * {@link #TERM_WAIT}. Returns how many were signalled.
     */
    public static int stop(Collection<ProcessHandle> processes) {
        Set<ProcessHandle> targets = new LinkedHashSet<>();
        for (ProcessHandle process : processes) {
            targets.add(process);
            process.descendants().forEach(targets::add);
        }
        targets.remove(ProcessHandle.current());
        targets.removeIf(p -> !p.isAlive());
        if (targets.isEmpty()) return 0;
        targets.forEach(ProcessHandle::destroy);
        if (!awaitExit(targets, TERM_WAIT)) {
            targets.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
            if (!awaitExit(targets, KILL_WAIT)) {
                throw new LabException("processes " + targets.stream().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).toList()
                        + " survived SIGKILL for " + KILL_WAIT.toSeconds() + " s; check `ps` for them (stuck in the kernel?)");
            }
        }
        return targets.size();
    }

    private static boolean awaitExit(Set<ProcessHandle> processes, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        for (ProcessHandle process : processes) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return processes.stream().noneMatch(ProcessHandle::isAlive);
            try {
                process.onExit().get(left, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                return false;
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}

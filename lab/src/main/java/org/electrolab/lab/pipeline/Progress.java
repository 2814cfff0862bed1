package org.electrolab.lab.pipeline;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The progress of an experiment or a fault campaign on stderr: a bar, runs done of total, the
 * current run and an ETA. On a
 * terminal it is one line redrawn in place (every second, so the clock moves during a long run);
 * otherwise (a log file, CI) one plain line per finished run. Notes (a failure, a lab start) are
 * printed as lines of their own in both cases.
 */
public final class Progress implements AutoCloseable {
    private static final int BAR_WIDTH = 24;

    private final PrintWriter out;
    private final boolean terminal;
    private final int total;
    private final Duration runEstimate;
    private final LongSupplier nanoClock;
    private final long startNanos;
    private final ScheduledExecutorService ticker;
    private int done;
    private int failed;
    private String current = "";
    private String last = "";

    /**
     * @param runEstimate what one run is expected to take, for the ETA until the first run finishes
     * @param nanoClock monotonic nanoseconds ({@code System::nanoTime}; a test passes its own)
     */
    public Progress(PrintWriter out, boolean terminal, int total, Duration runEstimate, LongSupplier nanoClock) {
        this.out = out;
        this.terminal = terminal;
        this.total = total;
        this.runEstimate = runEstimate;
        this.nanoClock = nanoClock;
        this.startNanos = nanoClock.getAsLong();
        if (terminal) {
            ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("progress").factory());
            ticker.scheduleAtFixedRate(this::redraw, 1, 1, TimeUnit.SECONDS);
        } else {
            ticker = null;
        }
    }

    /**
     * True when stderr is a terminal (System.console() looks at stdin and stdout, not stderr, so ask
     * Linux where file descriptor 2 points) and TERM is not {@code dumb}.
     */
    public static boolean stderrIsTerminal() {
        if ("dumb".equals(System.getenv("TERM"))) return false;
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    public synchronized void started(String runId) {
        current = runId;
        if (terminal) draw();
    }

    /**
     * A run ended; {@code outcome} names it and says how it went, a {@code failure} is counted. With
     * {@code keep}, a terminal keeps the outcome as a line above the bar (a fault run's verdict);
     * elsewhere every outcome is a line of its own anyway.
     */
    public synchronized void finished(String outcome, boolean failure, boolean keep) {
        done++;
        if (failure) failed++;
        last = outcome;
        current = "";
        if (terminal && keep) {
            out.print("\r\033[K");
            out.println(outcome);
        }
        if (terminal) {
            draw();
        } else {
            out.println(line());
            out.flush();
        }
    }

    /** A line that stays, above the bar on a terminal. */
    public synchronized void note(String text) {
        if (terminal) out.print("\r\033[K");
        out.println(text);
        if (terminal) draw();
        out.flush();
    }

    @Override
    public synchronized void close() {
        if (ticker != null) ticker.shutdownNow();
        if (terminal) {
            draw();
            out.println();
        }
        out.flush();
    }

    private synchronized void redraw() {
        draw();
    }

    private void draw() {
        out.print("\r\033[K" + line());
        out.flush();
    }

    String line() {
        int filled = total == 0 ? BAR_WIDTH : done * BAR_WIDTH / total;
        String bar = "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled);
        int percent = total == 0 ? 100 : done * 100 / total;
        long elapsedNanos = nanoClock.getAsLong() - startNanos;
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "[%s] %d/%d %3d%%", bar, done, total, percent));
        if (!current.isEmpty()) line.append("  running ").append(current);
        else if (!last.isEmpty()) line.append("  ").append(last);
        line.append("  elapsed ").append(clock(Duration.ofNanos(elapsedNanos)));
        if (done < total) line.append("  ETA ").append(clock(eta(elapsedNanos)));
        if (failed > 0) line.append("  ").append(failed).append(" failed");
        return line.toString();
    }

    /** Remaining runs at the mean time per finished run so far (cluster starts included), or the estimate before any. */
    private Duration eta(long elapsedNanos) {
        int remaining = total - done;
        if (done == 0) {
            Duration left = runEstimate.multipliedBy(remaining).minusNanos(elapsedNanos);
            return left.isNegative() ? Duration.ZERO : left;
        }
        return Duration.ofNanos(elapsedNanos / done * remaining);
    }

    /** 1h02m03s, 5m02s or 42s. */
    static String clock(Duration d) {
        long seconds = Math.max(0, d.toSeconds());
        long h = seconds / 3600;
        long m = seconds / 60 % 60;
        long s = seconds % 60;
        if (h > 0) return String.format(Locale.ROOT, "%dh%02dm%02ds", h, m, s);
        if (m > 0) return String.format(Locale.ROOT, "%dm%02ds", m, s);
        return s + "s";
    }
}

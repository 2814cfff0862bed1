package org.electrolab.lab;

import java.io.FileNotFoundException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.HdrHistogram.HistogramLogWriter;
import org.electrolab.client.Intervals;
import org.electrolab.lab.cli.UserError;
import org.electrolab.lab.watch.ClientStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code electrolab client} does with each interval of its run: one progress line on stdout
 * (unless quiet), one histogram in the HdrHistogram interval log next to run.json (docs/client.md),
 * and the stats file the live page reads. Intervals arrive on the client's event loop; the files
 * are written on a thread of their own, in order, so the loop never waits for a disk.
 */
final class ClientIntervals implements Consumer<Intervals.Interval>, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClientIntervals.class);
    /** HdrHistogram's interval logs give the max per interval in this unit: µs / 1000 = ms. */
    private static final double MAX_VALUE_UNIT_RATIO = 1000.0;

    private final PrintWriter out;
    private final boolean quiet;
    private final boolean checked;
    private final int clients;
    private final Path statsFile;
    private final HistogramLogWriter intervalLog;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("client-intervals").factory());
    private ClientStats last;

    /**
     * @param intervalLog where the interval log goes ({@link #intervalLogFor})
     * @param statsFile the stats file, or null for none
     * @param checked a checked workload: lines also count calls given up on
     */
    ClientIntervals(PrintWriter out, boolean quiet, boolean checked, int clients, Path intervalLog, Path statsFile) {
        this.out = out;
        this.quiet = quiet;
        this.checked = checked;
        this.clients = clients;
        this.statsFile = statsFile;
        try {
            this.intervalLog = new HistogramLogWriter(intervalLog.toFile());
        } catch (FileNotFoundException e) {
            throw new UserError("cannot write the interval log " + intervalLog + " (" + e.getMessage() + "); choose a writable --out");
        }
        long startMillis = System.currentTimeMillis();
        this.intervalLog.outputComment("electrolab client interval log: latencies in microseconds, Interval_Max in ms;"
                + " tags warmup, measured, final-reads (docs/client.md)");
        this.intervalLog.outputLogFormatVersion();
        this.intervalLog.outputStartTime(startMillis);
        this.intervalLog.setBaseTime(startMillis);
        this.intervalLog.outputLegend();
    }

    /** {@code run.json} → {@code run.hlog}: the interval log beside the run's results. */
    static Path intervalLogFor(Path results) {
        String name = results.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return results.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".hlog");
    }

    /**
     * The stats file a client writes when none is named: {@code client.stats.json} beside a lab's
     * cluster.yaml (its state directory holds lab.json), so the lab's live page sees the client.
     */
    static Path defaultStatsFile(Path config) {
        Path dir = config.toAbsolutePath().getParent();
        return dir != null && Files.isRegularFile(dir.resolve("lab.json")) ? dir.resolve(ClientStats.FILE) : null;
    }

    @Override
    public void accept(Intervals.Interval interval) {
        double end = interval.startSeconds() + interval.lengthSeconds();
        if (!quiet) {
            out.println(String.format(Locale.ROOT, "%6.1fs %-11s %,9.0f ops/s  p50 %,7d µs  p99 %,7d µs  errors %d  timeouts %d%s",
                    end, interval.phase().label, interval.opsPerSec(), interval.p50Micros(), interval.p99Micros(),
                    interval.errors(), interval.timeouts(), checked ? "  unknown " + interval.unknown() : ""));
            out.flush();
        }
        ClientStats stats = new ClientStats(true, interval.phase().label, end, interval.lengthSeconds(), interval.completed(),
                interval.opsPerSec(), interval.p50Micros(), interval.p99Micros(), interval.errors(), interval.timeouts(),
                interval.unknown(), interval.view(), interval.leader(), clients, System.currentTimeMillis());
        writer.execute(() -> {
            interval.latencyMicros().setTag(interval.phase().label);
            intervalLog.outputIntervalHistogram(interval.startSeconds(), end, interval.latencyMicros(), MAX_VALUE_UNIT_RATIO);
            last = stats;
            writeStats(stats);
        });
    }

    /** After the run: the last stats file says it stopped; the log is flushed and closed. */
    @Override
    public void close() {
        writer.execute(() -> {
            intervalLog.close();
            if (last != null) writeStats(last.stopped(System.currentTimeMillis()));
        });
        writer.shutdown();
        try {
            if (!writer.awaitTermination(10, TimeUnit.SECONDS)) log.warn("the interval log was not written within 10 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void writeStats(ClientStats stats) {
        if (statsFile == null) return;
        try {
            stats.write(statsFile);
        } catch (java.io.IOException e) {
            log.warn("cannot write the client stats file {}: {}", statsFile, e.toString());
        }
    }
}

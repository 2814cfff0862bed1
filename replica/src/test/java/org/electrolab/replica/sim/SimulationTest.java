package org.electrolab.replica.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

import org.junit.jupiter.api.Test;

/**
 * Thousands of seeded runs of 3-, 5- and 7-replica clusters under drops, duplicates, delays,
 * partitions, crashes and restarts, each judged by the checkers (see {@link Simulation}).
 *
 * <p>{@code -Dsim.seeds=N} runs N seeds (default {@link #CI_SEEDS}) starting at {@code -Dsim.firstSeed}
 * (default 1); {@code -Dsim.seed=S} replays one seed. A failure message starts with the seed and the
 * command that replays it.
 */
class SimulationTest {

    /** Seeds every CI run judges, and the budget within which each of {@link MutantTest}'s mutants must be caught. */
    static final int CI_SEEDS = 10_000;

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    @Test
    void seededRunsKeepEveryInvariant() throws Exception {
        Long replay = Long.getLong("sim.seed");
        if (replay != null) {
            Simulation.Outcome outcome = new Simulation(replay).run();
            System.out.println("seed " + replay + " passed: " + outcome);
            return;
        }
        int seeds = Integer.getInteger("sim.seeds", CI_SEEDS);
        long firstSeed = Long.getLong("sim.firstSeed", 1);
        long started = System.nanoTime();
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Simulation.Outcome>> runs = new ArrayList<>();
        AtomicLong cpuNanos = new AtomicLong();
        try {
            for (long seed = firstSeed; seed < firstSeed + seeds; seed++) {
                long s = seed;
                runs.add(pool.submit(() -> {
                    long cpuStart = THREADS.getCurrentThreadCpuTime();
                    Simulation.Outcome outcome = new Simulation(s).run();
                    cpuNanos.addAndGet(THREADS.getCurrentThreadCpuTime() - cpuStart);
                    return outcome;
                }));
            }
            List<String> failures = new ArrayList<>();
            int[] bySize = new int[8];
            long ops = 0, crashes = 0, pauses = 0, partitions = 0, views = 0, worstHeal = 0, ticks = 0;
            long fastReplied = 0, ringFull = 0, splitClaims = 0, pruned = 0, cloned = 0, socketLost = 0;
            for (Future<Simulation.Outcome> run : runs) {
                try {
                    Simulation.Outcome o = run.get();
                    bySize[o.members()]++;
                    ops += o.opsCompleted();
                    crashes += o.crashes();
                    pauses += o.pauses();
                    partitions += o.partitions();
                    views += o.highestView();
                    ticks += o.ticks();
                    worstHeal = Math.max(worstHeal, o.healToProgressTicks());
                    fastReplied += o.fastReplied();
                    ringFull += o.ringFull();
                    splitClaims += o.splitClaims();
                    pruned += o.pruned();
                    cloned += o.cloned();
                    socketLost += o.socketLost();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!(e.getCause() instanceof Simulation.SimulationFailure failure)) throw e;
                    failures.add(failure.report);
                    System.out.println(failure.summary());
                }
            }
            System.out.printf("%d seeds from %d in %.1f s (%.1f s CPU in runs, %.1f s CPU in this JVM) on %d threads: %d/%d/%d runs of 3/5/7 replicas, %d ops completed,"
                            + " %d crashes, %d pauses, %d partitions, %d views, %d ticks, slowest heal-to-progress %d ticks;"
                            + " kernel: %d fast replies (%d Prepares passed up on a full ring, %d runs split over two CPUs), %d PrepareOKs"
                            + " dropped by quorum-prune, %d clones; %d datagrams lost in sockets; %d failed%n",
                    seeds, firstSeed, (System.nanoTime() - started) / 1e9, cpuNanos.get() / 1e9, processCpuSeconds(), threads, bySize[3], bySize[5], bySize[7], ops,
                    crashes, pauses, partitions, views, ticks, worstHeal, fastReplied, ringFull, splitClaims, pruned, cloned, socketLost,
                    failures.size());
            if (!failures.isEmpty()) {
                List<String> shown = failures.subList(0, Math.min(3, failures.size()));
                throw new AssertionError(failures.size() + " of " + seeds + " seeds failed; the first:\n\n" + String.join("\n", shown));
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    private static double processCpuSeconds() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() / 1e9 : Double.NaN;
    }

    /**
     * The simulation must be able to fail: with more than f replicas crashed at once (outside VR's
     * fault model, as their state is in memory) committed ops are lost, and the checkers say so.
     */
    @Test
    void crashesBeyondToleranceAreCaught() {
        int safetyFailures = 0;
        for (long seed = 1; seed <= 200 && safetyFailures < 3; seed++) {
            try {
                new Simulation(seed, true).run();
            } catch (Simulation.SimulationFailure failure) {
                if (failure.what.startsWith("progress")) continue;
                safetyFailures++;
                System.out.println("caught as expected: " + failure.summary());
            }
        }
        assertThat(safetyFailures).isEqualTo(3);
    }

    @Test
    void aSeedReplaysExactly() {
        Simulation.Outcome first = new Simulation(42).run();
        Simulation.Outcome second = new Simulation(42).run();
        assertThat(second).isEqualTo(first);
    }
}

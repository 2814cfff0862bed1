package org.electrolab.replica.offload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.electrolab.replica.offload.BpfProgram.XDP_DROP;
import static org.electrolab.replica.offload.BpfProgram.XDP_PASS;
import static org.electrolab.replica.offload.BpfProgram.XDP_TX;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Supplier;

import org.electrolab.protocol.Message;
import org.electrolab.protocol.Wire;
import org.electrolab.protocol.config.Offload;
import org.electrolab.protocol.testing.RootRequirement;
import org.electrolab.replica.sim.KernelTrace;
import org.electrolab.replica.sim.Simulation;
import org.junit.jupiter.api.Test;

/**
 * The simulator's kernel model decides as the compiled programs do. Seeded runs of 5- and
 * 7-replica clusters record everything the kernel of a replica with every offload did, through its
 * restarts: the state user space wrote, each datagram fast_reply or quorum_prune ran on and the
 * model's verdict, each drain of the ring. The same then happens to the real programs through
 * BPF_PROG_TEST_RUN, in the same order, comparing every verdict, every frame sent or passed up and
 * every record drained, until enough of each kind was compared.
 */
class KernelModelReplayTest {

    /** Replayed of each kind at least: fast replies, quorums passed up, PrepareOKs dropped. */
    private static final int EACH_MIN = 2000;
    private static final int SEEDS_MAX = 200;

    private sealed interface Event {}
    private record Started() implements Event {}
    private record Mirrored(ElState state) implements Event {}
    private record Paused() implements Event {}
    private record Resumed() implements Event {}
    private record Ran(OffloadProgram program, Message in, Message up, Message.PrepareOk answer, String verdict) implements Event {}
    private record Drained(List<Message.Prepare> records) implements Event {}

    private int answered, passed, dropped, runs;

    @Test
    void theCompiledProgramsDecideAsTheSimulatorsKernelModel() {
        RootRequirement.require("replaying the kernel model through BPF_PROG_TEST_RUN");
        List<String> replayed = new ArrayList<>();
        for (long seed = 1; seed <= SEEDS_MAX && Math.min(answered, Math.min(passed, dropped)) < EACH_MIN; seed++) {
            Simulation.Config config = new Simulation(seed).config;
            // Whole runs (a test run is one; the model may cut one over two CPUs) and a ring that never
            // fills (the model's drains take a prefix, a test run's ring has every record committed).
            if (config.members() < 5 || config.splitClaimRate() != 0 || config.ringBytes() != ElConfig.DEFAULT_RING_BYTES) continue;
            for (int i = 0; i < config.members(); i++) {
                if (config.offloads().get(i).size() != Offload.values().length) continue;
                replay(seed, i, config.members());
                replayed.add("seed " + seed + " replica " + i);
                break;
            }
        }
        System.out.printf("%s: %d runs replayed: %d fast replies, %d quorums passed up, %d PrepareOKs dropped%n",
                replayed, runs, answered, passed, dropped);
        assertThat(answered).as("fast replies replayed").isGreaterThanOrEqualTo(EACH_MIN);
        assertThat(passed).as("quorums replayed").isGreaterThanOrEqualTo(EACH_MIN);
        assertThat(dropped).as("PrepareOKs dropped").isGreaterThanOrEqualTo(EACH_MIN);
    }

    private void replay(long seed, int me, int members) {
        List<Event> events = new ArrayList<>();
        new Simulation(seed).traceKernel(me, new KernelTrace() {
            @Override public void started() { events.add(new Started()); }
            @Override public void mirrored(ElState state) { events.add(new Mirrored(state)); }
            @Override public void paused() { events.add(new Paused()); }
            @Override public void resumed() { events.add(new Resumed()); }
            @Override public void drained(List<Message.Prepare> records) { events.add(new Drained(List.copyOf(records))); }
            @Override public void ran(OffloadProgram program, Message in, Message up, Message.PrepareOk answer, String verdict) {
                events.add(new Ran(program, in, up, answer, verdict));
            }
        }).run();

        TestCluster cluster = new TestCluster((members - 1) / 2);
        LoadedPrograms offloads = null;
        List<Message.Prepare> undrained = new ArrayList<>();
        try {
            for (int e = 0; e < events.size(); e++) {
                Event event = events.get(e);
                int index = e;
                Supplier<String> where = () -> "seed " + seed + ", replica " + me + ", event " + index + ": " + event;
                switch (event) {
                    case Started s -> {
                        if (offloads != null) offloads.close();
                        offloads = LoadedPrograms.load(cluster.config(me), EnumSet.of(Offload.FAST_REPLY, Offload.QUORUM_PRUNE));
                        undrained.clear();
                    }
                    case Mirrored m -> offloads.writeState(m.state());
                    case Paused p -> offloads.pauseFastReply();
                    case Resumed r -> offloads.resumeFastReply();
                    case Drained d -> {
                        undrained.addAll(offloads.drainPrepares());
                        assertThat(undrained.size()).as(where).isGreaterThanOrEqualTo(d.records().size());
                        assertThat(undrained.subList(0, d.records().size())).as(where).isEqualTo(d.records());
                        undrained.subList(0, d.records().size()).clear();
                    }
                    case Ran r -> {
                        assertThat(r.verdict()).as(() -> "no ring-full, no run cut in two: " + where.get()).isNotIn("RING_FULL", "CLAIM_LATER");
                        byte[] frame = cluster.frame(r.in().sender(), me, TestCluster.CODEC.encode(r.in()));
                        BpfProgram.TestRun run = offloads.program(r.program().offload).testRun(frame);
                        runs++;
                        if (r.answer() != null) {
                            assertThat(run.verdict()).as(where).isEqualTo(XDP_TX);
                            assertThat(Frames.parse(run.output()).payload()).as(where).isEqualTo(TestCluster.CODEC.encode(r.answer()));
                            answered++;
                        } else if (r.up() == null) {
                            assertThat(run.verdict()).as(where).isEqualTo(XDP_DROP);
                            dropped++;
                        } else if (r.up().equals(r.in())) {
                            assertThat(run.verdict()).as(where).isEqualTo(XDP_PASS);
                            assertThat(run.output()).as(where).isEqualTo(frame);
                        } else {
                            assertThat(run.verdict()).as(where).isEqualTo(XDP_PASS);
                            assertThat(Frames.parse(run.output()).payload()).as(where)
                                    .isEqualTo(TestCluster.CODEC.encode(r.up(), Wire.FLAG_QUORUM));
                            passed++;
                        }
                    }
                }
            }
        } finally {
            if (offloads != null) offloads.close();
        }
    }
}

package org.electrolab.replica.sim;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

import org.electrolab.client.history.History;
import org.electrolab.client.history.LinearizabilityChecker;
import org.electrolab.protocol.Kv;
import org.electrolab.protocol.Message;
import org.electrolab.protocol.Message.Reply;
import org.electrolab.protocol.Message.Request;
import org.electrolab.protocol.MessageCodec;
import org.electrolab.protocol.WireException;
import org.electrolab.protocol.config.Offload;
import org.electrolab.replica.app.KvApp;
import org.electrolab.replica.core.Effects;
import org.electrolab.replica.core.Options;
import org.electrolab.replica.core.Replica;
import org.electrolab.replica.core.Status;
import org.electrolab.replica.transport.PacketPath;

/**
 * One deterministic run of a VR cluster: a seed picks the cluster size, the options, each
 * replica's offloads, the fault rates and every fault; replicas, their kernels ({@link SimKernel}),
 * clients and the network advance in logical ticks.
 *
 * <p>Phases: chaos (drops, duplicates, delays, partitions, crashes and restarts), then heal (links
 * restored, no loss, every crashed replica restarted), after which each client must complete
 * {@link #PROGRESS_OPS} new requests within {@link #PROGRESS_TICKS}; then clients stop, an auditor
 * reads every key, and all replicas must converge on one view and one commit. The checkers judge
 * the run as it goes (log and execution agreement, at-most-once, what acknowledgements promise) and
 * at the end (linearizability, final reads, no committed op lost). Any violation, or an exception
 * from the core, throws {@link SimulationFailure} naming the seed.
 */
public final class Simulation {

    static final int CLUSTER_ID = 0x51a;
    /** Requests each client must complete after the heal, and the ticks it has to do so. */
    static final int PROGRESS_OPS = 3;
    static final int PROGRESS_TICKS = 1500;
    /**
     * Ticks after the progress phase for clients to drain, the audit to read, replicas to converge;
     * plus one per {@link #SETTLE_OPS_PER_TICK} committed ops, for a replica restarted at the heal
     * that fetches the whole log (a page of up to 8 KiB per round trip).
     */
    static final int SETTLE_TICKS = 1500;
    static final int SETTLE_OPS_PER_TICK = 4;
    static final int TRACE_EVENTS = 4096;

    /**
     * What the seed chose. Rates are per tick (faults) or per datagram (network, sockets). Per
     * replica, the offloads it loads; then its kernel's ring size, how many ticks a record may take
     * to become consumable, how often a Prepare's run is split over two CPUs, how many datagrams
     * its socket buffer holds and how many it loses anyway, and how often a clone finds no
     * neighbour entry.
     */
    public record Config(int members, int clients, int keys, Options options, double dropRate, double duplicateRate,
                         int delayMaxTicks, double delaySpikeRate, int delaySpikeMaxTicks, double crashRate,
                         double pauseRate, double partitionRate, int chaosTicks, int clientTimeoutTicks,
                         int thinkMaxTicks, int valuePaddingMax, List<Set<Offload>> offloads, int ringBytes,
                         int recordLagMaxTicks, double splitClaimRate, int socketDatagramsMax, double socketDropRate,
                         double cloneSkipRate) {

        static Config random(SplittableRandom r) {
            int members = new int[] {3, 5, 7}[r.nextInt(3)];
            int commitInterval = 2 + r.nextInt(5);
            Options options = new Options(commitInterval, 2 + r.nextInt(6),
                    2 * commitInterval + 8 + r.nextInt(25), 3 + r.nextInt(10), 2 + r.nextInt(8), 5 + r.nextInt(10),
                    pick(r, 1, 2, 8, 64), pick(r, 24, 120, 1400), 4096, 65536);
            return new Config(members, 1 + r.nextInt(6), 1 + r.nextInt(4), options,
                    pick(r, 0.0, 0.01, 0.05, 0.2), pick(r, 0.0, 0.02, 0.1), pick(r, 0, 1, 3),
                    pick(r, 0.0, 0.005, 0.03), 80,
                    pick(r, 0.0, 0.004, 0.015), pick(r, 0.0, 0.004, 0.015), pick(r, 0.0, 0.008, 0.03),
                    3000 + r.nextInt(7000), 10 + r.nextInt(50), pick(r, 0, 2, 5, 10, 20), pick(r, 0, 0, 200, 2000),
                    offloads(r, members), pick(r, 1 << 16, 1 << 24), pick(r, 0, 1, 3), pick(r, 0.0, 0.0, 0.1, 0.3),
                    pick(r, 32, 1024), pick(r, 0.0, 0.002, 0.01), pick(r, 0.0, 0.01));
        }

        /** A fifth of the runs plain VR, a fifth every offload everywhere, the rest mixed: each replica none, one, or all. */
        private static List<Set<Offload>> offloads(SplittableRandom r, int members) {
            List<Set<Offload>> sets = List.of(EnumSet.noneOf(Offload.class), EnumSet.of(Offload.TC_BROADCAST),
                    EnumSet.of(Offload.FAST_REPLY), EnumSet.of(Offload.QUORUM_PRUNE), EnumSet.allOf(Offload.class));
            int mode = r.nextInt(5);
            List<Set<Offload>> chosen = new ArrayList<>();
            for (int i = 0; i < members; i++) {
                Set<Offload> set = mode == 0 ? sets.get(0) : mode == 1 ? sets.get(4) : sets.get(r.nextInt(sets.size()));
                chosen.add(Set.copyOf(set));
            }
            return List.copyOf(chosen);
        }

        @Override
        public String toString() {
            String sets = offloads.stream().map(o -> o.isEmpty() ? "none" : o.size() == 3 ? "all"
                    : o.stream().map(x -> x.cliName).sorted().collect(Collectors.joining("+"))).collect(Collectors.joining(", "));
            return "Config[members=" + members + ", clients=" + clients + ", keys=" + keys + ", options=" + options
                    + ", dropRate=" + dropRate + ", duplicateRate=" + duplicateRate + ", delayMaxTicks=" + delayMaxTicks
                    + ", delaySpikeRate=" + delaySpikeRate + ", crashRate=" + crashRate + ", pauseRate=" + pauseRate
                    + ", partitionRate=" + partitionRate + ", chaosTicks=" + chaosTicks + ", clientTimeoutTicks="
                    + clientTimeoutTicks + ", thinkMaxTicks=" + thinkMaxTicks + ", valuePaddingMax=" + valuePaddingMax
                    + ", offloads=[" + sets + "], ringBytes=" + ringBytes + ", recordLagMaxTicks=" + recordLagMaxTicks
                    + ", splitClaimRate=" + splitClaimRate + ", socketDatagramsMax=" + socketDatagramsMax
                    + ", socketDropRate=" + socketDropRate + ", cloneSkipRate=" + cloneSkipRate + "]";
        }

        @SafeVarargs
        private static <T> T pick(SplittableRandom r, T... choices) {
            return choices[r.nextInt(choices.length)];
        }
    }

    /** Counts of what a passing run did, for the test's summary. */
    public record Outcome(long seed, int members, long ticks, int opsCompleted, int crashes, int pauses, int partitions,
                          long highestView, long committedOps, long messages, long healToProgressTicks, long fastReplied,
                          long ringFull, long splitClaims, long pruned, long cloned, long socketLost) {}

    private final long seed;
    private final boolean beyondTolerance;
    private final SplittableRandom random;
    public final Config config;
    private final int n;
    private final MessageCodec codec = new MessageCodec(CLUSTER_ID);
    private final SimNetwork network;
    private final Trace trace = new Trace(TRACE_EVENTS);
    private final History history = new History();
    private final AgreementChecker agreement = new AgreementChecker();
    private final ExecutionChecker execution = new ExecutionChecker();
    private final AckChecker acks;
    private final SimKernel.Counters kernelCounters = new SimKernel.Counters();
    private final SimKernel.Host kernelHost = new KernelHost();

    private final Replica[] replicas;
    /** Each live replica's kernel half, and its socket buffer: what the kernel passed up and the process has not read. */
    private final SimKernel[] kernels;
    private final List<ArrayDeque<Datagram>> sockets = new ArrayList<>();
    /** Per replica: (view, op) for which a quorum of PrepareOKs arrived, to be judged once it read its socket. */
    private final List<List<long[]>> quorumsArrived = new ArrayList<>();
    private final Status[] lastStatus;
    private final int[] incarnation;
    private final String[] processNames;
    private final long[] restartAtTick;
    private final long[] pausedUntilTick;
    private final long[] checkedCommit;
    private final long[] lastCommit;
    /** What each replica last told the kernel fast path; it must hear of every change. */
    private final Effects.KernelState[] kernelState;
    private final List<SimClient> clients = new ArrayList<>();
    private final SimClient auditor;

    private long tick;
    private long time;
    private long partitionEndsAtTick = -1;
    private int crashes, pauses, partitions;
    private long highestView;
    private long healTick = -1, progressTick = -1;
    private long highestCommitChecked;
    private int tracedReplica = -1;
    private KernelTrace kernelTrace;
    private long socketLost;
    private boolean healed;
    private final List<History.Op> finalReads = new ArrayList<>();

    public Simulation(long seed) {
        this(seed, false);
    }

    /**
     * {@code beyondTolerance}: crash replicas even when f are already down, breaking the fault
     * model (state is in memory, so f+1 lost replicas lose committed ops). Only for showing that
     * the checkers catch what then goes wrong.
     */
    Simulation(long seed, boolean beyondTolerance) {
        this.beyondTolerance = beyondTolerance;
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.config = Config.random(random);
        this.n = config.members;
        this.network = new SimNetwork(random, n + config.clients + 1);
        network.dropRate = config.dropRate;
        network.duplicateRate = config.duplicateRate;
        network.delayMaxTicks = config.delayMaxTicks;
        network.delaySpikeRate = config.delaySpikeRate;
        network.delaySpikeMaxTicks = config.delaySpikeMaxTicks;
        replicas = new Replica[n];
        kernels = new SimKernel[n];
        lastStatus = new Status[n];
        acks = new AckChecker(n);
        for (int i = 0; i < n; i++) {
            sockets.add(new ArrayDeque<>());
            quorumsArrived.add(new ArrayList<>());
        }
        incarnation = new int[n];
        processNames = new String[n];
        restartAtTick = new long[n];
        pausedUntilTick = new long[n];
        checkedCommit = new long[n];
        lastCommit = new long[n];
        kernelState = new Effects.KernelState[n];
        for (int i = 0; i < n; i++) {
            incarnation[i] = -1;
            restartAtTick[i] = random.nextInt(40); // staggered genesis
        }
        for (int c = 0; c < config.clients; c++) {
            clients.add(new SimClient(c, n + c, 1 + random.nextLong(Long.MAX_VALUE - 1), config.clientTimeoutTicks, false));
        }
        auditor = new SimClient(config.clients, n + config.clients, 1 + random.nextLong(Long.MAX_VALUE - 1),
                config.clientTimeoutTicks, true);
        auditor.issuing = false;
    }

    /** Tells {@code trace} what the kernel of replica {@code replica} does; call before {@link #run}. */
    public Simulation traceKernel(int replica, KernelTrace trace) {
        tracedReplica = replica;
        kernelTrace = trace;
        return this;
    }

    public Outcome run() {
        try {
            runPhases();
            for (int i = 0; i < n; i++) if (replicas[i] != null) execution.finish(processName(i));
            long converged = replicas[0].commit();
            if (converged < agreement.highestCommitted()) {
                throw new Violation("committed op lost", "the replicas converged on commit " + converged + " but op "
                        + agreement.highestCommitted() + " was committed");
            }
            LinearizabilityChecker.Result lin = new LinearizabilityChecker().check(history);
            if (!lin.ok()) throw new Violation("linearizability", lin.explanation());
            String lost = FinalReadChecker.check(history, finalReads);
            if (lost != null) throw new Violation("final read", lost);
        } catch (Violation v) {
            throw failure(v.getMessage(), null);
        } catch (RuntimeException e) {
            throw failure("exception: " + e, e);
        }
        int completed = 0;
        for (History.Op op : history.ops()) if (op.completed()) completed++;
        return new Outcome(seed, n, tick, completed, crashes, pauses, partitions, highestView, agreement.highestCommitted(),
                network.sent, progressTick - healTick, kernelCounters.fastReplied, kernelCounters.ringFull, kernelCounters.splitClaims,
                kernelCounters.pruned, kernelCounters.cloned, socketLost);
    }

    private void runPhases() {
        long settleDeadline = -1, settleBudget = 0;
        boolean auditing = false;
        for (tick = 0; ; tick++) {
            if (tick < config.chaosTicks) {
                injectFaults();
            } else if (tick == config.chaosTicks) {
                heal();
            }
            for (int i = 0; i < n; i++) if (replicas[i] == null && restartAtTick[i] >= 0 && tick >= restartAtTick[i]) restart(i);
            for (int i = 0; i < n; i++) serve(i);
            deliverDue();
            for (int i : shuffledMembers()) {
                if (running(i)) {
                    step(i, null);
                    serve(i);
                }
            }
            for (SimClient c : clients) clientTick(c);
            clientTick(auditor);

            if (healTick < 0) continue;
            if (progressTick < 0) {
                if (clients.stream().allMatch(c -> c.completedSinceHeal >= PROGRESS_OPS)) {
                    progressTick = tick;
                    settleBudget = SETTLE_TICKS + agreement.highestCommitted() / SETTLE_OPS_PER_TICK;
                    settleDeadline = tick + settleBudget;
                    for (SimClient c : clients) c.issuing = false;
                    trace.add(tick, "PROGRESS", -1, -1, "every client completed " + PROGRESS_OPS + " requests after the heal");
                } else if (tick - healTick > PROGRESS_TICKS) {
                    throw new Violation("progress", "after the heal at tick " + healTick + ", not every client completed "
                            + PROGRESS_OPS + " requests within " + PROGRESS_TICKS + " ticks: " + clients);
                }
                continue;
            }
            if (tick > settleDeadline) {
                throw new Violation("progress", "the cluster did not settle within " + settleBudget + " ticks of the progress point"
                        + " (clients draining: " + clients + ", auditor " + auditor + ")");
            }
            boolean drained = clients.stream().allMatch(c -> c.outstanding == null);
            if (!drained) continue;
            if (!auditing) {
                for (int k = 0; k < config.keys; k++) auditor.script.add(new Kv.Get(key(k)));
                auditor.issuing = true;
                auditing = true;
            }
            if (!auditor.script.isEmpty() || auditor.outstanding != null) continue;
            if (converged()) return;
        }
    }

    // ---- faults ----

    private void injectFaults() {
        if (partitionEndsAtTick >= 0 && tick >= partitionEndsAtTick) {
            network.healLinks();
            partitionEndsAtTick = -1;
            trace.add(tick, "HEAL", -1, -1, "links restored");
        } else if (partitionEndsAtTick < 0 && random.nextDouble() < config.partitionRate) {
            partition();
        }
        if (random.nextDouble() < config.pauseRate) pause();
        if (random.nextDouble() < config.crashRate && (down() < f() || beyondTolerance && down() < n)) {
            List<Integer> candidates = new ArrayList<>();
            for (int i = 0; i < n; i++) if (replicas[i] != null) candidates.add(i);
            int leader = currentLeader();
            int victim = leader >= 0 && random.nextBoolean() ? leader : candidates.get(random.nextInt(candidates.size()));
            crash(victim);
        }
    }

    private int f() {
        return (n - 1) / 2;
    }

    /**
     * Replicas without their state: crashed, or restarted and still recovering (state is in memory,
     * so a recovering replica holds nothing). VR tolerates f of them.
     */
    private int down() {
        int down = 0;
        for (Replica r : replicas) if (r == null || r.status() == Status.RECOVERING) down++;
        return down;
    }

    /** The normal leader of the highest view, or -1. */
    private int currentLeader() {
        int leader = -1;
        long view = -1;
        for (int i = 0; i < n; i++) {
            Replica r = replicas[i];
            if (r != null && r.status() == Status.NORMAL && r.isLeader() && r.view() > view) {
                leader = i;
                view = r.view();
            }
        }
        return leader;
    }

    /**
     * A replica stops for a while (a long GC pause, a descheduled VM) and then carries on with its
     * old state: no ticks, and datagrams to it wait in the socket buffer. Its kernel keeps running:
     * fast_reply answers and records, quorum_prune counts.
     */
    private void pause() {
        int leader = currentLeader();
        int i = leader >= 0 && random.nextBoolean() ? leader : random.nextInt(n);
        if (replicas[i] == null || pausedUntilTick[i] > tick) return;
        pausedUntilTick[i] = tick + 5 + random.nextInt(150);
        pauses++;
        trace.add(tick, "PAUSE", i, -1, "until tick " + pausedUntilTick[i]);
    }

    private void crash(int i) {
        execution.finish(processName(i));
        kernels[i].crash();
        kernels[i] = null;
        sockets.get(i).clear();
        quorumsArrived.get(i).clear();
        replicas[i] = null;
        pausedUntilTick[i] = 0;
        restartAtTick[i] = tick + 5 + random.nextInt(200);
        crashes++;
        trace.add(tick, "CRASH", i, -1, "restart at tick " + restartAtTick[i]);
    }

    private void restart(int i) {
        incarnation[i]++;
        processNames[i] = null;
        restartAtTick[i] = -1;
        checkedCommit[i] = 0;
        lastCommit[i] = 0;
        kernelState[i] = null;
        lastStatus[i] = Status.RECOVERING;
        replicas[i] = new Replica(i, n, new KvApp(), config.options, random.nextLong());
        kernels[i] = new SimKernel(i, n, new SimKernel.Params(config.offloads.get(i), config.ringBytes, config.recordLagMaxTicks,
                config.splitClaimRate, config.cloneSkipRate), random, kernelHost, kernelCounters);
        if (healed) kernels[i].heal();
        if (i == tracedReplica) {
            kernelTrace.started();
            kernels[i].trace(kernelTrace);
        }
        trace.add(tick, "START", i, -1, processName(i));
        apply(i, replicas[i].start());
    }

    private void partition() {
        partitions++;
        partitionEndsAtTick = tick + 10 + random.nextInt(300);
        int kind = random.nextInt(5);
        int leader = currentLeader();
        int one = leader >= 0 && random.nextBoolean() ? leader : random.nextInt(n);
        String what;
        switch (kind) {
            case 0 -> {
                for (int j = 0; j < n; j++) if (j != one) { network.cut(one, j); network.cut(j, one); }
                what = "r" + one + " isolated";
            }
            case 1 -> {
                boolean[] side = new boolean[n];
                for (int j = 0; j < n; j++) side[j] = random.nextBoolean();
                for (int a = 0; a < n; a++) for (int b = 0; b < n; b++) if (side[a] != side[b]) network.cut(a, b);
                StringBuilder s = new StringBuilder("split {");
                for (int j = 0; j < n; j++) if (side[j]) s.append(" r").append(j);
                what = s.append(" } | rest").toString();
            }
            case 2 -> {
                boolean inbound = random.nextBoolean();
                for (int j = 0; j < n; j++) if (j != one) { if (inbound) network.cut(j, one); else network.cut(one, j); }
                what = "r" + one + (inbound ? " hears nobody" : " reaches nobody");
            }
            case 3 -> {
                StringBuilder s = new StringBuilder("one-way cuts");
                for (int k = 1 + random.nextInt(n); k > 0; k--) {
                    int a = random.nextInt(n), b = random.nextInt(n);
                    if (a == b) continue;
                    network.cut(a, b);
                    s.append(" r").append(a).append("->r").append(b);
                }
                what = s.toString();
            }
            default -> {
                SimClient c = clients.get(random.nextInt(clients.size()));
                network.cut(c.node, one);
                if (random.nextBoolean()) network.cut(one, c.node);
                what = c.name() + " cut from r" + one;
            }
        }
        trace.add(tick, "PARTITION", -1, -1, what + " until tick " + partitionEndsAtTick);
    }

    /** The end of chaos: links restored, no more loss or long delays, crashed replicas restarted. */
    private void heal() {
        healTick = tick;
        healed = true;
        for (SimKernel k : kernels) if (k != null) k.heal();
        network.healLinks();
        partitionEndsAtTick = -1;
        network.dropRate = 0;
        network.duplicateRate = 0;
        network.delaySpikeRate = 0;
        network.delayMaxTicks = Math.min(network.delayMaxTicks, 2);
        for (int i = 0; i < n; i++) {
            if (replicas[i] == null) restartAtTick[i] = tick;
            pausedUntilTick[i] = Math.min(pausedUntilTick[i], tick);
        }
        trace.add(tick, "HEAL", -1, -1, "end of chaos: no loss (in the network or a socket), no partitions, no pauses, every replica up");
    }

    // ---- network and replicas ----

    private void deliverDue() {
        SimNetwork.Packet p;
        while ((p = network.poll(tick)) != null) {
            Message m;
            try {
                m = codec.decode(p.datagram());
            } catch (WireException e) {
                throw new Violation("codec", "a datagram the codec encoded does not decode: " + e.getMessage());
            }
            if (p.to() < n) {
                if (replicas[p.to()] == null) {
                    trace.add(tick, "LOST", p.from(), p.to(), m);
                    continue;
                }
                arrive(p.to(), p.from(), m);
            } else {
                SimClient c = p.to() == auditor.node ? auditor : clients.get(p.to() - n);
                if (!(m instanceof Reply reply)) throw new Violation("routing", "client " + c.name() + " got " + m);
                trace.add(tick, "DELIVER", p.from(), p.to(), m);
                clientReceive(c, reply);
            }
        }
    }

    /**
     * A datagram reaches replica {@code i}'s interface: its kernel acts on it, and what it passes up
     * goes to the socket, which the process reads if it is running.
     */
    private void arrive(int i, int from, Message m) {
        Replica r = replicas[i];
        if (m instanceof Message.PrepareOk ok && ok.acks() == 0 && r.status() == Status.NORMAL && r.isLeader()
                && ok.view() == r.view() && ok.op() > r.commit() && acks.quorumArrived(processName(i), ok.view(), ok.op(), ok.sender())) {
            quorumsArrived.get(i).add(new long[] {ok.view(), ok.op()});
        }
        Message up = kernels[i].arrive(m, tick);
        if (up == null) trace.add(tick, "KERNEL", from, i, m);
        else toSocket(i, new Datagram(from, up));
        serve(i);
    }

    /** A datagram passed up to a replica's socket, and the network node it came from. */
    private record Datagram(int from, Message message) {}

    private void toSocket(int i, Datagram d) {
        ArrayDeque<Datagram> socket = sockets.get(i);
        if (socket.size() >= config.socketDatagramsMax) {
            lose(i, d, "SOCKET-FULL");
        } else if (!healed && config.socketDropRate > 0 && random.nextDouble() < config.socketDropRate) {
            lose(i, d, "SOCKET-DROP");
        } else {
            socket.add(d);
        }
    }

    private void lose(int i, Datagram d, String why) {
        socketLost++;
        trace.add(tick, why, d.from(), i, d.message());
        if (d.message() instanceof Message.PrepareOk ok) acks.quorumLost(processName(i), ok.view(), ok.op());
    }

    private boolean running(int i) {
        return replicas[i] != null && pausedUntilTick[i] <= tick;
    }

    /** A running replica reads its socket; then every quorum that reached it must be one it learned. */
    private void serve(int i) {
        if (!running(i)) return;
        ArrayDeque<Datagram> socket = sockets.get(i);
        while (!socket.isEmpty()) step(i, socket.poll());
        List<long[]> arrived = quorumsArrived.get(i);
        if (arrived.isEmpty()) return;
        Replica r = replicas[i];
        for (long[] q : arrived) {
            boolean leads = r.status() == Status.NORMAL && r.isLeader() && r.view() == q[0];
            acks.quorumLearned(processName(i), q[0], q[1], leads, r.commit());
        }
        arrived.clear();
    }

    /**
     * One step of replica {@code i}'s process on {@code m} (a tick when null), as UdpReplica takes
     * it: first what the kernel recorded (all of it, fast_reply paused, before a log decision), then
     * the input.
     */
    private void step(int i, Datagram d) {
        Message m = d == null ? null : d.message();
        Replica r = replicas[i];
        SimKernel kernel = kernels[i];
        boolean logDecision = m == null || PacketPath.isLogDecision(m, r.view());
        for (Message.Prepare recorded : kernel.drain(logDecision, tick)) {
            trace.add(tick, "RECORD", -1, i, recorded);
            apply(i, r.onMessage(recorded));
        }
        if (m == null) {
            apply(i, r.onTick());
        } else {
            trace.add(tick, "DELIVER", d.from(), i, m);
            apply(i, r.onMessage(m));
        }
        Message.Prepare behind = kernel.recordLeftBehind(r.status(), r.view());
        if (behind != null) {
            throw new Violation("drain", processName(i) + " is " + r.status() + " in view " + r.view() + " but its kernel still holds"
                    + " the record of op " + behind.op() + ", acknowledged in view " + behind.view() + ": user space left the view without"
                    + " draining what the fast path acknowledged");
        }
        if (kernel.nothingRecorded()) acks.holds(processName(i), r.lastNormalView(), r.op());
        kernel.afterStep();
    }

    /** What the kernel of a replica does besides deciding on datagrams. */
    private final class KernelHost implements SimKernel.Host {
        @Override
        public void kernelSend(int from, int to, Message message, String what) {
            if (message instanceof Message.PrepareOk ok) acks.acknowledged(processName(from), from, ok.view(), ok.op());
            trace.add(tick, what, from, to, message);
            send(from, to, codec.encode(message), message);
        }

        @Override
        public void passUp(int replica, Message message) {
            toSocket(replica, new Datagram(message.sender(), message));
        }

        @Override
        public void trace(String what, int replica, Object detail) {
            trace.add(tick, what, -1, replica, detail);
        }
    }

    /** Feeds what replica {@code i} did in one step to the checkers, then sends its messages. */
    private void apply(int i, Effects effects) {
        Replica r = replicas[i];
        String process = processName(i);
        for (Effects.Executed x : effects.executed) {
            if (x.op() > r.op() || !r.entry(x.op()).requests().contains(x.request())) {
                throw new Violation("execution", process + " executed " + x.request() + " as op " + x.op()
                        + " which its log does not hold there");
            }
            execution.executed(process, x.op(), x.request().clientId(), x.request().requestNumber(), x.result());
        }
        Effects.KernelState now = new Effects.KernelState(r.view(), r.status(), r.leader(), i, r.op(), r.commit());
        if (effects.kernelState != null ? !effects.kernelState.equals(now) : !now.equals(kernelState[i])) {
            throw new Violation("kernel state", process + " is in " + now + " but told the kernel " + effects.kernelState
                    + " (last told " + kernelState[i] + ")");
        }
        kernelState[i] = now;
        if (effects.kernelState != null) kernels[i].mirror(effects.kernelState);
        if (lastStatus[i] == Status.RECOVERING && r.status() != Status.RECOVERING) acks.recovered(process, r.op());
        lastStatus[i] = r.status();
        long commit = r.commit();
        if (commit < lastCommit[i]) {
            throw new Violation("commit", process + " commit went back from " + lastCommit[i] + " to " + commit);
        }
        lastCommit[i] = commit;
        long upTo = Math.min(commit, r.op());
        for (long op = checkedCommit[i] + 1; op <= upTo; op++) agreement.committed(process, op, r.entry(op));
        checkedCommit[i] = Math.max(checkedCommit[i], upTo);
        if (agreement.highestCommitted() > highestCommitChecked) {
            highestCommitChecked = agreement.highestCommitted();
            acks.committed(highestCommitChecked);
        }
        if (r.status() == Status.NORMAL) highestView = Math.max(highestView, r.view());

        for (Effects.Send s : effects.sends) {
            if (kernels[i].sentByKernel(s)) continue;
            switch (s.message()) {
                case Message.PrepareOk ok -> acks.acknowledged(process, i, ok.view(), ok.op());
                case Message.DoViewChange d -> acks.doViewChange(process, d);
                case Message.Recovery rec -> acks.recovering(process, rec.nonce(), agreement.highestCommitted());
                default -> { }
            }
            byte[] datagram = codec.encode(s.message());
            if (s.to() == Effects.BROADCAST && kernels[i].clones(s.message())) {
                int carrier = kernels[i].carrier();
                send(i, carrier, datagram, s.message());
                kernels[i].clone(s.message(), carrier);
            } else if (s.to() == Effects.BROADCAST) {
                for (int j = 0; j < n; j++) if (j != i) send(i, j, datagram, s.message());
            } else {
                if (s.to() < 0 || s.to() >= n || s.to() == i) throw new Violation("routing", process + " sends to " + s.to());
                send(i, s.to(), datagram, s.message());
            }
        }
        for (Effects.ClientReply cr : effects.replies) {
            SimClient c = clientById(cr.clientId());
            if (c == null) throw new Violation("routing", process + " replies to unknown client " + cr.clientId());
            send(i, c.node, codec.encode(cr.reply()), cr.reply());
        }
    }

    private void send(int from, int to, byte[] datagram, Message m) {
        SimNetwork.Fate fate = network.send(from, to, datagram, tick);
        if (fate != SimNetwork.Fate.QUEUED) trace.add(tick, fate.name(), from, to, m);
    }

    private SimClient clientById(long clientId) {
        if (auditor.clientId == clientId) return auditor;
        for (SimClient c : clients) if (c.clientId == clientId) return c;
        return null;
    }

    private int[] shuffledMembers() {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    private boolean converged() {
        Replica first = replicas[0];
        if (first == null) return false;
        Replica leader = replicas[(int) (first.view() % n)];
        if (leader == null || leader.status() != Status.NORMAL || leader.view() != first.view()) return false;
        for (Replica r : replicas) {
            if (r == null || r.status() != Status.NORMAL || r.view() != leader.view() || r.op() != leader.op()
                    || r.commit() != leader.op()) {
                return false;
            }
        }
        return true;
    }

    // ---- clients ----

    private void clientTick(SimClient c) {
        if (c.outstanding != null) {
            if (tick - c.sentTick >= c.timeoutTicks) {
                c.retries++;
                c.sentTick = tick;
                Request request = new Request(c.clientId, c.requestNumber, c.payload);
                byte[] datagram = codec.encode(request);
                trace.add(tick, "RETRY", c.node, -1, request);
                for (int i = 0; i < n; i++) send(c.node, i, datagram, request);
            }
            return;
        }
        if (!c.issuing || tick < c.idleUntilTick) return;
        Kv.Command command = c.auditor ? c.script.poll() : randomCommand(c);
        if (command == null) return;
        c.requestNumber++;
        c.retries = 0;
        c.payload = Kv.encode(command);
        // History times are the event counter; ticks go in the label, for reading explanations.
        c.outstanding = history.invoke(c.clientId, c.requestNumber, command, ++time);
        c.outstanding.label("tick " + tick + " .. never");
        c.invokeTick = tick;
        c.sentTick = tick;
        Request request = new Request(c.clientId, c.requestNumber, c.payload);
        trace.add(tick, "INVOKE", c.node, c.believedLeader, c.outstanding);
        send(c.node, c.believedLeader, codec.encode(request), request);
    }

    private Kv.Command randomCommand(SimClient c) {
        String key = key(random.nextInt(config.keys));
        // Values are unique, so the checkers can tell which write a read saw; some runs pad them, so
        // batches and state-transfer pages fill up and split.
        String value = c.name() + "." + (c.requestNumber + 1);
        if (config.valuePaddingMax > 0) value += "-".repeat(random.nextInt(config.valuePaddingMax + 1));
        int kind = random.nextInt(100);
        if (kind < 40) return new Kv.Get(key);
        if (kind < 75) return new Kv.Put(key, value);
        return new Kv.Cas(key, random.nextInt(4) == 0 ? null : c.seen.get(key), value);
    }

    private static String key(int k) {
        return "k" + k;
    }

    private void clientReceive(SimClient c, Reply reply) {
        History.Op op = c.outstanding;
        if (op == null || reply.requestNumber() != op.requestNumber) return;
        if (reply.clientId() != c.clientId) throw new Violation("routing", c.name() + " got " + reply);
        if (reply.sender() != reply.view() % n) {
            throw new Violation("reply", "r" + reply.sender() + " replied in view " + reply.view() + " which it does not lead");
        }
        execution.replied(reply.clientId(), reply.requestNumber(), reply.result());
        Kv.Result result = Kv.decodeResult(reply.result());
        history.complete(op, result, ++time);
        op.label("tick " + c.invokeTick + " .. " + tick);
        trace.add(tick, "COMPLETE", c.node, -1, op);
        c.believedLeader = (int) (reply.view() % n);
        c.outstanding = null;
        if (healTick >= 0 && c.invokeTick >= healTick) c.completedSinceHeal++;
        String key = op.command.key();
        switch (op.command) {
            case Kv.Get g -> c.seen.put(key, result.value());
            case Kv.Put p -> c.seen.put(key, p.value());
            case Kv.Cas s -> c.seen.put(key, result.status() == Kv.Status.OK ? s.value() : result.value());
        }
        if (c.auditor) finalReads.add(op);
        c.idleUntilTick = tick + random.nextInt(config.thinkMaxTicks + 1);
    }

    // ---- reporting ----

    /** r2, then r2#1, r2#2, ... for its restarts: what the checkers call a replica's process. */
    private String processName(int i) {
        String name = processNames[i];
        if (name == null) {
            name = "r" + i + (incarnation[i] <= 0 ? "" : "#" + incarnation[i]);
            processNames[i] = name;
        }
        return name;
    }

    private String nodeName(int node) {
        if (node < n) return "r" + node;
        if (node == auditor.node) return "audit";
        return "c" + (node - n);
    }

    static String replayCommand(long seed) {
        return "./mvnw -pl replica -am test -Dtest=SimulationTest -Dsurefire.failIfNoSpecifiedTests=false -Dsim.seed=" + seed;
    }

    private SimulationFailure failure(String what, Throwable cause) {
        StringBuilder b = new StringBuilder();
        b.append("simulation failed: seed=").append(seed).append(" at tick ").append(tick).append('\n');
        b.append("  replay: ").append(replayCommand(seed)).append('\n');
        b.append("  ").append(what.replace("\n", "\n  ")).append('\n');
        b.append("  config: ").append(config).append('\n');
        b.append("  replicas:");
        for (int i = 0; i < n; i++) {
            Replica r = replicas[i];
            b.append("\n    ").append(processName(i)).append(": ");
            if (r == null) b.append("crashed");
            else b.append(r.status()).append(" view ").append(r.view()).append(" op ").append(r.op()).append(" commit ").append(r.commit());
        }
        int events = Integer.getInteger("sim.trace", 60);
        b.append("\n  last ").append(events).append(" events (-Dsim.trace=N for more):\n").append(trace.tail(events, this::nodeName));
        return new SimulationFailure(b.toString(), seed, what, cause);
    }

    /** A failed run; the message holds the seed, the replay command and a trace tail. */
    public static final class SimulationFailure extends AssertionError {
        final String report;
        final long seed;
        final String what;

        SimulationFailure(String report, long seed, String what, Throwable cause) {
            super(report, cause);
            this.report = report;
            this.seed = seed;
            this.what = what;
        }

        /** One line: the seed and the first line of what went wrong. */
        public String summary() {
            String first = what.lines().findFirst().orElse("");
            return "FAILED seed=" + seed + ": " + (first.length() > 200 ? first.substring(0, 200) + "..." : first);
        }
    }
}

package org.electrolab.replica.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.electrolab.client.history.History;
import org.electrolab.client.history.LinearizabilityChecker;
import org.electrolab.protocol.Kv;
import org.electrolab.protocol.Message;
import org.electrolab.protocol.Message.Reply;
import org.electrolab.protocol.Message.Request;
import org.electrolab.protocol.MessageCodec;
import org.electrolab.protocol.WireException;
import org.electrolab.replica.app.KvApp;
import org.electrolab.replica.core.Effects;
import org.electrolab.replica.core.Options;
import org.electrolab.replica.core.Replica;
import org.electrolab.replica.core.Status;

/**
 * One deterministic run of a VR cluster: a seed picks the cluster size, the options, the fault
 * rates and every fault; replicas, clients and the network advance in logical ticks.
 *
 * <p>Phases: chaos (drops, duplicates, delays, partitions, crashes and restarts), then heal (links
 * restored, no loss, every crashed replica restarted), after which each client must complete
 * {@link #PROGRESS_OPS} new requests within {@link #PROGRESS_TICKS}; then clients stop, an auditor
 * reads every key, and all replicas must converge on one view and one commit. The checkers judge
 * the run as it goes (log and execution agreement, at-most-once) and at the end (linearizability,
 * final reads). Any violation, or an exception from the core, throws {@link SimulationFailure}
 * naming the seed.
 */
public final class Simulation {

    static final int CLUSTER_ID = 0x51a;
    /** Requests each client must complete after the heal, and the ticks it has to do so. */
    static final int PROGRESS_OPS = 3;
    static final int PROGRESS_TICKS = 1500;
    /** Ticks after the progress phase for clients to drain, the audit to read, replicas to converge. */
    static final int SETTLE_TICKS = 1500;
    static final int TRACE_EVENTS = 4096;

    /** What the seed chose. Rates are per tick (faults) or per datagram (network). */
    public record Config(int members, int clients, int keys, Options options, double dropRate, double duplicateRate,
                         int delayMaxTicks, double delaySpikeRate, int delaySpikeMaxTicks, double crashRate,
                         double pauseRate, double partitionRate, int chaosTicks, int clientTimeoutTicks,
                         int thinkMaxTicks, int valuePaddingMax) {

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
                    3000 + r.nextInt(7000), 10 + r.nextInt(50), pick(r, 0, 2, 5, 10, 20), pick(r, 0, 0, 200, 2000));
        }

        @SafeVarargs
        private static <T> T pick(SplittableRandom r, T... choices) {
            return choices[r.nextInt(choices.length)];
        }
    }

    /** Counts of what a passing run did, for the test's summary. */
    public record Outcome(long seed, int members, long ticks, int opsCompleted, int crashes, int pauses, int partitions,
                          long highestView, long committedOps, long messages, long healToProgressTicks) {}

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

    private final Replica[] replicas;
    private final int[] incarnation;
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
        incarnation = new int[n];
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

    public Outcome run() {
        try {
            runPhases();
            for (int i = 0; i < n; i++) if (replicas[i] != null) execution.finish(processName(i));
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
                network.sent, progressTick - healTick);
    }

    private void runPhases() {
        long settleDeadline = -1;
        boolean auditing = false;
        for (tick = 0; ; tick++) {
            if (tick < config.chaosTicks) {
                injectFaults();
            } else if (tick == config.chaosTicks) {
                heal();
            }
            for (int i = 0; i < n; i++) if (replicas[i] == null && restartAtTick[i] >= 0 && tick >= restartAtTick[i]) restart(i);
            deliverDue();
            for (int i : shuffledMembers()) {
                if (replicas[i] != null && pausedUntilTick[i] <= tick) apply(i, replicas[i].onTick());
            }
            for (SimClient c : clients) clientTick(c);
            clientTick(auditor);

            if (healTick < 0) continue;
            if (progressTick < 0) {
                if (clients.stream().allMatch(c -> c.completedSinceHeal >= PROGRESS_OPS)) {
                    progressTick = tick;
                    settleDeadline = tick + SETTLE_TICKS;
                    for (SimClient c : clients) c.issuing = false;
                    trace.add(tick, "PROGRESS", -1, -1, "every client completed " + PROGRESS_OPS + " requests after the heal");
                } else if (tick - healTick > PROGRESS_TICKS) {
                    throw new Violation("progress", "after the heal at tick " + healTick + ", not every client completed "
                            + PROGRESS_OPS + " requests within " + PROGRESS_TICKS + " ticks: " + clients);
                }
                continue;
            }
            if (tick > settleDeadline) {
                throw new Violation("progress", "the cluster did not settle within " + SETTLE_TICKS + " ticks of the progress point"
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
     * old state: no ticks, and datagrams to it wait in the socket buffer.
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
        replicas[i] = null;
        pausedUntilTick[i] = 0;
        restartAtTick[i] = tick + 5 + random.nextInt(200);
        crashes++;
        trace.add(tick, "CRASH", i, -1, "restart at tick " + restartAtTick[i]);
    }

    private void restart(int i) {
        incarnation[i]++;
        restartAtTick[i] = -1;
        checkedCommit[i] = 0;
        lastCommit[i] = 0;
        kernelState[i] = null;
        replicas[i] = new Replica(i, n, new KvApp(), config.options, random.nextLong());
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
        trace.add(tick, "HEAL", -1, -1, "end of chaos: no loss, no partitions, no pauses, every replica up");
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
                Replica r = replicas[p.to()];
                if (r == null) {
                    trace.add(tick, "LOST", p.from(), p.to(), m);
                    continue;
                }
                if (pausedUntilTick[p.to()] > tick) {
                    network.hold(p, pausedUntilTick[p.to()]);
                    continue;
                }
                trace.add(tick, "DELIVER", p.from(), p.to(), m);
                apply(p.to(), r.onMessage(m));
            } else {
                SimClient c = p.to() == auditor.node ? auditor : clients.get(p.to() - n);
                if (!(m instanceof Reply reply)) throw new Violation("routing", "client " + c.name() + " got " + m);
                trace.add(tick, "DELIVER", p.from(), p.to(), m);
                clientReceive(c, reply);
            }
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
        long commit = r.commit();
        if (commit < lastCommit[i]) {
            throw new Violation("commit", process + " commit went back from " + lastCommit[i] + " to " + commit);
        }
        lastCommit[i] = commit;
        long upTo = Math.min(commit, r.op());
        for (long op = checkedCommit[i] + 1; op <= upTo; op++) agreement.committed(process, op, r.entry(op));
        checkedCommit[i] = Math.max(checkedCommit[i], upTo);
        if (r.status() == Status.NORMAL) highestView = Math.max(highestView, r.view());

        for (Effects.Send s : effects.sends) {
            byte[] datagram = codec.encode(s.message());
            if (s.to() == Effects.BROADCAST) {
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

    private String processName(int i) {
        return "r" + i + (incarnation[i] <= 0 ? "" : "#" + incarnation[i]);
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
        String summary() {
            String first = what.lines().findFirst().orElse("");
            return "FAILED seed=" + seed + ": " + (first.length() > 200 ? first.substring(0, 200) + "..." : first);
        }
    }
}

package org.electrolab.replica.sim;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import org.electrolab.protocol.Message;
import org.electrolab.protocol.MessageCodec;
import org.electrolab.protocol.Wire;
import org.electrolab.protocol.config.Offload;
import org.electrolab.replica.core.Effects;
import org.electrolab.replica.core.Status;
import org.electrolab.replica.offload.FastReplyModel;
import org.electrolab.replica.offload.FastReplyProtocol;
import org.electrolab.replica.offload.ElState;
import org.electrolab.replica.offload.OffloadProgram;
import org.electrolab.replica.offload.QuorumModel;

/**
 * The kernel half of one replica process: el_state as user space last wrote it, the XDP program its
 * role runs (fast_reply while it follows, quorum_prune while it leads, of those it loaded), the
 * fast-reply ring, and tc_broadcast's clones; plus user space's half of the protocol with fast_reply
 * ({@link FastReplyProtocol}, the class EbpfPath runs). The programs' decisions are
 * {@link FastReplyModel}'s and {@link QuorumModel}'s, the models the program tests hold the C to.
 *
 * <p>Timing, as on a real host: the kernel acts on a datagram when it arrives, whether or not the
 * process is running; a record becomes consumable 0..{@code recordLagMaxTicks} ticks after its
 * PrepareOK went out, and a drain takes the ring's consumable prefix (libbpf stops at the first
 * record still being written), except a drain before a log decision, which pauses fast_reply and
 * takes every record. With {@code splitClaimRate}, a Prepare's run is cut in two as on a second
 * CPU: the pre-check and the ring reservation now, the locked claim after the next datagram's run
 * or the process's next step (and the state it wrote).
 */
final class SimKernel {

    /** The largest message tc_broadcast clones: one unfragmented datagram of MTU 1500. */
    static final int BROADCAST_SIZE_MAX = 1500 - 20 - 8;

    /** What the kernel hands back to the simulation. */
    interface Host {
        /** The kernel sends {@code message} from this replica to member {@code to} (XDP_TX, a clone). */
        void kernelSend(int from, int to, Message message, String what);

        /** A datagram the kernel passed up after the run that held it (a claim that came too late). */
        void passUp(int replica, Message message);

        void trace(String what, int replica, Object detail);
    }

    /** What the seed chose for this replica's kernel. */
    record Params(Set<Offload> offloads, int ringBytes, int recordLagMaxTicks, double splitClaimRate, double cloneSkipRate) {}

    /** Counts for the run summary: what the kernel path did. */
    static final class Counters {
        long fastReplied, ringFull, splitClaims, pruned, cloned;
    }

    private static final class Slot {
        final Message.Prepare prepare;
        boolean claimed;
        boolean discarded;
        long visibleAtTick;

        Slot(Message.Prepare prepare) {
            this.prepare = prepare;
        }
    }

    /** A Prepare whose run was cut after the reservation; it claims after the next datagram's run, or after the next step. */
    private record Claim(Slot slot, boolean afterNextRun) {}

    private final int me;
    private final int members;
    private final int f;
    private final Params params;
    private final SplittableRandom random;
    private final Host host;
    private final Counters counters;
    private final int ringCapacity;
    private final FastReplyProtocol protocol;
    private final QuorumModel quorum = new QuorumModel();
    private final ArrayDeque<Slot> ring = new ArrayDeque<>();
    private final List<Claim> claims = new ArrayList<>();
    private ElState state;
    private boolean paused;
    private int lastCarrier;
    private long tick;
    private boolean healed;
    private KernelTrace trace;
    private Message.PrepareOk answered;
    private String verdict;

    SimKernel(int me, int members, Params params, SplittableRandom random, Host host, Counters counters) {
        this.me = me;
        this.members = members;
        this.f = (members - 1) / 2;
        this.params = params;
        this.random = random;
        this.host = host;
        this.counters = counters;
        this.ringCapacity = FastReplyModel.ringCapacity(params.ringBytes());
        this.protocol = params.offloads().contains(Offload.FAST_REPLY) ? new FastReplyProtocol(me) : null;
        this.lastCarrier = me;
        // LoadedPrograms writes "recovering" at load: every program passes everything until the first mirror.
        this.state = new ElState(0, Status.RECOVERING, 0, me, members, f, 0, OffloadProgram.bits(params.offloads()));
    }

    Set<Offload> offloads() {
        return params.offloads();
    }

    /** From now on, tells {@code trace} what this kernel does. */
    void trace(KernelTrace trace) {
        this.trace = trace;
    }

    // ---- the XDP hook ----

    /**
     * A datagram reaches this replica's interface at {@code now}: the XDP program acts on it.
     * Returns what goes up to the socket, or null (answered, dropped, or still being run).
     */
    Message arrive(Message message, long now) {
        tick = now;
        List<Claim> waiting = takeClaims(true);
        Message up = run(message);
        for (Claim c : waiting) finishClaim(c);
        return up;
    }

    private Message run(Message message) {
        OffloadProgram program = OffloadProgram.xdpFor(params.offloads(), state.isLeader());
        Message up;
        answered = null;
        if (program == OffloadProgram.FAST_REPLY && message instanceof Message.Prepare p) {
            up = fastReply(p);
        } else if (program == OffloadProgram.QUORUM_PRUNE && message instanceof Message.PrepareOk ok) {
            up = quorumPrune(ok);
        } else {
            return message;
        }
        if (trace != null) trace.ran(program, message, up, answered, verdict);
        return up;
    }

    private Message fastReply(Message.Prepare p) {
        FastReplyModel.Verdict check = FastReplyModel.check(state, p);
        verdict = check.name();
        if (check != FastReplyModel.Verdict.ANSWERED) return p;
        if (ring.size() >= ringCapacity) {
            counters.ringFull++;
            verdict = FastReplyModel.Verdict.RING_FULL.name();
            return p;
        }
        Slot slot = new Slot(p);
        ring.add(slot);
        if (params.splitClaimRate() > 0 && random.nextDouble() < params.splitClaimRate()) {
            counters.splitClaims++;
            claims.add(new Claim(slot, random.nextBoolean()));
            verdict = "CLAIM_LATER";
            return null;
        }
        return claim(slot);
    }

    /** fast_path_claim, then the submit and the PrepareOK; or the discard, and the Prepare goes up. */
    private Message claim(Slot slot) {
        Message.Prepare p = slot.prepare;
        FastReplyModel.Verdict check = FastReplyModel.check(state, p);
        verdict = check.name();
        if (check != FastReplyModel.Verdict.ANSWERED) {
            slot.discarded = true;
            return p;
        }
        state = new ElState(state.view(), state.status(), state.leader(), me, members, f, p.op(), state.offloads());
        slot.claimed = true;
        slot.visibleAtTick = tick + random.nextInt(params.recordLagMaxTicks() + 1);
        counters.fastReplied++;
        answered = FastReplyModel.answer(state, p);
        host.kernelSend(me, p.sender(), answered, "FAST-REPLY");
        return null;
    }

    private Message quorumPrune(Message.PrepareOk ok) {
        if (!QuorumModel.counts(state, ok)) {
            verdict = "NOT_COUNTED";
            return ok;
        }
        QuorumModel.Result result = quorum.count(ok.view(), ok.op(), ok.sender(), state.f());
        verdict = result.name();
        if (result != QuorumModel.Result.COMPLETE) {
            counters.pruned++;
            host.trace("XDP-DROP", me, result + " " + ok);
            return null;
        }
        return new Message.PrepareOk(ok.view(), ok.sender(), ok.op(), quorum.lastAcks());
    }

    private List<Claim> takeClaims(boolean onlyAfterNextRun) {
        List<Claim> taken = new ArrayList<>();
        claims.removeIf(c -> (!onlyAfterNextRun || c.afterNextRun()) && taken.add(c));
        return taken;
    }

    private void finishClaim(Claim c) {
        Message up = claim(c.slot());
        if (up != null) host.passUp(me, up);
    }

    // ---- user space around the kernel ----

    /** The core's state was written to el_state (LoadedPrograms.mirror): its op becomes last_op. */
    void mirror(Effects.KernelState core) {
        int bits = OffloadProgram.bits(params.offloads()) & (paused ? ~OffloadProgram.FAST_REPLY.stateBit : ~0);
        state = new ElState(core.view(), core.status(), core.leader(), me, members, f, core.op(), bits);
        if (protocol != null) protocol.mirrored(core);
        if (trace != null) trace.mirrored(state);
    }

    /**
     * What the adapter hands the core before a step at {@code now} (EbpfPath.drainRecorded): before
     * a log decision of a normal follower, fast_reply paused and every record; else the ring's
     * consumable prefix.
     */
    List<Message.Prepare> drain(boolean logDecision, long now) {
        tick = now;
        if (protocol == null) return List.of();
        List<Message.Prepare> taken = new ArrayList<>();
        if (protocol.mustDrainAll(logDecision)) {
            // A run cut before its claim claims either before the pause's write or after it (and fails).
            for (Claim c : takeClaims(false)) {
                if (random.nextBoolean()) finishClaim(c);
                else claims.add(c);
            }
            paused = true;
            state = state.withOffloads(state.offloads() & ~OffloadProgram.FAST_REPLY.stateBit);
            if (trace != null) trace.paused();
            for (Claim c : takeClaims(false)) finishClaim(c);
            for (Slot s : ring) if (!s.discarded) taken.add(s.prepare);
            ring.clear();
        } else {
            while (!ring.isEmpty()) {
                Slot s = ring.peek();
                if (s.discarded) {
                    ring.poll();
                    continue;
                }
                if (!s.claimed || s.visibleAtTick > now) break;
                taken.add(ring.poll().prepare);
            }
        }
        if (trace != null) trace.drained(taken);
        return protocol.recorded(taken);
    }

    /** After a step: fast_reply resumes (EbpfPath's queued resume), and runs cut short claim against what the step wrote. */
    void afterStep() {
        if (paused) {
            paused = false;
            state = state.withOffloads(state.offloads() | OffloadProgram.FAST_REPLY.stateBit);
            if (trace != null) trace.resumed();
        }
        for (Claim c : takeClaims(false)) finishClaim(c);
    }

    /** True when the kernel sent this PrepareOK already, so user space does not. */
    boolean sentByKernel(Effects.Send send) {
        return protocol != null && protocol.sentByKernel(send);
    }

    /** Nothing the kernel acknowledged is still on its way to the core. */
    boolean nothingRecorded() {
        return claims.isEmpty() && ring.stream().allMatch(s -> s.discarded);
    }

    /**
     * A Prepare the kernel acknowledged that is still in the ring although the core is no longer a
     * normal follower of its view (so would ignore it as old), or null.
     */
    Message.Prepare recordLeftBehind(Status status, long view) {
        for (Slot s : ring) {
            if (s.claimed && !s.discarded && (status != Status.NORMAL || s.prepare.view() != view)) return s.prepare;
        }
        return null;
    }

    /** The process died: runs in progress finish (their PrepareOKs may still go out); the maps go with it. */
    void crash() {
        for (Claim c : takeClaims(false)) claim(c.slot());
        ring.clear();
        trace = null;
    }

    /** The end of chaos: every neighbour entry resolved from now on. */
    void heal() {
        healed = true;
    }

    // ---- TC egress ----

    /** Whether user space sends {@code message} once, to a carrier, for tc_broadcast to clone (EbpfPath.broadcastCarrier). */
    boolean clones(Message message) {
        return params.offloads().contains(Offload.TC_BROADCAST) && members >= 2
                && (message instanceof Message.Prepare || message instanceof Message.Commit)
                && Wire.HEADER_SIZE + MessageCodec.bodySize(message) <= BROADCAST_SIZE_MAX;
    }

    /** The next carrier, round robin over the other members. */
    int carrier() {
        do {
            lastCarrier = (lastCarrier + 1) % members;
        } while (lastCarrier == me);
        return lastCarrier;
    }

    /** tc_broadcast: a clone to every member but this one and the carrier; one without a neighbour entry is skipped. */
    void clone(Message message, int carrier) {
        for (int j = 0; j < members; j++) {
            if (j == me || j == carrier) continue;
            if (!healed && params.cloneSkipRate() > 0 && random.nextDouble() < params.cloneSkipRate()) {
                host.trace("NO-ROUTE", me, "no clone to r" + j + ": " + message);
                continue;
            }
            counters.cloned++;
            host.kernelSend(me, j, message, "CLONE");
        }
    }
}

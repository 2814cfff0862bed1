package org.electrolab.replica.offload;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.electrolab.protocol.Message;
import org.electrolab.protocol.MessageCodec;
import org.electrolab.protocol.Wire;
import org.electrolab.protocol.WireException;
import org.electrolab.protocol.config.Offload;
import org.electrolab.replica.core.Effects;
import org.electrolab.replica.core.Status;

/**
 * One replica's offloads: the programs loaded with the cluster's parameters and sharing one
 * el_state and el_members, attached to one interface, the kernel state written from the core's, the
 * fast-reply ring drained into Prepares, and the counters. Closing detaches and unloads everything.
 *
 * <p>fast_reply and quorum_prune are both XDP: the interface runs the one that fits the replica's
 * role (quorum_prune while it leads, fast_reply while it follows), swapped atomically on the link
 * when a state write changes the leader.
 */
public final class LoadedPrograms implements AutoCloseable {

    static final String STATE_MAP = "el_state";
    static final String MEMBERS_MAP = "el_members";
    static final String RING_MAP = "el_prepares";

    private final ElConfig config;
    private final Set<Offload> enabled;
    private final Map<Offload, BpfObject> objects;
    private final BpfMap state;
    private final PrepareRing ring;
    private final MessageCodec codec;
    private XdpAttachment xdp;
    private TcEgress tc;
    private boolean closed;

    private LoadedPrograms(ElConfig config, Set<Offload> enabled, Map<Offload, BpfObject> objects) {
        this.config = config;
        this.enabled = enabled;
        this.objects = objects;
        this.codec = new MessageCodec(config.clusterId());
        BpfObject first = objects.values().iterator().next();
        this.state = first.map(STATE_MAP);
        writeMembers(first.map(MEMBERS_MAP));
        writeState(new ElState(0, Status.RECOVERING, 0, config.myIndex(), config.members().size(), config.f(), 0,
                OffloadProgram.bits(enabled)));
        this.ring = enabled.contains(Offload.FAST_REPLY) ? PrepareRing.open(objects.get(Offload.FAST_REPLY).map(RING_MAP)) : null;
    }

    /**
     * Loads the programs of {@code offloads} from the replica jar with {@code config} (nothing is
     * attached yet). The kernel state starts as "recovering", in which every program passes
     * everything up, until the first {@link #writeState}.
     */
    public static LoadedPrograms load(ElConfig config, Set<Offload> offloads) {
        if (offloads.isEmpty()) throw new IllegalArgumentException("no offload to load");
        Map<Offload, BpfObject> objects = new EnumMap<>(Offload.class);
        try {
            BpfObject first = null;
            for (Offload offload : EnumSet.copyOf(offloads)) {
                BpfObject object = BpfObject.openResource(OffloadProgram.of(offload).program);
                objects.put(offload, object);
                object.setReadOnlyData(config.readOnlyData());
                if (offload == Offload.FAST_REPLY) object.setMaxEntries(RING_MAP, config.ringBytes());
                if (first != null) {
                    object.reuseMap(first.map(STATE_MAP));
                    object.reuseMap(first.map(MEMBERS_MAP));
                }
                object.load();
                if (first == null) first = object;
            }
            return new LoadedPrograms(config, Set.copyOf(EnumSet.copyOf(offloads)), objects);
        } catch (RuntimeException e) {
            objects.values().forEach(BpfObject::close);
            throw e;
        }
    }

    private void writeMembers(BpfMap members) {
        for (int i = 0; i < Wire.REPLICAS_MAX; i++) {
            // Network byte order, as the programs compare it with iphdr addresses; unused slots are 0.
            byte[] address = i < config.members().size() ? config.members().get(i).getAddress() : new byte[4];
            members.update(i, address, Libbpf.BPF_ANY);
        }
    }

    public ElConfig config() {
        return config;
    }

    public Set<Offload> enabled() {
        return enabled;
    }

    /** Attaches TC egress (tc-broadcast) and the XDP program for the current role to interface ifindex. */
    public void attach(int ifindex) {
        if (xdp != null || tc != null) throw new IllegalStateException("offloads already attached to ifindex " + ifindexAttached());
        try {
            if (enabled.contains(Offload.TC_BROADCAST)) tc = TcEgress.attach(program(Offload.TC_BROADCAST), ifindex);
            BpfProgram program = xdpProgramFor(readState());
            if (program != null) xdp = XdpAttachment.attach(program, ifindex);
        } catch (RuntimeException e) {
            detach();
            throw e;
        }
    }

    private int ifindexAttached() {
        return xdp != null ? xdp.ifindex() : tc.ifindex();
    }

    public XdpAttachment xdp() {
        return xdp;
    }

    public TcEgress tc() {
        return tc;
    }

    private BpfProgram xdpProgramFor(ElState s) {
        OffloadProgram program = OffloadProgram.xdpFor(enabled, s.isLeader());
        return program == null ? null : program(program.offload);
    }

    /**
     * Writes the kernel state atomically with respect to the programs (BPF_F_LOCK): after it returns,
     * no program acts on the state it replaced. Swaps the XDP program when the role changed.
     */
    public void writeState(ElState next) {
        if (next.myIndex() != config.myIndex() || next.memberCount() != config.members().size() || next.f() != config.f()) {
            throw new IllegalArgumentException("kernel state " + next + " is not of member " + config.myIndex()
                    + " of " + config.members().size());
        }
        state.update(0, next.toBytes(), Libbpf.BPF_F_LOCK);
        if (xdp != null) {
            BpfProgram program = xdpProgramFor(next);
            if (program != null) xdp.replace(program);
        }
    }

    /** Mirrors the core's state: its op becomes last_op, and the enabled offloads may act. */
    public void mirror(Effects.KernelState core) {
        mirror(core, false);
    }

    /** Like {@link #mirror(Effects.KernelState)}, with fast_reply kept paused when {@code pauseFastReply}. */
    public void mirror(Effects.KernelState core, boolean pauseFastReply) {
        int bits = OffloadProgram.bits(enabled) & (pauseFastReply ? ~OffloadProgram.FAST_REPLY.stateBit : ~0);
        writeState(new ElState(core.view(), core.status(), core.leader(), core.myIndex(), config.members().size(),
                config.f(), core.op(), bits));
    }

    /** The kernel state as the programs see it now (last_op included). */
    public ElState readState() {
        return ElState.fromBytes(state.lookup(0, Libbpf.BPF_F_LOCK));
    }

    /**
     * Stops fast_reply from acknowledging anything new (until {@link #resumeFastReply} or a mirror
     * without pause); then {@link #drainAllPrepares} returns every Prepare it acknowledged. Call it
     * before a core step that may leave the view or the normal status (see fast_reply.bpf.c).
     */
    public void pauseFastReply() {
        ElState now = readState();
        writeState(now.withOffloads(now.offloads() & ~OffloadProgram.FAST_REPLY.stateBit));
    }

    /**
     * Stops every program from acting (status recovering, no offload bit), before the replica stops:
     * from the moment the write returns fast_reply acknowledges nothing and quorum_prune drops
     * nothing, even before the programs are detached.
     */
    public void stop() {
        ElState now = readState();
        writeState(new ElState(now.view(), Status.RECOVERING, now.leader(), now.myIndex(), now.memberCount(), now.f(),
                now.lastOp(), 0));
    }

    /** Lets fast_reply act again after {@link #pauseFastReply}, keeping the kernel's last_op. */
    public void resumeFastReply() {
        if (!enabled.contains(Offload.FAST_REPLY)) return;
        ElState now = readState();
        writeState(now.withOffloads(now.offloads() | OffloadProgram.FAST_REPLY.stateBit));
    }

    /** The fast-reply ring (null without fast-reply), e.g. for {@link PrepareRing#awaitRecords}. */
    public PrepareRing ring() {
        return ring;
    }

    /** The Prepares fast_reply acknowledged and recorded since the last drain, in ring order. */
    public List<Message.Prepare> drainPrepares() {
        return ring == null ? List.of() : decode(codec, ring.consume());
    }

    /** Like {@link #drainPrepares}, but also waits (up to timeout) for records still being written. */
    public List<Message.Prepare> drainAllPrepares(Duration timeout) {
        return ring == null ? List.of() : decode(codec, ring.drainAll(timeout));
    }

    /**
     * The records as Prepares. fast_reply acknowledged each one already, so one that does not decode
     * is an op the core cannot hold although the leader counts it: that throws, and the replica
     * stops (fail-stop) rather than go on with a log that misses an acknowledged op.
     */
    static List<Message.Prepare> decode(MessageCodec codec, List<byte[]> records) {
        List<Message.Prepare> prepares = new ArrayList<>(records.size());
        for (byte[] record : records) {
            Message message;
            try {
                message = codec.decode(record);
            } catch (WireException e) {
                throw new IllegalStateException("fast-reply acknowledged a Prepare the codec refuses (" + e.getMessage()
                        + "): the kernel and user space disagree on the wire format; stopping");
            }
            if (!(message instanceof Message.Prepare p)) {
                throw new IllegalStateException("fast-reply recorded a " + message.type() + ", not a Prepare; stopping");
            }
            prepares.add(p);
        }
        return prepares;
    }

    /** Every counter of the loaded programs, named {@code <offload>.<counter>} (e.g. fast-reply.fast_replied). */
    public Map<String, Long> counters() {
        Map<String, Long> all = new LinkedHashMap<>();
        for (Offload offload : EnumSet.copyOf(enabled)) {
            counters(offload).forEach((name, value) -> all.put(offload.cliName + "." + name, value));
        }
        return all;
    }

    /** The counters of one loaded program, summed over CPUs, in the order of its C struct. */
    public Map<String, Long> counters(Offload offload) {
        OffloadProgram program = OffloadProgram.of(offload);
        BpfObject object = objects.get(offload);
        if (object == null) throw new IllegalArgumentException(offload.cliName + " is not loaded");
        byte[][] perCpu = object.map(program.countersMap).lookupPerCpu(0);
        Map<String, Long> values = new LinkedHashMap<>();
        List<String> names = program.counterNames;
        for (int i = 0; i < names.size(); i++) {
            long sum = 0;
            for (byte[] cpu : perCpu) {
                sum += ByteBuffer.wrap(cpu).order(ByteOrder.nativeOrder()).getLong(i * 8);
            }
            values.put(names.get(i), sum);
        }
        return values;
    }

    /** The loaded program of an offload, e.g. to test-run it. */
    public BpfProgram program(Offload offload) {
        BpfObject object = objects.get(offload);
        if (object == null) throw new IllegalArgumentException(offload.cliName + " is not loaded");
        return object.program(OffloadProgram.of(offload).program);
    }

    /** A map of the offload's object by name (the shared el_state and el_members are one map in every object). */
    public BpfMap map(Offload offload, String name) {
        return objects.get(offload).map(name);
    }

    private void detach() {
        if (xdp != null) xdp.close();
        if (tc != null) tc.close();
        xdp = null;
        tc = null;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            detach();
        } finally {
            if (ring != null) ring.close();
            objects.values().forEach(BpfObject::close);
        }
    }
}

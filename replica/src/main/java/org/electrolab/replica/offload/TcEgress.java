package org.electrolab.replica.offload;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.OptionalInt;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TC program on an interface's egress. A TCX link where the kernel has it (6.6+): detached when
 * closed or when the process dies. Otherwise a cls_bpf filter on the clsact qdisc: the qdisc is
 * created if missing (an existing one is used and never removed) and the filter is removed on close;
 * a process killed before closing leaves that filter behind, which is why TCX comes first.
 *
 * <p>The static {@link #attachFilter}, {@link #filterProgramId} and {@link #removeClsact} are for
 * the other case: a program that must outlive the process that attached it (the netns lab's link
 * faults), found again by its filter's handle and priority, and removed with its qdisc.
 */
public final class TcEgress implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TcEgress.class);

    // struct bpf_tc_hook and struct bpf_tc_opts (libbpf 1.1).
    static final int HOOK_SIZE = 24;
    static final int HOOK_IFINDEX = 8;
    static final int HOOK_ATTACH_POINT = 12;
    static final int OPTS_SIZE = 32;
    static final int OPTS_PROG_FD = 8;
    static final int OPTS_PROG_ID = 16;
    static final int OPTS_HANDLE = 20;
    static final int OPTS_PRIORITY = 24;

    public enum Kind { TCX_LINK, CLSACT_FILTER }

    private final Kind kind;
    private final String program;
    private final int ifindex;
    private final BpfLink link;
    private final int handle;
    private final int priority;
    private final boolean createdQdisc;
    private boolean closed;

    private TcEgress(Kind kind, String program, int ifindex, BpfLink link, int handle, int priority, boolean createdQdisc) {
        this.kind = kind;
        this.program = program;
        this.ifindex = ifindex;
        this.link = link;
        this.handle = handle;
        this.priority = priority;
        this.createdQdisc = createdQdisc;
    }

    /** A TCX link, or a clsact filter on kernels without TCX. */
    public static TcEgress attach(BpfProgram program, int ifindex) {
        int[] errno = new int[1];
        BpfLink link = BpfLink.tryCreate(program, ifindex, Libbpf.BPF_TCX_EGRESS, 0, hook(ifindex, Kind.TCX_LINK), errno);
        if (link != null) {
            LOG.info("TC program {} linked to egress of ifindex {} (tcx)", program.name(), ifindex);
            return new TcEgress(Kind.TCX_LINK, program.name(), ifindex, link, 0, 0, false);
        }
        if (errno[0] != Errno.EINVAL && errno[0] != Errno.ENOTSUP) {
            throw new BpfException("bpf_link_create", "program " + program.name() + ", hook " + hook(ifindex, Kind.TCX_LINK), errno[0]);
        }
        LOG.info("TC program {}: no tcx on this kernel ({}), using a clsact filter", program.name(), Errno.describe(errno[0]));
        return attachClsact(program, ifindex);
    }

    /** The pre-6.6 way: clsact qdisc (created only if missing) and a cls_bpf filter. */
    static TcEgress attachClsact(BpfProgram program, int ifindex) {
        try (Arena arena = Arena.ofConfined()) {
            Filter filter = attachFilter(arena, program, ifindex, 0, 0);
            LOG.info("TC program {} attached to egress of ifindex {} (clsact filter{})", program.name(), ifindex,
                    filter.createdQdisc ? ", qdisc created" : "");
            return new TcEgress(Kind.CLSACT_FILTER, program.name(), ifindex, null,
                    filter.opts.get(JAVA_INT, OPTS_HANDLE), filter.opts.get(JAVA_INT, OPTS_PRIORITY), filter.createdQdisc);
        }
    }

    /**
     * Attaches {@code program} at egress of ifindex as the cls_bpf filter with {@code handle} and
     * {@code priority} (both above 0) on the clsact qdisc, created if missing. Nothing in this process
     * owns it: it stays, holding the program and its maps, until {@link #removeClsact} or the
     * interface goes. Returns the program's kernel id.
     */
    public static int attachFilter(BpfProgram program, int ifindex, int handle, int priority) {
        if (handle <= 0 || priority <= 0) throw new IllegalArgumentException("handle and priority must be above 0");
        try (Arena arena = Arena.ofConfined()) {
            Filter filter = attachFilter(arena, program, ifindex, handle, priority);
            // Debug, not info: this is lab state, reported by the command that set it, not a replica's offload.
            LOG.debug("TC program {} attached to egress of ifindex {} (clsact filter {}:{}{})", program.name(), ifindex,
                    priority, handle, filter.createdQdisc ? ", qdisc created" : "");
            return filter.opts.get(JAVA_INT, OPTS_PROG_ID);
        }
    }

    private record Filter(MemorySegment opts, boolean createdQdisc) {}

    /** Handle and priority 0: the kernel picks them; opts holds what it picked. */
    private static Filter attachFilter(Arena arena, BpfProgram program, int ifindex, int handle, int priority) {
        Libbpf lib = Libbpf.get();
        String target = "program " + program.name() + ", hook " + hook(ifindex, Kind.CLSACT_FILTER);
        MemorySegment hook = hookSegment(arena, ifindex, Libbpf.BPF_TC_EGRESS);
        int rc = Libbpf.call(() -> (int) lib.tcHookCreate.invokeExact(hook));
        if (rc < 0 && rc != -Errno.EEXIST) throw new BpfException("bpf_tc_hook_create", target, -rc);
        boolean created = rc == 0;
        MemorySegment opts = optsSegment(arena, handle, priority);
        opts.set(JAVA_INT, OPTS_PROG_FD, program.fd());
        rc = Libbpf.call(() -> (int) lib.tcAttach.invokeExact(hook, opts));
        if (rc < 0) {
            if (created) destroyQdisc(lib, ifindex);
            throw new BpfException("bpf_tc_attach", target, -rc);
        }
        return new Filter(opts, created);
    }

    /**
     * The kernel id of the program in the egress filter of ifindex with {@code handle} and {@code
     * priority}, or empty when there is none: the netlink query answers ENOENT for a missing filter
     * and EINVAL when the interface has no clsact qdisc to hold one.
     */
    public static OptionalInt filterProgramId(int ifindex, int handle, int priority) {
        Libbpf lib = Libbpf.get();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment hook = hookSegment(arena, ifindex, Libbpf.BPF_TC_EGRESS);
            MemorySegment opts = optsSegment(arena, handle, priority);
            // The kernel's reason for a missing filter ("Parent Qdisc doesn't exists") is no warning here.
            int rc = LibbpfLog.quietly(() -> Libbpf.call(() -> (int) lib.tcQuery.invokeExact(hook, opts)));
            if (rc == -Errno.ENOENT || rc == -Errno.EINVAL) return OptionalInt.empty();
            Libbpf.check(rc, "bpf_tc_query", "filter " + priority + ":" + handle + ", hook " + hook(ifindex, Kind.CLSACT_FILTER));
            return OptionalInt.of(opts.get(JAVA_INT, OPTS_PROG_ID));
        }
    }

    /**
     * Removes the clsact qdisc of ifindex, and with it every filter on it and what they held; false
     * when there was none (ENOENT, or EINVAL from kernels that answer so for a missing qdisc).
     */
    public static boolean removeClsact(int ifindex) {
        Libbpf lib = Libbpf.get();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment hook = hookSegment(arena, ifindex, Libbpf.BPF_TC_INGRESS | Libbpf.BPF_TC_EGRESS);
            int rc = LibbpfLog.quietly(() -> Libbpf.call(() -> (int) lib.tcHookDestroy.invokeExact(hook)));
            if (rc == -Errno.ENOENT || rc == -Errno.EINVAL) return false;
            Libbpf.check(rc, "bpf_tc_hook_destroy", "clsact qdisc on ifindex " + ifindex);
            return true;
        }
    }

    private static MemorySegment optsSegment(Arena arena, int handle, int priority) {
        MemorySegment opts = arena.allocate(OPTS_SIZE, 8);
        opts.set(JAVA_LONG, 0, OPTS_SIZE);
        opts.set(JAVA_INT, OPTS_HANDLE, handle);
        opts.set(JAVA_INT, OPTS_PRIORITY, priority);
        return opts;
    }

    private static MemorySegment hookSegment(Arena arena, int ifindex, int attachPoint) {
        MemorySegment hook = arena.allocate(HOOK_SIZE, 8);
        hook.set(JAVA_LONG, 0, HOOK_SIZE);
        hook.set(JAVA_INT, HOOK_IFINDEX, ifindex);
        hook.set(JAVA_INT, HOOK_ATTACH_POINT, attachPoint);
        return hook;
    }

    private static String hook(int ifindex, Kind kind) {
        return "tc egress (" + (kind == Kind.TCX_LINK ? "tcx" : "clsact") + ") on ifindex " + ifindex;
    }

    /** Removes the clsact qdisc this class created (ingress and egress together: that deletes the qdisc). */
    private static void destroyQdisc(Libbpf lib, int ifindex) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment hook = hookSegment(arena, ifindex, Libbpf.BPF_TC_INGRESS | Libbpf.BPF_TC_EGRESS);
            int rc = Libbpf.call(() -> (int) lib.tcHookDestroy.invokeExact(hook));
            if (rc < 0 && rc != -Errno.ENOENT) LOG.warn("removing the clsact qdisc of ifindex {}: {}", ifindex, Errno.describe(-rc));
        }
    }

    public Kind kind() {
        return kind;
    }

    public int ifindex() {
        return ifindex;
    }

    public String program() {
        return program;
    }

    /** The TCX link's id ({@code bpftool link show id <id>}), or -1 for a clsact filter. */
    public int linkId() {
        return link == null ? -1 : link.id();
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (link != null) {
            link.close();
            return;
        }
        Libbpf lib = Libbpf.get();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment hook = hookSegment(arena, ifindex, Libbpf.BPF_TC_EGRESS);
            MemorySegment opts = optsSegment(arena, handle, priority);
            int rc = Libbpf.call(() -> (int) lib.tcDetach.invokeExact(hook, opts));
            if (rc < 0 && rc != -Errno.ENOENT && rc != -Errno.ENODEV) {
                throw new BpfException("bpf_tc_detach", "program " + program + ", hook " + hook(ifindex, kind), -rc);
            }
        }
        if (createdQdisc) destroyQdisc(lib, ifindex);
    }
}

package org.electrolab.replica.offload;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/** A program of a loaded {@link BpfObject}. */
public final class BpfProgram {

    /** XDP verdicts (enum xdp_action). */
    public static final int XDP_ABORTED = 0;
    public static final int XDP_DROP = 1;
    public static final int XDP_PASS = 2;
    public static final int XDP_TX = 3;
    /** TC verdicts (linux/pkt_cls.h). */
    public static final int TC_ACT_OK = 0;
    public static final int TC_ACT_SHOT = 2;

    /** What one BPF_PROG_TEST_RUN returned: the verdict and the packet as the program left it. */
    public record TestRun(int verdict, byte[] output, long durationNanos) {}

    // struct bpf_test_run_opts (libbpf 1.1): offsets of the fields we set or read.
    static final int OPTS_SIZE = 80;
    static final int OPTS_DATA_IN = 8;
    static final int OPTS_DATA_OUT = 16;
    static final int OPTS_DATA_SIZE_IN = 24;
    static final int OPTS_DATA_SIZE_OUT = 28;
    static final int OPTS_CTX_IN = 32;
    static final int OPTS_CTX_SIZE_IN = 48;
    static final int OPTS_RETVAL = 56;
    static final int OPTS_REPEAT = 60;
    static final int OPTS_DURATION = 64;

    private final Libbpf lib;
    private final String name;
    private final MemorySegment program;

    BpfProgram(Libbpf lib, String name, MemorySegment program) {
        this.lib = lib;
        this.name = name;
        this.program = program;
    }

    public String name() {
        return name;
    }

    public int fd() {
        int fd = Libbpf.call(() -> (int) lib.programFd.invokeExact(program));
        return Libbpf.check(fd, "bpf_program__fd", "program " + name);
    }

    /** The kernel's program id ({@code bpftool prog show id <id>}). */
    public int id() {
        return lib.objectId(fd(), "program " + name);
    }

    /** Runs the program once on {@code packet} (an Ethernet frame) with BPF_PROG_TEST_RUN. */
    public TestRun testRun(byte[] packet) {
        return testRun(packet, null);
    }

    /**
     * Runs the program once on {@code packet}, with {@code context} (a struct __sk_buff or xdp_md
     * prefix, e.g. to set skb->mark) when not null.
     */
    public TestRun testRun(byte[] packet, byte[] context) {
        try (Arena arena = Arena.ofConfined()) {
            int capacity = packet.length + 512;
            MemorySegment in = arena.allocate(Math.max(packet.length, 1)).copyFrom(MemorySegment.ofArray(packet));
            MemorySegment out = arena.allocate(capacity);
            MemorySegment opts = arena.allocate(OPTS_SIZE, 8);
            opts.set(JAVA_LONG, 0, OPTS_SIZE);
            opts.set(ADDRESS, OPTS_DATA_IN, in);
            opts.set(ADDRESS, OPTS_DATA_OUT, out);
            opts.set(JAVA_INT, OPTS_DATA_SIZE_IN, packet.length);
            opts.set(JAVA_INT, OPTS_DATA_SIZE_OUT, capacity);
            if (context != null) {
                opts.set(ADDRESS, OPTS_CTX_IN, arena.allocate(context.length, 8).copyFrom(MemorySegment.ofArray(context)));
                opts.set(JAVA_INT, OPTS_CTX_SIZE_IN, context.length);
            }
            opts.set(JAVA_INT, OPTS_REPEAT, 1);
            int fd = fd();
            int rc = Libbpf.call(() -> (int) lib.testRun.invokeExact(fd, opts));
            Libbpf.check(rc, "bpf_prog_test_run_opts", "program " + name);
            int outSize = opts.get(JAVA_INT, OPTS_DATA_SIZE_OUT);
            byte[] output = Arrays.copyOf(out.toArray(JAVA_BYTE), outSize);
            return new TestRun(opts.get(JAVA_INT, OPTS_RETVAL), output, Integer.toUnsignedLong(opts.get(JAVA_INT, OPTS_DURATION)));
        }
    }
}

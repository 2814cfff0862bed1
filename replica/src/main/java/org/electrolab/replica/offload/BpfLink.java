package org.electrolab.replica.offload;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A BPF link (bpf_link_create): the kernel detaches the program when the last file descriptor of
 * the link closes, so a replica's programs go away with its process, even on kill -9.
 */
final class BpfLink implements AutoCloseable {

    private final Libbpf lib;
    private final int fd;
    private final String hook;
    private String program;
    private boolean closed;

    private BpfLink(Libbpf lib, int fd, String program, String hook) {
        this.lib = lib;
        this.fd = fd;
        this.program = program;
        this.hook = hook;
    }

    /**
     * Links {@code program} to {@code targetFd} (an ifindex for XDP and TCX) at {@code attachType}
     * with link flags; {@code hook} names the hook in errors, e.g. {@code xdp (native) on ifindex 3}.
     */
    static BpfLink create(BpfProgram program, int targetFd, int attachType, int flags, String hook) {
        Libbpf lib = Libbpf.get();
        int rc = tryCreate(lib, program, targetFd, attachType, flags);
        Libbpf.check(rc, "bpf_link_create", "program " + program.name() + ", hook " + hook);
        return new BpfLink(lib, rc, program.name(), hook);
    }

    /** Like {@link #create} but returns null with the errno in {@code errno[0]} when the kernel refuses. */
    static BpfLink tryCreate(BpfProgram program, int targetFd, int attachType, int flags, String hook, int[] errno) {
        Libbpf lib = Libbpf.get();
        int rc = tryCreate(lib, program, targetFd, attachType, flags);
        if (rc < 0) {
            errno[0] = -rc;
            return null;
        }
        return new BpfLink(lib, rc, program.name(), hook);
    }

    private static int tryCreate(Libbpf lib, BpfProgram program, int targetFd, int attachType, int flags) {
        int programFd = program.fd();
        try (Arena arena = Arena.ofConfined()) {
            // struct bpf_link_create_opts as far as flags; libbpf reads what sz covers.
            MemorySegment opts = arena.allocate(16, 8);
            opts.set(JAVA_LONG, 0, 16);
            opts.set(JAVA_INT, 8, flags);
            return Libbpf.call(() -> (int) lib.linkCreate.invokeExact(programFd, targetFd, attachType, opts));
        }
    }

    /** Replaces the linked program atomically (no moment without a program). */
    void update(BpfProgram next) {
        int nextFd = next.fd();
        int rc = Libbpf.call(() -> (int) lib.linkUpdate.invokeExact(fd, nextFd, MemorySegment.NULL));
        Libbpf.check(rc, "bpf_link_update", "program " + next.name() + " replacing " + program + ", hook " + hook);
        program = next.name();
    }

    /** The kernel's link id ({@code bpftool link show id <id>}). */
    int id() {
        return lib.objectId(fd, "link of " + program + ", hook " + hook);
    }

    String program() {
        return program;
    }

    String hook() {
        return hook;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        Libc.close(fd);
    }
}

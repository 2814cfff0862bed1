package org.electrolab.replica.offload;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The libbpf 1.x functions electrolab calls, bound through FFM to the system {@code libbpf.so.1}.
 * Only these; each wrapper returns what libbpf returns (a negative errno for int functions, libbpf
 * 1.0 semantics) and callers turn failures into {@link BpfException}s that name what failed.
 */
final class Libbpf {

    static final String LIBRARY = "libbpf.so.1";

    /** enum bpf_attach_type values used with bpf_link_create (stable kernel ABI). */
    static final int BPF_XDP = 37;
    static final int BPF_TCX_EGRESS = 47;
    /** XDP attach flags (linux/if_link.h). */
    static final int XDP_FLAGS_SKB_MODE = 1 << 1;
    static final int XDP_FLAGS_DRV_MODE = 1 << 2;
    /** enum bpf_tc_attach_point. */
    static final int BPF_TC_INGRESS = 1;
    static final int BPF_TC_EGRESS = 2;
    /** enum bpf_map_type values electrolab reads back. */
    static final int BPF_MAP_TYPE_PERCPU_ARRAY = 6;
    /** Map update/lookup flags. */
    static final long BPF_ANY = 0;
    static final long BPF_F_LOCK = 4;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final VarHandle ERRNO = Linker.Option.captureStateLayout()
            .varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static volatile Libbpf instance;

    final MethodHandle setPrint;
    final MethodHandle objectOpenMem;
    final MethodHandle objectLoad;
    final MethodHandle objectClose;
    final MethodHandle findProgram;
    final MethodHandle nextProgram;
    final MethodHandle programName;
    final MethodHandle programSectionName;
    final MethodHandle programSetLogBuf;
    final MethodHandle findMap;
    final MethodHandle programFd;
    final MethodHandle mapFd;
    final MethodHandle mapKeySize;
    final MethodHandle mapValueSize;
    final MethodHandle mapType;
    final MethodHandle mapSetInitialValue;
    final MethodHandle mapSetMaxEntries;
    final MethodHandle mapReuseFd;
    final MethodHandle mapUpdate;
    final MethodHandle mapLookup;
    final MethodHandle mapDelete;
    final MethodHandle mapGetNextKey;
    final MethodHandle mapGetFdById;
    final MethodHandle numPossibleCpus;
    final MethodHandle linkCreate;
    final MethodHandle linkUpdate;
    final MethodHandle tcHookCreate;
    final MethodHandle tcHookDestroy;
    final MethodHandle tcAttach;
    final MethodHandle tcQuery;
    final MethodHandle tcDetach;
    final MethodHandle ringBufferNew;
    final MethodHandle ringBufferPoll;
    final MethodHandle ringBufferConsume;
    final MethodHandle ringBufferFree;
    final MethodHandle ringBufferEpollFd;
    final MethodHandle testRun;
    final MethodHandle objGetInfoByFd;
    final MethodHandle progGetNextId;
    final MethodHandle progGetFdById;

    private Libbpf(SymbolLookup lib) {
        setPrint = bind(lib, "libbpf_set_print", FunctionDescriptor.of(ADDRESS, ADDRESS));
        objectOpenMem = bindErrno(lib, "bpf_object__open_mem", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
        objectLoad = bind(lib, "bpf_object__load", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        objectClose = bind(lib, "bpf_object__close", FunctionDescriptor.ofVoid(ADDRESS));
        findProgram = bind(lib, "bpf_object__find_program_by_name", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        nextProgram = bind(lib, "bpf_object__next_program", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        programName = bind(lib, "bpf_program__name", FunctionDescriptor.of(ADDRESS, ADDRESS));
        programSectionName = bind(lib, "bpf_program__section_name", FunctionDescriptor.of(ADDRESS, ADDRESS));
        programSetLogBuf = bind(lib, "bpf_program__set_log_buf", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
        findMap = bind(lib, "bpf_object__find_map_by_name", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        programFd = bind(lib, "bpf_program__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        mapFd = bind(lib, "bpf_map__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        mapKeySize = bind(lib, "bpf_map__key_size", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        mapValueSize = bind(lib, "bpf_map__value_size", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        mapType = bind(lib, "bpf_map__type", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        mapSetInitialValue = bind(lib, "bpf_map__set_initial_value", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
        mapSetMaxEntries = bind(lib, "bpf_map__set_max_entries", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        mapReuseFd = bind(lib, "bpf_map__reuse_fd", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        // By fd (bpf.h), so that a map opened by id works like a map of an object of ours.
        mapUpdate = bind(lib, "bpf_map_update_elem", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
        mapLookup = bind(lib, "bpf_map_lookup_elem_flags", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
        mapDelete = bind(lib, "bpf_map_delete_elem", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
        mapGetNextKey = bind(lib, "bpf_map_get_next_key", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        mapGetFdById = bind(lib, "bpf_map_get_fd_by_id", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        numPossibleCpus = bind(lib, "libbpf_num_possible_cpus", FunctionDescriptor.of(JAVA_INT));
        linkCreate = bind(lib, "bpf_link_create", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
        linkUpdate = bind(lib, "bpf_link_update", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
        tcHookCreate = bind(lib, "bpf_tc_hook_create", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        tcHookDestroy = bind(lib, "bpf_tc_hook_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        tcAttach = bind(lib, "bpf_tc_attach", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        tcQuery = bind(lib, "bpf_tc_query", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        tcDetach = bind(lib, "bpf_tc_detach", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        ringBufferNew = bindErrno(lib, "ring_buffer__new", FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        ringBufferPoll = bind(lib, "ring_buffer__poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        ringBufferConsume = bind(lib, "ring_buffer__consume", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        ringBufferFree = bind(lib, "ring_buffer__free", FunctionDescriptor.ofVoid(ADDRESS));
        ringBufferEpollFd = bind(lib, "ring_buffer__epoll_fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        testRun = bind(lib, "bpf_prog_test_run_opts", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
        objGetInfoByFd = bind(lib, "bpf_obj_get_info_by_fd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        progGetNextId = bind(lib, "bpf_prog_get_next_id", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
        progGetFdById = bind(lib, "bpf_prog_get_fd_by_id", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }

    /** The bound library; throws a one-line BpfException when libbpf.so.1 is not installed. */
    static Libbpf get() {
        Libbpf lib = instance;
        if (lib != null) return lib;
        synchronized (Libbpf.class) {
            if (instance == null) {
                SymbolLookup lookup;
                try {
                    lookup = SymbolLookup.libraryLookup(LIBRARY, Arena.global());
                } catch (IllegalArgumentException e) {
                    throw new BpfException(LIBRARY + " not found: install libbpf 1.x (Debian/Ubuntu: apt-get install libbpf1)");
                }
                instance = new Libbpf(lookup);
                LibbpfLog.install(instance);
            }
            return instance;
        }
    }

    private static MethodHandle bind(SymbolLookup lib, String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(symbol(lib, name), descriptor);
    }

    /** Functions that report failure only through errno (the pointer-returning ones). */
    private static MethodHandle bindErrno(SymbolLookup lib, String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(symbol(lib, name), descriptor, Linker.Option.captureCallState("errno"));
    }

    private static MemorySegment symbol(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() ->
                new BpfException(LIBRARY + " has no " + name + ": electrolab needs libbpf 1.1 or newer"));
    }

    /** A capture-state segment for the errno-capturing handles. */
    static MemorySegment errnoState(Arena arena) {
        return arena.allocate(Linker.Option.captureStateLayout());
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    @FunctionalInterface
    interface NativeCall<T> {
        T call() throws Throwable;
    }

    /** Runs a downcall; invokeExact declares Throwable, which a downcall never throws in practice. */
    static <T> T call(NativeCall<T> downcall) {
        try {
            return downcall.call();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * The kernel's id of the program, map or link behind fd (what bpftool shows): the second u32 of
     * struct bpf_prog_info, bpf_map_info and bpf_link_info alike.
     */
    int objectId(int fd, String target) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(16, 8);
            MemorySegment length = arena.allocateFrom(JAVA_INT, 16);
            int rc = call(() -> (int) objGetInfoByFd.invokeExact(fd, info, length));
            check(rc, "bpf_obj_get_info_by_fd", target);
            return info.get(JAVA_INT, 4);
        }
    }

    /**
     * Fills {@code info} (a struct bpf_prog_info, bpf_map_info or bpf_link_info, or the head of one)
     * with what the kernel says of the object behind fd; fields set beforehand ask for more (the
     * buffer for a program's map ids).
     */
    void objectInfo(int fd, MemorySegment info, String target) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment length = arena.allocateFrom(JAVA_INT, (int) info.byteSize());
            int rc = call(() -> (int) objGetInfoByFd.invokeExact(fd, info, length));
            check(rc, "bpf_obj_get_info_by_fd", target);
        }
    }

    /** Throws when a libbpf int result is a negative errno; returns it otherwise. */
    static int check(int rc, String operation, String target) {
        if (rc < 0) throw new BpfException(operation, target, -rc);
        return rc;
    }
}

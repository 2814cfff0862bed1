package org.electrolab.replica.offload;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.electrolab.protocol.Check;

/**
 * One eBPF object file opened with libbpf: set its read-only data and map sizes, share maps with
 * another object, load it, then find its programs and maps by name. Closing it unloads every
 * program and map it holds (attachments hold their own references; close them first).
 */
public final class BpfObject implements AutoCloseable {

    /** Room for a refused program's verifier log at level 1: libbpf's own default size. */
    static final int VERIFIER_LOG_BYTES = 16 << 20;

    private final Libbpf lib = Libbpf.get();
    /** Holds the ELF image, which libbpf reads in place until the object is loaded, and the names. */
    private final Arena arena = Arena.ofShared();
    private final String name;
    private final MemorySegment object;
    private final Map<String, BpfMap> maps = new ConcurrentHashMap<>();
    private final Map<String, BpfProgram> programs = new ConcurrentHashMap<>();
    private boolean loaded;
    private boolean closed;

    private BpfObject(String name, byte[] elf) {
        this.name = name;
        MemorySegment image = arena.allocate(elf.length, 8).copyFrom(MemorySegment.ofArray(elf));
        // struct bpf_object_open_opts, only as far as object_name: libbpf reads what sz covers.
        MemorySegment opts = arena.allocate(16, 8);
        opts.set(JAVA_LONG, 0, 16);
        opts.set(ADDRESS, 8, arena.allocateFrom(name));
        MemorySegment errno = Libbpf.errnoState(arena);
        MemorySegment object = Libbpf.call(() ->
                (MemorySegment) lib.objectOpenMem.invokeExact(errno, image, (long) elf.length, opts));
        if (object.equals(MemorySegment.NULL)) {
            int code = Libbpf.errno(errno);
            arena.close();
            throw new BpfException("bpf_object__open_mem", "object " + name, code);
        }
        this.object = object;
    }

    /** Opens an object from its ELF bytes; {@code name} appears in libbpf's log and in errors. */
    public static BpfObject open(String name, byte[] elf) {
        return new BpfObject(name, elf);
    }

    /** Opens {@code bpf/<name>.bpf.o} from the classpath (the replica jar holds the built programs). */
    public static BpfObject openResource(String name) {
        String resource = "/bpf/" + name + ".bpf.o";
        try (InputStream in = BpfObject.class.getResourceAsStream(resource)) {
            if (in == null) throw new BpfException(resource + " is not on the classpath: build the replica module with clang installed");
            return open(name, in.readAllBytes());
        } catch (IOException e) {
            throw new BpfException("reading " + resource + " failed: " + e.getMessage());
        }
    }

    public String name() {
        return name;
    }

    /** Sets the program's {@code const volatile} values (the .rodata section) before load. */
    public void setReadOnlyData(byte[] rodata) {
        checkOpenNotLoaded();
        MemorySegment map = findMap(".rodata");
        try (Arena call = Arena.ofConfined()) {
            MemorySegment data = call.allocate(rodata.length).copyFrom(MemorySegment.ofArray(rodata));
            int rc = Libbpf.call(() -> (int) lib.mapSetInitialValue.invokeExact(map, data, (long) rodata.length));
            Libbpf.check(rc, "bpf_map__set_initial_value", "map .rodata of " + name + " (" + rodata.length + " bytes)");
        }
    }

    /** Resizes map {@code mapName} before load (e.g. a ring buffer's bytes). */
    public void setMaxEntries(String mapName, int maxEntries) {
        checkOpenNotLoaded();
        MemorySegment map = findMap(mapName);
        int rc = Libbpf.call(() -> (int) lib.mapSetMaxEntries.invokeExact(map, maxEntries));
        Libbpf.check(rc, "bpf_map__set_max_entries", "map " + mapName + " of " + name);
    }

    /** Makes this object use {@code shared} (a loaded map of another object) for its map of that name. */
    public void reuseMap(BpfMap shared) {
        checkOpenNotLoaded();
        MemorySegment map = findMap(shared.name());
        int fd = shared.fd();
        int rc = Libbpf.call(() -> (int) lib.mapReuseFd.invokeExact(map, fd));
        Libbpf.check(rc, "bpf_map__reuse_fd", "map " + shared.name() + " of " + name);
    }

    /**
     * Loads every program and creates every map. When the verifier refuses a program, throws a
     * {@link VerifierRefusal} that names it and holds the verifier's log: each program gets a log
     * buffer of ours, which libbpf fills by loading again at log level 1 after a refusal.
     */
    public void load() {
        checkOpenNotLoaded();
        try (Arena logs = Arena.ofConfined()) {
            Map<MemorySegment, MemorySegment> logOf = new LinkedHashMap<>();
            for (MemorySegment p = nextProgram(MemorySegment.NULL); !p.equals(MemorySegment.NULL); p = nextProgram(p)) {
                MemorySegment buffer = logs.allocate(VERIFIER_LOG_BYTES);
                MemorySegment program = p;
                int rc = Libbpf.call(() -> (int) lib.programSetLogBuf.invokeExact(program, buffer, (long) VERIFIER_LOG_BYTES));
                Libbpf.check(rc, "bpf_program__set_log_buf", "object " + name);
                logOf.put(program, buffer);
            }
            int rc = Libbpf.call(() -> (int) lib.objectLoad.invokeExact(object));
            if (rc < 0) {
                for (Map.Entry<MemorySegment, MemorySegment> e : logOf.entrySet()) {
                    String log = e.getValue().getString(0);
                    if (!log.isBlank()) {
                        throw new VerifierRefusal(string(lib.programName, e.getKey()), string(lib.programSectionName, e.getKey()),
                                kernelRelease(), -rc, log);
                    }
                }
                Libbpf.check(rc, "bpf_object__load", "object " + name);
            }
        }
        loaded = true;
    }

    private MemorySegment nextProgram(MemorySegment previous) {
        return Libbpf.call(() -> (MemorySegment) lib.nextProgram.invokeExact(object, previous));
    }

    private static String string(MethodHandle getter, MemorySegment program) {
        MemorySegment text = Libbpf.call(() -> (MemorySegment) getter.invokeExact(program));
        return text.equals(MemorySegment.NULL) ? "?" : text.reinterpret(Long.MAX_VALUE).getString(0);
    }

    /** The running kernel's release, as {@code uname -r} prints it. */
    static String kernelRelease() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            return "unknown release";
        }
    }

    public BpfProgram program(String programName) {
        checkLoaded();
        return programs.computeIfAbsent(programName, n -> {
            MemorySegment program = Libbpf.call(() ->
                    (MemorySegment) lib.findProgram.invokeExact(object, arena.allocateFrom(n)));
            if (program.equals(MemorySegment.NULL)) throw new BpfException("bpf_object__find_program_by_name", "program " + n + " in " + name, Errno.ENOENT);
            return new BpfProgram(lib, n, program);
        });
    }

    public BpfMap map(String mapName) {
        checkLoaded();
        return maps.computeIfAbsent(mapName, n -> BpfMap.ofObject(lib, n, findMap(n)));
    }

    private MemorySegment findMap(String mapName) {
        MemorySegment map = Libbpf.call(() ->
                (MemorySegment) lib.findMap.invokeExact(object, arena.allocateFrom(mapName)));
        if (map.equals(MemorySegment.NULL)) throw new BpfException("bpf_object__find_map_by_name", "map " + mapName + " in " + name, Errno.ENOENT);
        return map;
    }

    private void checkOpenNotLoaded() {
        Check.that(!closed && !loaded, "object %s is open and not loaded yet", name);
    }

    private void checkLoaded() {
        Check.that(!closed && loaded, "object %s is loaded and open", name);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        Libbpf.call(() -> {
            lib.objectClose.invokeExact(object);
            return null;
        });
        arena.close();
    }
}

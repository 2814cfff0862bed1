package org.electrolab.replica.offload;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A map, keyed by a 32-bit value (every electrolab map is an array, a hash of IPv4 addresses or a
 * ring buffer): one of a loaded {@link BpfObject}, or one {@link #openById opened by its kernel id}
 * (of a program another process loaded). Values are raw bytes in the layout of the C headers in
 * bpf/. Closing releases a map opened by id; an object's maps go with the object.
 */
public final class BpfMap implements AutoCloseable {

    private final Libbpf lib;
    private final String name;
    private final int fd;
    private final int keySize;
    private final int valueSize;
    private final int type;
    private final boolean ownsFd;
    private boolean closed;

    private BpfMap(Libbpf lib, String name, int fd, int keySize, int valueSize, int type, boolean ownsFd) {
        this.lib = lib;
        this.name = name;
        this.fd = fd;
        this.keySize = keySize;
        this.valueSize = valueSize;
        this.type = type;
        this.ownsFd = ownsFd;
    }

    /** Map {@code map} of a loaded object, whose fd libbpf holds until the object closes. */
    static BpfMap ofObject(Libbpf lib, String name, MemorySegment map) {
        int fd = Libbpf.check(Libbpf.call(() -> (int) lib.mapFd.invokeExact(map)), "bpf_map__fd", "map " + name);
        return new BpfMap(lib, name, fd, Libbpf.call(() -> (int) lib.mapKeySize.invokeExact(map)),
                Libbpf.call(() -> (int) lib.mapValueSize.invokeExact(map)), Libbpf.call(() -> (int) lib.mapType.invokeExact(map)), false);
    }

    /** The map with kernel id {@code id} ({@code bpftool map show id}); close it when done. */
    public static BpfMap openById(int id) {
        Libbpf lib = Libbpf.get();
        int fd = Libbpf.check(Libbpf.call(() -> (int) lib.mapGetFdById.invokeExact(id)), "bpf_map_get_fd_by_id", "map id " + id);
        try {
            BpfMapInfo info = BpfMapInfo.of(lib, fd, "map id " + id);
            return new BpfMap(lib, info.name(), fd, info.keySize(), info.valueSize(), info.type(), true);
        } catch (RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    public String name() {
        return name;
    }

    public int fd() {
        return fd;
    }

    /** The kernel's map id ({@code bpftool map dump id <id>}). */
    public int id() {
        return lib.objectId(fd, "map " + name);
    }

    /** Bytes of one value (of one CPU's value for a per-CPU map). */
    public int valueSize() {
        return valueSize;
    }

    public boolean isPerCpu() {
        return type == Libbpf.BPF_MAP_TYPE_PERCPU_ARRAY;
    }

    /** Writes value at key, creating or replacing it. */
    public void update(int key, byte[] value) {
        update(key, value, Libbpf.BPF_ANY);
    }

    /** Writes value at key; {@code flags} is {@link Libbpf#BPF_ANY} or {@link Libbpf#BPF_F_LOCK}. */
    public void update(int key, byte[] value, long flags) {
        String target = "map " + name + " index " + key;
        checkValue("bpf_map_update_elem", target, value.length);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocateFrom(JAVA_INT, key);
            MemorySegment data = arena.allocate(value.length, 8).copyFrom(MemorySegment.ofArray(value));
            int rc = Libbpf.call(() -> (int) lib.mapUpdate.invokeExact(fd, k, data, flags));
            Libbpf.check(rc, "bpf_map_update_elem", target);
        }
    }

    /** Reads the value at key (one value; see {@link #lookupPerCpu} for per-CPU maps). */
    public byte[] lookup(int key) {
        return lookup(key, Libbpf.BPF_ANY);
    }

    /** Reads the value at key; {@code flags} is {@link Libbpf#BPF_ANY} or {@link Libbpf#BPF_F_LOCK}. */
    public byte[] lookup(int key, long flags) {
        String target = "map " + name + " index " + key;
        checkValue("bpf_map_lookup_elem_flags", target, valueSize);
        return lookupBytes(key, valueSize, flags, target);
    }

    /** Reads every CPU's value at key of a per-CPU map. */
    public byte[][] lookupPerCpu(int key) {
        String target = "map " + name + " index " + key;
        checkKey("bpf_map_lookup_elem_flags", target);
        if (!isPerCpu()) throw new BpfException("bpf_map_lookup_elem_flags", target + " (not a per-CPU map)", Errno.EINVAL);
        int cpus = Libbpf.call(() -> (int) lib.numPossibleCpus.invokeExact());
        Libbpf.check(cpus, "libbpf_num_possible_cpus", "map " + name);
        int stride = (valueSize + 7) & ~7;
        byte[] all = lookupBytes(key, stride * cpus, Libbpf.BPF_ANY, target);
        byte[][] values = new byte[cpus][];
        for (int cpu = 0; cpu < cpus; cpu++) {
            values[cpu] = Arrays.copyOfRange(all, cpu * stride, cpu * stride + valueSize);
        }
        return values;
    }

    /** Removes key from a hash map; false when it was not there. */
    public boolean delete(int key) {
        String target = "map " + name + " key " + key;
        checkKey("bpf_map_delete_elem", target);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocateFrom(JAVA_INT, key);
            int rc = Libbpf.call(() -> (int) lib.mapDelete.invokeExact(fd, k));
            if (rc == -Errno.ENOENT) return false;
            Libbpf.check(rc, "bpf_map_delete_elem", target);
            return true;
        }
    }

    /** Every key the map holds now, in the kernel's order (an array's indexes, a hash's keys). */
    public List<Integer> keys() {
        checkKey("bpf_map_get_next_key", "map " + name);
        List<Integer> keys = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment current = arena.allocate(JAVA_INT);
            MemorySegment next = arena.allocate(JAVA_INT);
            MemorySegment previous = MemorySegment.NULL;
            while (true) {
                MemorySegment after = previous;
                int rc = Libbpf.call(() -> (int) lib.mapGetNextKey.invokeExact(fd, after, next));
                if (rc == -Errno.ENOENT) return keys;
                Libbpf.check(rc, "bpf_map_get_next_key", "map " + name);
                keys.add(next.get(JAVA_INT, 0));
                current.copyFrom(next);
                previous = current;
            }
        }
    }

    private byte[] lookupBytes(int key, int size, long flags, String target) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocateFrom(JAVA_INT, key);
            MemorySegment data = arena.allocate(size, 8);
            int rc = Libbpf.call(() -> (int) lib.mapLookup.invokeExact(fd, k, data, flags));
            Libbpf.check(rc, "bpf_map_lookup_elem_flags", target);
            return data.toArray(JAVA_BYTE);
        }
    }

    /**
     * The kernel reads and writes as many bytes as the map's keys and values hold, whatever the
     * buffers we pass: a key or value of another size is refused here, as libbpf's bpf_map__ calls
     * refuse it, rather than read past or written past.
     */
    private void checkKey(String operation, String target) {
        if (closed) throw new IllegalStateException("map " + name + " is closed");
        if (keySize != Integer.BYTES) throw new BpfException(operation, target + " (its keys are " + keySize + " bytes, not 4)", Errno.EINVAL);
    }

    private void checkValue(String operation, String target, int bytes) {
        checkKey(operation, target);
        if (isPerCpu()) throw new BpfException(operation, target + " (a per-CPU map: use lookupPerCpu)", Errno.EINVAL);
        if (bytes != valueSize) {
            throw new BpfException(operation, target + " (its values are " + valueSize + " bytes, not " + bytes + ")", Errno.EINVAL);
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (ownsFd) Libc.close(fd);
    }
}

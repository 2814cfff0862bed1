package org.electrolab.replica.offload;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A map of a loaded {@link BpfObject}, keyed by a 32-bit index (every electrolab map is an array or
 * a ring buffer). Values are raw bytes in the layout of bpf/electrolab_offload.h.
 */
public final class BpfMap {

    private final Libbpf lib;
    private final String name;
    private final MemorySegment map;

    BpfMap(Libbpf lib, String name, MemorySegment map) {
        this.lib = lib;
        this.name = name;
        this.map = map;
    }

    public String name() {
        return name;
    }

    public int fd() {
        int fd = Libbpf.call(() -> (int) lib.mapFd.invokeExact(map));
        return Libbpf.check(fd, "bpf_map__fd", "map " + name);
    }

    /** The kernel's map id ({@code bpftool map dump id <id>}). */
    public int id() {
        return lib.objectId(fd(), "map " + name);
    }

    /** Bytes of one value (of one CPU's value for a per-CPU map). */
    public int valueSize() {
        return Libbpf.call(() -> (int) lib.mapValueSize.invokeExact(map));
    }

    public boolean isPerCpu() {
        return Libbpf.call(() -> (int) lib.mapType.invokeExact(map)) == Libbpf.BPF_MAP_TYPE_PERCPU_ARRAY;
    }

    /** Writes value at index; {@code flags} is {@link Libbpf#BPF_ANY} or {@link Libbpf#BPF_F_LOCK}. */
    public void update(int index, byte[] value, long flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocateFrom(JAVA_INT, index);
            MemorySegment data = arena.allocate(value.length, 8).copyFrom(MemorySegment.ofArray(value));
            int rc = Libbpf.call(() -> (int) lib.mapUpdate.invokeExact(map, key, 4L, data, (long) value.length, flags));
            Libbpf.check(rc, "bpf_map__update_elem", "map " + name + " index " + index);
        }
    }

    /** Reads the value at index (one value; see {@link #lookupPerCpu} for per-CPU maps). */
    public byte[] lookup(int index, long flags) {
        return lookupBytes(index, valueSize(), flags);
    }

    /** Reads every CPU's value at index of a per-CPU map. */
    public byte[][] lookupPerCpu(int index) {
        int cpus = Libbpf.call(() -> (int) lib.numPossibleCpus.invokeExact());
        Libbpf.check(cpus, "libbpf_num_possible_cpus", "map " + name);
        int stride = (valueSize() + 7) & ~7;
        byte[] all = lookupBytes(index, stride * cpus, Libbpf.BPF_ANY);
        byte[][] values = new byte[cpus][];
        for (int cpu = 0; cpu < cpus; cpu++) {
            values[cpu] = Arrays.copyOfRange(all, cpu * stride, cpu * stride + valueSize());
        }
        return values;
    }

    private byte[] lookupBytes(int index, int size, long flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocateFrom(JAVA_INT, index);
            MemorySegment data = arena.allocate(size, 8);
            int rc = Libbpf.call(() -> (int) lib.mapLookup.invokeExact(map, key, 4L, data, (long) size, flags));
            Libbpf.check(rc, "bpf_map__lookup_elem", "map " + name + " index " + index);
            return data.toArray(JAVA_BYTE);
        }
    }
}

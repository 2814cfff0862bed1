package org.electrolab.replica.offload;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * struct bpf_map_info (linux/bpf.h), as far as the map's name: what the kernel says of a map.
 *
 * @param name the map's name as the kernel keeps it (at most 15 characters)
 */
public record BpfMapInfo(int id, int type, int keySize, int valueSize, int maxEntries, String name) {

    /** The head of the C struct; OffloadLayoutTest holds its offsets to linux/bpf.h. */
    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("type"),
            JAVA_INT.withName("id"),
            JAVA_INT.withName("key_size"),
            JAVA_INT.withName("value_size"),
            JAVA_INT.withName("max_entries"),
            JAVA_INT.withName("map_flags"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("name"));

    /** The map behind fd. */
    static BpfMapInfo of(Libbpf lib, int fd, String target) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(LAYOUT);
            lib.objectInfo(fd, info, target);
            return new BpfMapInfo(get(info, "id"), get(info, "type"), get(info, "key_size"), get(info, "value_size"),
                    get(info, "max_entries"), info.asSlice(LAYOUT.byteOffset(groupElement("name")), 16).getString(0));
        }
    }

    private static int get(MemorySegment info, String field) {
        return info.get(JAVA_INT, LAYOUT.byteOffset(groupElement(field)));
    }
}

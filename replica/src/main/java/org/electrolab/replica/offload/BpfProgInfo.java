package org.electrolab.replica.offload;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * struct bpf_prog_info (linux/bpf.h), as far as the program's name: what the kernel says of a
 * loaded program, whoever loaded it.
 *
 * @param name the program's name as the kernel keeps it (at most 15 characters)
 * @param mapIds the kernel ids of the maps it uses ({@link BpfMap#openById} opens one)
 */
public record BpfProgInfo(int id, String name, List<Integer> mapIds) {

    /** The head of the C struct; OffloadLayoutTest holds its offsets to linux/bpf.h. */
    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("type"),
            JAVA_INT.withName("id"),
            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("tag"),
            JAVA_INT.withName("jited_prog_len"),
            JAVA_INT.withName("xlated_prog_len"),
            JAVA_LONG.withName("jited_prog_insns"),
            JAVA_LONG.withName("xlated_prog_insns"),
            JAVA_LONG.withName("load_time"),
            JAVA_INT.withName("created_by_uid"),
            JAVA_INT.withName("nr_map_ids"),
            JAVA_LONG.withName("map_ids"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("name"));

    private static final long NR_MAP_IDS = LAYOUT.byteOffset(groupElement("nr_map_ids"));
    private static final long MAP_IDS = LAYOUT.byteOffset(groupElement("map_ids"));

    /** The program with kernel id {@code id} ({@code bpftool prog show id}), or empty when there is none (any more). */
    public static Optional<BpfProgInfo> ofId(int id) {
        Libbpf lib = Libbpf.get();
        int fd = Libbpf.call(() -> (int) lib.progGetFdById.invokeExact(id));
        if (fd == -Errno.ENOENT) return Optional.empty();
        String target = "program id " + id;
        Libbpf.check(fd, "bpf_prog_get_fd_by_id", target);
        try (Arena arena = Arena.ofConfined()) {
            // Twice: the first answer says how many maps, the second fills a buffer of that size.
            MemorySegment info = arena.allocate(LAYOUT);
            lib.objectInfo(fd, info, target);
            int maps = info.get(JAVA_INT, NR_MAP_IDS);
            MemorySegment ids = arena.allocate(JAVA_INT, Math.max(maps, 1));
            info.fill((byte) 0);
            info.set(JAVA_INT, NR_MAP_IDS, maps);
            info.set(JAVA_LONG, MAP_IDS, ids.address());
            lib.objectInfo(fd, info, target);
            int filled = Math.min(maps, info.get(JAVA_INT, NR_MAP_IDS));
            return Optional.of(new BpfProgInfo(info.get(JAVA_INT, LAYOUT.byteOffset(groupElement("id"))),
                    info.asSlice(LAYOUT.byteOffset(groupElement("name")), 16).getString(0),
                    IntStream.range(0, filled).mapToObj(i -> ids.getAtIndex(JAVA_INT, i)).toList()));
        } finally {
            Libc.close(fd);
        }
    }
}

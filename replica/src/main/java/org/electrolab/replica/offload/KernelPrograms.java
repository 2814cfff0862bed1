package org.electrolab.replica.offload;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/** The eBPF programs loaded in the kernel now, by anyone (what {@code bpftool prog show} lists). */
public final class KernelPrograms {
    private KernelPrograms() {}

    // struct bpf_prog_info: name[BPF_OBJ_NAME_LEN] at offset 64 (stable kernel ABI).
    private static final int INFO_SIZE = 96;
    private static final int INFO_NAME = 64;
    private static final int NAME_LEN = 16;

    /** The names of every loaded program (the kernel keeps the first 15 characters). */
    public static List<String> names() {
        Libbpf lib = Libbpf.get();
        List<String> names = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment next = arena.allocate(JAVA_INT);
            MemorySegment info = arena.allocate(INFO_SIZE, 8);
            MemorySegment length = arena.allocate(JAVA_INT);
            int id = 0;
            while (true) {
                int start = id;
                int rc = Libbpf.call(() -> (int) lib.progGetNextId.invokeExact(start, next));
                if (rc == -Errno.ENOENT) return names;
                Libbpf.check(rc, "bpf_prog_get_next_id", "program after id " + start);
                id = next.get(JAVA_INT, 0);
                int current = id;
                int fd = Libbpf.call(() -> (int) lib.progGetFdById.invokeExact(current));
                if (fd == -Errno.ENOENT) continue; // unloaded meanwhile
                Libbpf.check(fd, "bpf_prog_get_fd_by_id", "program id " + current);
                try {
                    info.fill((byte) 0);
                    length.set(JAVA_INT, 0, INFO_SIZE);
                    int infoRc = Libbpf.call(() -> (int) lib.objGetInfoByFd.invokeExact(fd, info, length));
                    Libbpf.check(infoRc, "bpf_obj_get_info_by_fd", "program id " + current);
                    names.add(info.asSlice(INFO_NAME, NAME_LEN).getString(0));
                } finally {
                    Libc.close(fd);
                }
            }
        }
    }
}

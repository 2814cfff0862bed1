package org.electrolab.replica.offload;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/** The eBPF programs loaded in the kernel now, by anyone (what {@code bpftool prog show} lists). */
public final class KernelPrograms {
    private KernelPrograms() {}

    /** The names of every loaded program (the kernel keeps the first 15 characters). */
    public static List<String> names() {
        Libbpf lib = Libbpf.get();
        List<String> names = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment next = arena.allocate(JAVA_INT);
            int id = 0;
            while (true) {
                int start = id;
                int rc = Libbpf.call(() -> (int) lib.progGetNextId.invokeExact(start, next));
                if (rc == -Errno.ENOENT) return names;
                Libbpf.check(rc, "bpf_prog_get_next_id", "program after id " + start);
                id = next.get(JAVA_INT, 0);
                // Empty when it was unloaded meanwhile.
                BpfProgInfo.ofId(id).ifPresent(info -> names.add(info.name()));
            }
        }
    }
}

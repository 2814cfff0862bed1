package org.electrolab.replica.offload;

import static org.assertj.core.api.Assertions.assertThat;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.electrolab.replica.core.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles bpf/electrolab_offload.h, bpf/fault_inject.h, linux/bpf.h and libbpf's headers with the
 * system C compiler and fails when the Java side disagrees: struct el_state and el_config as Java
 * encodes them, the counter names (an unknown name does not compile), the Java mirrors declared as
 * FFM struct layouts (fault_config, and the heads of bpf_prog_info and bpf_map_info), and the
 * libbpf option structs the FFM facade fills by offset.
 */
class OffloadLayoutTest {

    private static final Path BPF = Path.of("..", "bpf").toAbsolutePath().normalize();

    @Test
    void javaLayoutsEqualTheCHeaders(@TempDir Path dir) throws Exception {
        Map<String, Long> expected = new LinkedHashMap<>();
        expected.put("sizeof(struct el_config)", 16L);
        expected.put("sizeof(struct el_state)", (long) ElState.SIZE);
        expected.put("offsetof(struct el_prepare_record, msg)", 8L);
        expected.put("EL_QUORUM_WINDOW", (long) QuorumModel.WINDOW);
        for (OffloadProgram offload : OffloadProgram.values()) {
            String struct = "struct el_" + offload.program + "_counters";
            expected.put("sizeof(" + struct + ")", 8L * offload.counterNames.size());
            for (int i = 0; i < offload.counterNames.size(); i++) {
                expected.put("offsetof(" + struct + ", " + offload.counterNames.get(i) + ")", 8L * i);
            }
            expected.put("EL_OFFLOAD_" + offload.name(), (long) offload.stateBit);
        }
        expected.put("sizeof(struct bpf_test_run_opts)", (long) BpfProgram.OPTS_SIZE);
        expected.put("offsetof(struct bpf_test_run_opts, data_in)", (long) BpfProgram.OPTS_DATA_IN);
        expected.put("offsetof(struct bpf_test_run_opts, data_out)", (long) BpfProgram.OPTS_DATA_OUT);
        expected.put("offsetof(struct bpf_test_run_opts, data_size_in)", (long) BpfProgram.OPTS_DATA_SIZE_IN);
        expected.put("offsetof(struct bpf_test_run_opts, data_size_out)", (long) BpfProgram.OPTS_DATA_SIZE_OUT);
        expected.put("offsetof(struct bpf_test_run_opts, ctx_in)", (long) BpfProgram.OPTS_CTX_IN);
        expected.put("offsetof(struct bpf_test_run_opts, ctx_size_in)", (long) BpfProgram.OPTS_CTX_SIZE_IN);
        expected.put("offsetof(struct bpf_test_run_opts, retval)", (long) BpfProgram.OPTS_RETVAL);
        expected.put("offsetof(struct bpf_test_run_opts, repeat)", (long) BpfProgram.OPTS_REPEAT);
        expected.put("offsetof(struct bpf_test_run_opts, duration)", (long) BpfProgram.OPTS_DURATION);
        expected.put("sizeof(struct bpf_tc_hook)", (long) TcEgress.HOOK_SIZE);
        expected.put("offsetof(struct bpf_tc_hook, ifindex)", (long) TcEgress.HOOK_IFINDEX);
        expected.put("offsetof(struct bpf_tc_hook, attach_point)", (long) TcEgress.HOOK_ATTACH_POINT);
        expected.put("sizeof(struct bpf_tc_opts)", (long) TcEgress.OPTS_SIZE);
        expected.put("offsetof(struct bpf_tc_opts, prog_fd)", (long) TcEgress.OPTS_PROG_FD);
        expected.put("offsetof(struct bpf_tc_opts, prog_id)", (long) TcEgress.OPTS_PROG_ID);
        expected.put("offsetof(struct bpf_tc_opts, handle)", (long) TcEgress.OPTS_HANDLE);
        expected.put("offsetof(struct bpf_tc_opts, priority)", (long) TcEgress.OPTS_PRIORITY);
        expected.put("offsetof(struct bpf_link_create_opts, flags)", 8L);
        expected.put("offsetof(struct bpf_object_open_opts, object_name)", 8L);
        expected.put("BPF_TC_INGRESS", (long) Libbpf.BPF_TC_INGRESS);
        expected.put("BPF_TC_EGRESS", (long) Libbpf.BPF_TC_EGRESS);
        expected.put("BPF_XDP", (long) Libbpf.BPF_XDP);
        expected.put("BPF_F_LOCK", Libbpf.BPF_F_LOCK);
        expected.put("BPF_MAP_TYPE_PERCPU_ARRAY", (long) Libbpf.BPF_MAP_TYPE_PERCPU_ARRAY);
        expected.put("XDP_FLAGS_SKB_MODE", (long) Libbpf.XDP_FLAGS_SKB_MODE);
        expected.put("XDP_FLAGS_DRV_MODE", (long) Libbpf.XDP_FLAGS_DRV_MODE);
        fields(expected, "struct fault_config", FaultConfig.LAYOUT, true);
        for (FaultCounter counter : FaultCounter.values()) expected.put("FAULT_" + counter.name(), (long) counter.index());
        expected.put("FAULT_COUNTERS", (long) FaultCounter.values().length);
        fields(expected, "struct bpf_prog_info", BpfProgInfo.LAYOUT, false);
        fields(expected, "struct bpf_map_info", BpfMapInfo.LAYOUT, false);

        StringBuilder c = new StringBuilder("""
                #include <stdio.h>
                #include <stddef.h>
                #include <linux/if_link.h>
                #include <bpf/libbpf.h>
                #include <bpf/bpf.h>
                #include "electrolab_offload.h"
                #include "fault_inject.h"
                int main(void) {
                """);
        for (String expr : expected.keySet()) {
            c.append("  printf(\"%s=%llu\\n\", \"").append(expr).append("\", (unsigned long long)(").append(expr).append("));\n");
        }
        c.append("  return 0;\n}\n");
        Path source = Files.writeString(dir.resolve("layout.c"), c);
        Path binary = dir.resolve("layout");
        run(dir, "cc", "-Wall", "-Werror", "-I" + BPF, "-o", binary.toString(), source.toString());
        Map<String, Long> actual = new LinkedHashMap<>();
        for (String line : run(dir, binary.toString()).strip().split("\n")) {
            int eq = line.lastIndexOf('=');
            actual.put(line.substring(0, eq), Long.parseUnsignedLong(line.substring(eq + 1)));
        }
        assertThat(actual).containsExactlyEntriesOf(expected);
    }

    @Test
    void kernelStateFieldsSitAtTheirCOffsets(@TempDir Path dir) throws Exception {
        List<String> fields = List.of("status", "view", "last_op", "leader", "my_index", "members", "f", "offloads");
        StringBuilder c = new StringBuilder("#include <stdio.h>\n#include <stddef.h>\n#include \"electrolab_offload.h\"\nint main(void) {\n");
        for (String field : fields) {
            c.append("  printf(\"%zu\\n\", offsetof(struct el_state, ").append(field).append("));\n");
        }
        c.append("  return 0;\n}\n");
        Path source = Files.writeString(dir.resolve("state.c"), c);
        Path binary = dir.resolve("state");
        run(dir, "cc", "-Wall", "-Werror", "-I" + BPF, "-o", binary.toString(), source.toString());
        String[] offsets = run(dir, binary.toString()).strip().split("\n");

        ElState state = new ElState(0x1111_2222_3333L, Status.RECOVERING, 3, 4, 5, 2, 0x4444_5555_6666L, 7);
        ByteBuffer bytes = ByteBuffer.wrap(state.toBytes()).order(ByteOrder.nativeOrder());
        long[] values = {Status.RECOVERING.code, state.view(), state.lastOp(), 3, 4, 5, 2, 7};
        boolean[] wide = {false, true, true, false, false, false, false, false};
        for (int i = 0; i < fields.size(); i++) {
            int offset = Integer.parseInt(offsets[i]);
            long value = wide[i] ? bytes.getLong(offset) : bytes.getInt(offset);
            assertThat(value).as("el_state.%s at offset %d", fields.get(i), offset).isEqualTo(values[i]);
        }
        assertThat(ElState.fromBytes(state.toBytes())).isEqualTo(state);
    }

    /**
     * The offset of every named field of {@code layout} in {@code struct}, and with {@code whole} its
     * size; without, the layout mirrors only the head of a struct that grows with kernels.
     */
    private static void fields(Map<String, Long> expected, String struct, StructLayout layout, boolean whole) {
        for (MemoryLayout field : layout.memberLayouts()) {
            String name = field.name().orElseThrow(() -> new AssertionError(struct + " mirror has a field without a name"));
            expected.put("offsetof(" + struct + ", " + name + ")", layout.byteOffset(groupElement(name)));
        }
        if (whole) expected.put("sizeof(" + struct + ")", layout.byteSize());
    }

    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", command[0]).isTrue();
        assertThat(p.exitValue()).as("%s failed:\n%s", String.join(" ", command), out).isZero();
        return out;
    }
}

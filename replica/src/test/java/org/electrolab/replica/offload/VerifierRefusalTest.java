package org.electrolab.replica.offload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;

import org.electrolab.protocol.testing.RootRequirement;
import org.junit.jupiter.api.Test;

/** What a user reads when the kernel refuses a program: which program, which hook, and the verifier's words. */
class VerifierRefusalTest {

    @Test
    void aRefusedProgramIsNamedWithItsHookAndTheVerifiersLastLine() throws IOException {
        RootRequirement.require("loading a program (the verifier runs in the kernel)");
        byte[] elf;
        try (InputStream in = getClass().getResourceAsStream("/bpf/refused.bpf.o")) {
            assertThat(in).as("src/test/bpf/refused.bpf.c built into the test classes").isNotNull();
            elf = in.readAllBytes();
        }
        try (BpfObject object = BpfObject.open("refused", elf)) {
            assertThatThrownBy(object::load)
                    .isInstanceOfSatisfying(VerifierRefusal.class, refusal -> {
                        assertThat(refusal.program()).isEqualTo("refused");
                        assertThat(refusal.hook()).isEqualTo("xdp");
                        assertThat(refusal.kernel()).isEqualTo(BpfObject.kernelRelease());
                        // Each kernel words it its own way (6.18: "R1 offset is outside of the packet").
                        String last = refusal.lastLines(1).getFirst();
                        assertThat(refusal.log()).contains(last);
                        assertThat(refusal.getMessage())
                                .startsWith("the kernel (" + BpfObject.kernelRelease() + ") refused program refused (hook xdp): \""
                                        + last + "\"")
                                .contains(" at \"")
                                .contains("source \"return data[ctx->rx_queue_index];")
                                .doesNotContain("\n");
                    });
        }
    }

    @Test
    void theSummaryQuotesTheErrorTheInstructionAndTheSourceLine() {
        String log = """
                ; tot_len = bpf_ntohs(ip->tot_len);
                58: (69) r1 = *(u16 *)(r7 +16)        ; R1_w=scalar(umax=65535,var_off=(0x0; 0xffff))
                59: (dc) r1 = be16 r1                 ; R1_w=scalar()
                ; if (tot_len < sizeof(*ip) + EL_UDP_HEADER_SIZE || (void *)ip + tot_len > end ||
                61: (2d) if r2 > r1 goto pc+491       ; R1_w=scalar(umin=28) R2_w=28
                63: (0f) r2 += r1
                last_idx 63 first_idx 57
                regs=2 stack=0 before 62: (bf) r2 = r7
                math between pkt pointer and register with unbounded min value is not allowed
                processed 74 insns (limit 1000000) max_states_per_insn 0 total_states 5 peak_states 5 mark_read 4
                """;
        assertThat(VerifierRefusal.summary("fast_reply", "xdp", "6.1.0-57-amd64", 13, log)).isEqualTo(
                "the kernel (6.1.0-57-amd64) refused program fast_reply (hook xdp): \"math between pkt pointer and register"
                        + " with unbounded min value is not allowed\" at \"63: (0f) r2 += r1\", source \"if (tot_len < sizeof(*ip)"
                        + " + EL_UDP_HEADER_SIZE || (void *)ip + tot_len > end ||\"");
    }
}

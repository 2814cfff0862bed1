package org.electrolab.lab.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The matrix table: a cell per kernel and program that says what loaded, attached, passed and worked in the lab. */
class KernelTableTest {

    private static KernelResult.TestCount pass(int n) {
        return new KernelResult.TestCount(n, 0, 0, List.of(), List.of());
    }

    @Test
    void aRefusedProgramAndAFailedLabShowInTheirCells() {
        KernelResult r = new KernelResult("debian12", "6.1.0-57-amd64", "linux-image-6.1.0-57-amd64=6.1.192-3", "tcg", 300,
                List.of(new KernelResult.Program("fast_reply", "xdp", false, "", "the kernel (6.1.0-57-amd64) refused program fast_reply (hook xdp): \"math | bad\""),
                        new KernelResult.Program("tc_broadcast", "tc", true, "tc egress, clsact filter", null)),
                new KernelResult.Tests(Map.of("fast_reply", new KernelResult.TestCount(3, 1, 0, List.of("FastReplyTest.x()"), List.of()),
                        "tc_broadcast", new KernelResult.TestCount(5, 0, 1, List.of(), List.of("AttachTest.tcx(): no tcx before 6.6"))), List.of(), 60, null),
                List.of(new KernelResult.LabRun(3, 100, 0, Map.of("tc-broadcast.cloned", 1234L), 90, "fast-reply.fast_replied stayed 0: the kernel did not do that work")),
                null);
        String table = KernelTable.markdown(List.of(r));
        assertThat(table.lines()).containsExactly(
                "| kernel | program | hook | loads | attaches | tests | lab n=3 |",
                "|---|---|---|---|---|---|---|",
                "| debian12 6.1.0-57-amd64 (tcg) | fast_reply | xdp | **refused**: the kernel (6.1.0-57-amd64) refused program fast_reply (hook xdp): \"math \\| bad\" |  | **1 of 4 fail**: FastReplyTest.x() | **fails**: 0 fast replies |",
                "| debian12 6.1.0-57-amd64 (tcg) | tc_broadcast | tc | loads | tc egress, clsact filter | 5 pass, 1 skipped (AttachTest.tcx(): no tcx before 6.6) | **fails**: 1,234 clones |");
        assertThat(r.passed()).isFalse();
        assertThat(KernelTable.notes(List.of(r))).singleElement().asString()
                .contains("lab n=3: 100 requests, 0 errors, 90 s, **fast-reply.fast_replied stayed 0");
    }

    @Test
    void aKernelThatPassedEverythingPasses() {
        Map<String, KernelResult.TestCount> tests = new java.util.LinkedHashMap<>();
        List<KernelResult.Program> programs = new java.util.ArrayList<>();
        for (String p : ProgramProbe.PROGRAMS) {
            tests.put(p, pass(2));
            programs.add(new KernelResult.Program(p, ProgramProbe.hookOf(p), true, "x", null));
        }
        KernelResult r = new KernelResult("host", "6.18", "this machine", "native", 60, programs,
                new KernelResult.Tests(tests, List.of(), 10, null),
                List.of(new KernelResult.LabRun(3, 10, 0, Map.of(), 5, null), new KernelResult.LabRun(5, 10, 0, Map.of(), 5, null)), null);
        assertThat(r.passed()).isTrue();
        assertThat(KernelTable.markdown(List.of(r))).contains("| host 6.18 (native) | quorum_prune | xdp | loads | x | 2 pass | passes: 0 quorums | passes: 0 quorums, 0 pruned |");
    }
}

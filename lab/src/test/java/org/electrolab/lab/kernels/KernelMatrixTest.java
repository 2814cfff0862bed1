package org.electrolab.lab.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.electrolab.lab.netns.Locations;
import org.electrolab.lab.netns.TestLabs;
import org.electrolab.protocol.testing.RootRequirement;
import org.junit.jupiter.api.Test;

/**
 * The kernel matrix in CI: every kernel of vagrant/pins.yml booted under QEMU, and this machine's own,
 * each loading and attaching every program, passing the program tests and carrying the netns lab at
 * 3 and 5 replicas. The table it printed is in target/kernel-matrix/kernels.md; a program a kernel
 * refuses fails this test with the verifier's last lines.
 */
class KernelMatrixTest {

    private static final Path REPO = TestLabs.repo();

    @Test
    void everyProgramLoadsAttachesPassesItsTestsAndCarriesTheLabOnEveryKernelOfTheMatrix() throws Exception {
        RootRequirement.require("the kernel matrix (QEMU guests, BPF, network namespaces)");
        Path out = REPO.resolve("lab").resolve(System.getenv().getOrDefault("ELECTROLAB_BUILD_DIR", "target")).resolve("kernel-matrix");
        deleteRecursively(out);
        KernelPins pins = KernelPins.load(REPO);
        PrintWriter log = new PrintWriter(System.out, true);
        KernelCheck check = new KernelCheck(Locations.of(REPO), pins, new KernelCheck.Options(out,
                Path.of(System.getProperty("user.home"), ".cache", "electrolab", "kernels"), "auto", 2, Duration.ofMinutes(30),
                List.of(3, 5)), log);

        List<KernelResult> results = check.run(check.defaultKernels());

        assertThat(results).extracting(KernelResult::kernel)
                .containsExactlyElementsOf(check.defaultKernels())
                .contains(pins.vm().kernel());
        List<String> failures = new ArrayList<>();
        for (KernelResult r : results) if (!r.passed()) failures.add(failure(r, out.resolve(r.kernel())));
        assertThat(failures).as("kernels that failed (table in %s)", out.resolve("kernels.md")).isEmpty();
    }

    /** What failed on one kernel, with the last lines of a refused program's verifier log. */
    private static String failure(KernelResult r, Path dir) throws IOException {
        StringBuilder text = new StringBuilder(r.kernel() + " " + r.release() + ": ");
        if (r.problem() != null) return text.append(r.problem()).toString();
        for (KernelResult.Program p : r.programs()) {
            if (p.attachedOk()) continue;
            text.append(p.problem());
            Path verifierLog = dir.resolve("verifier-" + p.program() + ".log");
            if (Files.isRegularFile(verifierLog)) {
                List<String> lines = Files.readAllLines(verifierLog).stream().filter(l -> !l.isBlank()).toList();
                text.append("\n  verifier's last lines:\n    ").append(String.join("\n    ", lines.subList(Math.max(0, lines.size() - 8), lines.size())));
            }
            text.append('\n');
        }
        text.append(KernelTable.notes(List.of(r)).getFirst());
        return text.toString();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}

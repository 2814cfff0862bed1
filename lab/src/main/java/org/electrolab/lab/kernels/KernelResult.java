package org.electrolab.lab.kernels;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * What the check found on one kernel ({@code result.json} in its directory): each program loaded
 * and attached or not, the PROG_TEST_RUN tests by program, and the netns lab at each size.
 *
 * @param kernel the pin's key, {@code host}, or the file checked
 * @param release what {@code uname -r} printed there
 * @param accel {@code native} (this machine's own kernel), {@code kvm} or {@code tcg}
 * @param problem why the check could not finish (the guest did not boot, ...), else null
 */
public record KernelResult(String kernel, String release, String source, String accel, long seconds,
                           List<Program> programs, Tests tests, List<LabRun> labs, String problem) {

    public static final String FILE = "result.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * One program on this kernel.
     *
     * @param attached how it attached, e.g. {@code xdp native}; empty when it did not
     * @param problem the verifier's or the attach's one-line refusal, else null
     */
    public record Program(String program, String hook, boolean loaded, String attached, String problem) {
        public boolean attachedOk() {
            return loaded && problem == null;
        }
    }

    /**
     * PROG_TEST_RUN (and namespace) tests of one program.
     *
     * @param skips each skipped test with the reason it gave (a feature this kernel does not have)
     */
    public record TestCount(int passed, int failed, int skipped, List<String> failures, List<String> skips) {
        public boolean allPassed() {
            return failed == 0 && passed > 0;
        }
    }

    /**
     * The program tests of the replica module, run in the guest.
     *
     * @param byProgram test counts per program
     * @param unmapped tests that ran but belong to no program (a renamed test the check must learn)
     * @param problem why the tests did not run, else null
     */
    public record Tests(Map<String, TestCount> byProgram, List<String> unmapped, long seconds, String problem) {}

    /**
     * The netns lab with every offload on, at one size.
     *
     * @param counters the kernel counters summed over the replicas, by {@code offload.counter}
     * @param problem why it did not pass, else null
     */
    public record LabRun(int replicas, long completed, long errors, Map<String, Long> counters, long seconds, String problem) {
        public boolean passed() {
            return problem == null;
        }
    }

    public static KernelResult failed(String kernel, String release, String source, String accel, long seconds, String problem) {
        return new KernelResult(kernel, release, source, accel, seconds, List.of(), null, List.of(), problem);
    }

    public KernelResult withTiming(String kernelKey, String sourceText, String accelName, long totalSeconds) {
        return new KernelResult(kernelKey, release, sourceText, accelName, totalSeconds, programs, tests, labs, problem);
    }

    public void write(Path file) throws IOException {
        JSON.writeValue(file.toFile(), this);
    }

    public static KernelResult read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), KernelResult.class);
    }

    /** Whether every program loads, attaches, passes its tests, and the lab passed at every size. */
    public boolean passed() {
        if (problem != null || programs.isEmpty() || tests == null || tests.problem() != null || !tests.unmapped().isEmpty()) return false;
        for (Program p : programs) {
            TestCount count = tests.byProgram().get(p.program());
            if (!p.attachedOk() || count == null || !count.allPassed()) return false;
        }
        return !labs.isEmpty() && labs.stream().allMatch(LabRun::passed);
    }
}

package org.electrolab.lab.kernels;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.electrolab.lab.pipeline.EnvironmentFacts;
import org.electrolab.lab.netns.CommandRunner;
import org.electrolab.lab.netns.Lab;
import org.electrolab.lab.netns.LabException;
import org.electrolab.lab.netns.Locations;

/**
 * What the check runs on the kernel under test, in its guest (or on this machine for {@code host}):
 * every program loaded and attached, their tests, and the netns lab with every offload at each size.
 *
 * @param tickMillis the replicas' tick: longer under emulation, where a 10 ms tick starves into view changes
 * @param readyLimit how long a lab's replicas get to agree on a view
 * @param jvmOptions extra options for the JVM that runs the tests (the replicas get them from ELECTROLAB_OPTS)
 */
record KernelSuite(List<Integer> labSizes, int tickMillis, Duration readyLimit, List<String> jvmOptions) {

    KernelResult run(Locations paths, String kernel, String source, String accel, Path out) {
        long started = System.nanoTime();
        String release = EnvironmentFacts.machine().get("kernel").toString();
        List<KernelResult.Program> programs;
        try {
            programs = ProgramProbe.run(new CommandRunner(), out);
        } catch (LabException e) {
            return KernelResult.failed(kernel, release, source, accel, ProgramTests.seconds(started),
                    "cannot make the probe's namespace: " + e.getMessage());
        }
        KernelResult.Tests tests = ProgramTests.run(paths, out, jvmOptions);
        List<KernelResult.LabRun> labs = new ArrayList<>();
        for (int replicas : labSizes) {
            Lab.down(paths, "kchk" + replicas); // what an interrupted earlier check may have left
            labs.add(LabCheck.run(paths, replicas, tickMillis, readyLimit, out));
        }
        return new KernelResult(kernel, release, source, accel, ProgramTests.seconds(started), programs, tests, labs, null);
    }
}

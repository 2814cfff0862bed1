package org.electrolab.lab.netns;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.electrolab.protocol.testing.RootRequirement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code down} finds and removes everything a lab made, however far {@code up} got, and can run twice. */
class LabDownTest {
    private final CommandRunner runner = new CommandRunner();
    private final List<Process> started = new ArrayList<>();
    private final String name = TestLabs.uniqueName();
    @TempDir
    Path stateRoot;
    private Locations paths;

    @BeforeEach
    void requireRoot() {
        RootRequirement.require("the netns lab");
        paths = new Locations(TestLabs.repo(), stateRoot);
    }

    @AfterEach
    void cleanUp() {
        started.forEach(Process::destroyForcibly);
        if (RootRequirement.isRoot()) Lab.down(paths, name);
    }

    @Test
    void anUpKilledMidwayIsCleanedByDown() throws Exception {
        Process up = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), InterruptedUp.class.getName(),
                stateRoot.toString(), name, TestLabs.scenarioFile(3).toString(), "12")
                .redirectErrorStream(true).start();
        started.add(up);
        assertThat(TestLabs.firstLine(up, Duration.ofSeconds(60))).as("the interrupted up's first line").isEqualTo("blocked");
        assertThat(Netns.list(runner, Network.namespacePrefix(name))).as("namespaces made before the kill").isNotEmpty();

        up.destroyForcibly();
        assertThat(up.waitFor(10, TimeUnit.SECONDS)).isTrue();
        Lab.Removed removed = Lab.down(new Locations(stateRoot, stateRoot), name);

        assertThat(removed.namespaces()).isPositive();
        assertThat(removed.stateDir()).isTrue();
        TestLabs.assertNoNamespaces(name);
        assertThat(stateRoot.resolve(name)).doesNotExist();
    }

    @Test
    void downTwiceSucceedsAndTheSecondDoesNothing() {
        Lab.create(paths, name, TestLabs.scenario(3), runner);

        Lab.Removed first = Lab.down(paths, name);
        Lab.Removed second = Lab.down(paths, name);

        assertThat(first.nothing()).isFalse();
        assertThat(second.nothing()).isTrue();
        TestLabs.assertNoNamespaces(name);
    }

    @Test
    void downWithoutTheStateDirectoryCleansByName() {
        Lab lab = Lab.create(paths, name, TestLabs.scenario(3), runner);
        lab.state().delete();

        Lab.Removed removed = Lab.down(paths, name);

        assertThat(removed.namespaces()).isEqualTo(5);
        TestLabs.assertNoNamespaces(name);
    }

    @Test
    void downStopsEveryProcessInTheNamespacesEvenOneIgnoringSigterm() throws Exception {
        Lab lab = Lab.create(paths, name, TestLabs.scenario(3), runner);
        Host r0 = lab.network().host("r0");
        Process recorded = Processes.start(new Netns(r0.netns(), runner), List.of("sleep", "600"),
                lab.state().log("r0"), lab.state().pidFile("r0"));
        // Started without a pid file, and deaf to SIGTERM: only `ip netns pids` and SIGKILL find and end it.
        Process stray = new ProcessBuilder(new Netns(lab.network().host("r1").netns(), runner)
                .execCommand(List.of("bash", "-c", "trap '' TERM; echo trapped; while true; do sleep 1; done")))
                .redirectErrorStream(true).start();
        started.addAll(List.of(recorded, stray));
        assertThat(TestLabs.firstLine(stray, Duration.ofSeconds(10))).isEqualTo("trapped");

        Lab.Removed removed = Lab.down(paths, name);

        assertThat(recorded.isAlive()).isFalse();
        assertThat(stray.isAlive()).isFalse();
        assertThat(removed.processes()).isGreaterThanOrEqualTo(2);
        TestLabs.assertNoNamespaces(name);
    }
}

package org.electrolab.lab.netns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import org.electrolab.lab.scenario.Scenario;
import org.electrolab.protocol.testing.RootRequirement;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A netns lab a test may bring up and never leaves behind. Register it with
 * {@code @RegisterExtension final ThrowawayLab throwaway = new ThrowawayLab("the netns lab");}.
 * Before each test it requires root for {@code what} (a failure in CI, a skip with the reason
 * elsewhere) and hands out a lab name no other test uses and a state root of the test's own; after
 * each test, passed or failed, and after the test's own {@code @AfterEach}, it takes the lab down,
 * fails the test if a namespace of the lab is still there, and deletes the state root.
 */
public final class ThrowawayLab implements BeforeEachCallback, AfterEachCallback {
    private final String what;
    private String name;
    private Path stateRoot;
    private Locations paths;

    public ThrowawayLab(String what) {
        this.what = what;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        RootRequirement.require(what);
        name = TestLabs.uniqueName();
        stateRoot = Files.createTempDirectory("electrolab-lab-");
        paths = new Locations(TestLabs.repo(), stateRoot);
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        if (paths == null) return; // not root: the test was skipped before it made anything
        try {
            Lab.down(paths, name);
            TestLabs.assertNoNamespaces(name);
        } finally {
            try (Stream<Path> tree = Files.walk(stateRoot)) {
                for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    /** {@link Lab#up} of this lab: namespaces, replicas started and agreed on a view. */
    public Lab up(Scenario scenario) {
        return Lab.up(paths, name, scenario);
    }

    /** {@link Lab#create} of this lab: its namespaces and network, no process, through {@code runner}. */
    public Lab create(Scenario scenario, CommandRunner runner) {
        return Lab.create(paths, name, scenario, runner);
    }

    /** {@link Lab#down} of this lab, for a test that checks what it removed (it is taken down after the test anyway). */
    public Lab.Removed down() {
        return Lab.down(paths, name);
    }

    /** The lab's name, unique to this test. */
    public String name() {
        return name;
    }

    /** Where the lab finds the launcher (this checkout) and keeps its state (the test's own directory). */
    public Locations paths() {
        return paths;
    }

    /** The test's own directory: the lab's state and anything else the test writes. */
    public Path stateRoot() {
        return stateRoot;
    }
}

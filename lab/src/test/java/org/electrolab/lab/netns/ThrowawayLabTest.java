package org.electrolab.lab.netns;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** ThrowawayLab leaves nothing behind: a lab a test left up is taken down after it, and the state root goes. */
class ThrowawayLabTest {
    @Test
    void takesDownALabTheTestLeftUpAndDeletesItsStateRoot() throws Exception {
        ThrowawayLab throwaway = new ThrowawayLab("ThrowawayLab's own test (netns lab)");
        throwaway.beforeEach(null);
        String name = throwaway.name();
        Path stateRoot = throwaway.stateRoot();
        CommandRunner runner = new CommandRunner();
        try {
            // What a failing test leaves: the lab's namespaces and state, and a file of its own.
            throwaway.create(TestLabs.scenario(3), runner);
            Files.writeString(stateRoot.resolve("client.json"), "{}");
            assertThat(Netns.list(runner, Network.namespacePrefix(name))).hasSize(5);
            assertThat(throwaway.paths().stateDir(name)).exists();
        } finally {
            throwaway.afterEach(null);
        }
        TestLabs.assertNoNamespaces(name);
        assertThat(stateRoot).doesNotExist();
    }

    @Test
    void eachTestGetsANameAndAStateRootOfItsOwn() throws Exception {
        ThrowawayLab first = new ThrowawayLab("ThrowawayLab's own test (netns lab)");
        ThrowawayLab second = new ThrowawayLab("ThrowawayLab's own test (netns lab)");
        first.beforeEach(null);
        try {
            second.beforeEach(null);
            try {
                assertThat(second.name()).isNotEqualTo(first.name());
                assertThat(second.stateRoot()).isNotEqualTo(first.stateRoot());
                assertThat(first.paths().stateRoot()).isEqualTo(first.stateRoot());
            } finally {
                second.afterEach(null);
            }
        } finally {
            first.afterEach(null);
        }
    }
}

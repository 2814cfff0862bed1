package org.electrolab.lab.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** A failed lab command reads as one line: the command, its exit code and its stderr. */
class CommandRunnerTest {
    private final CommandRunner runner = new CommandRunner(Duration.ofSeconds(2));

    @Test
    void aFailingCommandIsOneLineWithItsStderr() {
        assertThatThrownBy(() -> runner.run("sh", "-c", "echo first >&2; echo second >&2; exit 3"))
                .isInstanceOf(LabException.class)
                .hasMessage("`sh -c echo first >&2; echo second >&2; exit 3` failed (exit 3): first; second");
    }

    @Test
    void aHangingCommandIsStoppedAtTheTimeout() {
        long started = System.nanoTime();

        assertThatThrownBy(() -> runner.run("sleep", "30")).isInstanceOf(LabException.class)
                .hasMessage("`sleep 30` timed out after 2 s");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aMissingProgramSaysSo() {
        assertThatThrownBy(() -> runner.run("electrolab-no-such-tool")).isInstanceOf(LabException.class)
                .hasMessageStartingWith("`electrolab-no-such-tool` could not start: ");
    }

    @Test
    void stdoutIsReturned() {
        assertThat(runner.run("echo", "hello")).isEqualTo("hello\n");
    }
}

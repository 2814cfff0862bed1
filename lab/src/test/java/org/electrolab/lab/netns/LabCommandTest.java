package org.electrolab.lab.netns;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.electrolab.lab.CliRun;
import org.electrolab.protocol.testing.RootRequirement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code electrolab lab ...} as a user types it: a bad scenario is refused line by line and creates nothing. */
class LabCommandTest {
    @TempDir
    Path home;
    private String previousHome;

    @BeforeEach
    void pointTheLabAtATemporaryCheckout() throws Exception {
        Files.createDirectories(home.resolve("bin"));
        Files.writeString(home.resolve("bin/electrolab"), "#!/bin/sh\nexit 1\n");
        previousHome = System.getProperty("electrolab.home");
        System.setProperty("electrolab.home", home.toString());
    }

    @AfterEach
    void restore() {
        if (previousHome == null) System.clearProperty("electrolab.home");
        else System.setProperty("electrolab.home", previousHome);
    }

    private static CliRun lab(String... args) {
        String[] full = new String[args.length + 1];
        full[0] = "lab";
        System.arraycopy(args, 0, full, 1, args.length);
        return CliRun.electrolab(full);
    }

    @Test
    void aBadScenarioPrintsOneLinePerMistakeAndCreatesNothing() throws Exception {
        Path bad = home.resolve("bad.yaml");
        Files.writeString(bad, """
                replicas: 4
                offloads: fast-reply,turbo
                app: kv
                workload: {clients: 8, warmup: 5s, duration: 30s, payload-bytes: 64}
                """);
        String name = TestLabs.uniqueName();

        CliRun run = lab("up", "--scenario", bad.toString(), "--name", name);

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().lines().toList()).containsExactly(
                bad + ": replicas: 4 is even; use an odd count (2f+1 members), e.g. 5",
                bad + ": offloads: 'turbo' is not an offload; use none, all, or a comma list of tc-broadcast, fast-reply, quorum-prune");
        assertThat(home.resolve("lab-state")).doesNotExist();
        TestLabs.assertNoNamespaces(name);
    }

    @Test
    void withoutASubcommandItNamesThem() {
        CliRun run = lab();
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("electrolab lab: name a subcommand: up, down, status, watch or metrics; see electrolab lab --help\n");
    }

    @Test
    void aBadLabNameIsOneLine() {
        CliRun run = lab("down", "--name", "My-Lab");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().lines().toList()).singleElement().asString()
                .startsWith("electrolab lab down: ").contains("--name: 'My-Lab' is not a lab name");
    }

    @Test
    void statusOfALabThatIsNotUpSaysHowToStartIt() {
        RootRequirement.require("lab status");

        CliRun run = lab("status", "--name", TestLabs.uniqueName());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("is not up").contains("electrolab lab up --scenario FILE");
    }
}

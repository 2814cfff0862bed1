package org.electrolab.lab.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.electrolab.lab.experiment.MatrixFileTest;
import org.electrolab.lab.netns.CommandRunner;
import org.electrolab.lab.netns.Lab;
import org.electrolab.lab.netns.Network;
import org.electrolab.lab.netns.Locations;
import org.electrolab.lab.netns.Netns;
import org.electrolab.protocol.testing.RootRequirement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault campaign catches a broken fast path end to end: the replicas load a fast_reply built
 * with -DEL_TEST_ACK_WITHOUT_RECORD, which answers Prepares from XDP without recording them for
 * user space, so the leader commits ops its followers' logs never hold. Killing the leader under
 * recorded kv load must then show what a user would see, an acknowledged write lost or a history
 * that is not linearizable, and the campaign must say so (exit 1, the run not correct).
 *
 * <p>The broken object reaches the replicas as the first entry of their class path
 * (ELECTROLAB_CLASSPATH, which bin/electrolab and the lab's replicas use), so the replica jar keeps
 * only the program the build makes.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class FastReplyMutantCampaignTest {
    private static final Duration RUN_LIMIT = Duration.ofMinutes(5);
    /**
     * A leader kill at 3 replicas, on a fresh lab: no warm-up, because the broken fast path wrecks the
     * cluster under any load (the followers' cores hear no Prepare and time out), and a run must
     * start from replicas that agree.
     */
    private static final String CAMPAIGN = """
            # fast_reply acknowledging without recording, at 3 replicas: FastReplyMutantCampaignTest
            sizes: [3]
            offloads: [all]
            faults: [leader-kill]
            repeats: 1
            clients: 4
            warmup: 0s
            before: 2s
            during: 3s
            after: 3s
            """;

    private final Path repo = MatrixFileTest.repoRoot();
    private final String labName = "m" + ProcessHandle.current().pid() % 1_000_000;
    @TempDir
    Path tmp;
    private Process cli;

    @BeforeEach
    void requireRoot() {
        RootRequirement.require("the netns lab");
    }

    @AfterEach
    void cleanUp() {
        if (cli != null && cli.isAlive()) cli.destroyForcibly();
        if (RootRequirement.isRoot()) Lab.down(Locations.of(repo), labName);
    }

    @Test
    void aFastPathThatAcknowledgesWithoutRecordingLosesAcknowledgedWritesAndTheCampaignSaysSo() throws Exception {
        Path mutant = tmp.resolve("mutant");
        Path object = Files.createDirectories(mutant.resolve("bpf")).resolve("fast_reply.bpf.o");
        Process clang = new ProcessBuilder("clang", "-O2", "-g", "-target", "bpf", "-Wall", "-Werror",
                "-DEL_TEST_ACK_WITHOUT_RECORD", "-I" + repo.resolve("bpf"), "-I/usr/include/x86_64-linux-gnu",
                "-I/usr/include/aarch64-linux-gnu", "-c", repo.resolve("bpf/fast_reply.bpf.c").toString(), "-o", object.toString())
                .redirectErrorStream(true).start();
        String clangOutput = new String(clang.getInputStream().readAllBytes());
        assertThat(clang.waitFor()).as("clang: %s", clangOutput).isZero();
        String classpath = System.getenv("ELECTROLAB_CLASSPATH");
        assertThat(classpath).as("ELECTROLAB_CLASSPATH from lab/pom.xml's surefire settings").isNotBlank();

        Path campaign = tmp.resolve("faults-mutant.yaml");
        Files.writeString(campaign, CAMPAIGN);
        CampaignDir results = new CampaignDir(tmp.resolve("results"));
        ProcessBuilder command = new ProcessBuilder(repo.resolve("bin/electrolab").toString(), "experiment", "faults",
                campaign.toString(), "--out", results.dir().toString(), "--lab-name", labName)
                .directory(repo.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(tmp.resolve("stdout").toFile()).redirectError(tmp.resolve("stderr").toFile());
        Map<String, String> environment = command.environment();
        environment.put("ELECTROLAB_CLASSPATH", mutant + File.pathSeparator + classpath);
        cli = command.start();
        assertThat(cli.waitFor(RUN_LIMIT.toMillis(), TimeUnit.MILLISECONDS)).as("campaign finished").isTrue();
        String stdout = Files.readString(tmp.resolve("stdout"));
        assertThat(cli.exitValue()).as("exit code (1: a run found a problem); stdout:\n%s\nstderr:\n%s", stdout,
                Files.readString(tmp.resolve("stderr"))).isEqualTo(1);

        List<FaultRun> runs = FaultReport.read(results);
        assertThat(runs).hasSize(1);
        FaultRun run = runs.getFirst();
        assertThat(run.judged()).as(run.id() + ": " + run.error()).isTrue();
        assertThat(run.lostWrites() > 0 || !run.linearizable()).as("a lost write or a linearizability violation: %s", stdout).isTrue();
        assertThat(Files.readString(results.report())).as("the report's verdict")
                .doesNotContain("0 linearizability violations, 0 lost acknowledged writes");
        assertThat(Netns.list(new CommandRunner(), Network.namespacePrefix(labName))).as("namespaces left").isEmpty();
        assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(labName)).map(ProcessHandle::pid)
                .toList()).as("processes of the lab left").isEmpty();
    }
}

package org.electrolab.lab.ansible;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.electrolab.lab.CliRun;
import org.electrolab.lab.experiment.ResultsCsv;
import org.electrolab.lab.experiment.ResultsDir;
import org.electrolab.lab.experiment.RunRow;
import org.electrolab.lab.experiment.RunStatus;
import org.electrolab.lab.netns.CommandRunner;
import org.electrolab.lab.netns.Locations;
import org.electrolab.protocol.testing.RootRequirement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code electrolab experiment run MATRIX --inventory ...} on the namespace-lab inventory (three
 * replica hosts and a client, reached over ssh as NetnsPlaybooksTest does): a host Ansible cannot
 * reach fails its cell with the host named, and the run still finishes with a report. A matrix
 * that runs through scenario.yml, verify.yml and experiment.yml into the runner's results layout
 * is VagrantClusterIT's, on real VMs.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class ExperimentInventoryTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name = "ai" + ProcessHandle.current().pid() % 100_000;
    @TempDir
    Path temp;
    private Path repo;
    private Locations paths;
    private Path hosts;

    @BeforeEach
    void bringUpTheInventory() throws Exception {
        Tools.requireNetnsInventory("the namespace-lab inventory");
        repo = Tools.repo();
        paths = new Locations(Locations.locate().repo(), temp.resolve("lab-state"));
        // The launcher builds stale jars on first use; once here, not in three replicas at once.
        new CommandRunner(Duration.ofMinutes(10)).run(paths.launcher().toString(), "--help");
        hosts = NetnsInventory.up(paths, name, 3);
    }

    @AfterEach
    void removeTheLab() {
        if (paths != null && RootRequirement.isRoot()) NetnsInventory.down(paths, name);
    }

    @Test
    void anUnreachableHostFailsItsCellWithTheHostNamedAndTheRunFinishes() throws Exception {
        // r1's ssh goes through `ip netns exec` of a namespace that does not exist: Ansible cannot reach
        // it. (Its own connection directory, so no earlier connection to r1's address is reused.)
        Path broken = temp.resolve("broken.yml");
        Files.writeString(broken, """
                all:
                  vars:
                    electrolab_ready_timeout_seconds: 10
                  children:
                    replicas:
                      hosts:
                        r1:
                          electrolab_netns: %s-missing
                          ansible_control_path_dir: %s
                """.formatted(name, temp.resolve("cp-r1")));
        ResultsDir results = new ResultsDir(temp.resolve("results"));
        CliRun run = experiment(matrix("offloads: [none]"), results, hosts, broken);

        assertThat(run.exitCode()).as("exit code; stderr:\n%s", run.err()).isEqualTo(1);
        assertThat(run.out()).contains("done: 0 runs ok, 1 failed, 0 skipped");
        List<RunRow> rows = ResultsCsv.read(results.resultsCsv());
        assertThat(rows).hasSize(1);
        assertThat(rows.getFirst().status()).isEqualTo(RunStatus.FAILED);
        assertThat(rows.getFirst().reason()).contains("scenario.yml: r1 unreachable at task 'Gathering Facts'")
                .doesNotContain("\n");
        assertThat(run.err()).contains("r1 unreachable at task 'Gathering Facts'");
        assertThat(results.report()).isRegularFile();
        assertThat(JSON.readTree(results.environment().toFile()).path("hosts").path("r1").asText()).startsWith("unknown: unreachable");
    }

    private Path matrix(String offloads) throws Exception {
        Path matrix = temp.resolve("matrix-ansible.yaml");
        Files.writeString(matrix, """
                sizes: [3]
                %s
                clients: [1]
                repeats: 1
                warmup: 1s
                duration: 2s
                app: kv
                payload-bytes: 64
                """.formatted(offloads));
        return matrix;
    }

    private CliRun experiment(Path matrix, ResultsDir results, Path... inventories) {
        List<String> args = new ArrayList<>(List.of("experiment", "run", matrix.toString(), "--out",
                results.dir().toString(), "--inventory", repo.resolve("ansible/inventories/netns.yml").toString()));
        for (Path inventory : inventories) args.addAll(List.of("--inventory", inventory.toString()));
        return CliRun.electrolab(args.toArray(String[]::new));
    }
}

package org.electrolab.lab.ansible;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.electrolab.lab.experiment.ResultsCsv;
import org.electrolab.lab.experiment.RunRow;
import org.electrolab.lab.netns.CommandRunner;
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
 * The playbooks, run for real against the namespace-lab inventory (five replica hosts and a
 * client, each a namespace reached over ssh): site.yml starts 3 replicas, a second scenario.yml
 * changes nothing, verify.yml and experiment.yml run; scenario.yml switches to 5 replicas, verify
 * and experiment again; `electrolab report` turns the results into a report; teardown.yml and
 * lab-down leave nothing behind.
 */
@Timeout(value = 900, unit = TimeUnit.SECONDS)
class NetnsPlaybooksTest {
    /**
     * The offloads the scenarios run: all, so verify.yml checks that every replica loaded them and
     * that the kernel counters moved.
     */
    static final String OFFLOADS = "all";
    private static final Pattern RECAP = Pattern.compile(
            "^(\\S+)\\s+:\\s+ok=(\\d+)\\s+changed=(\\d+)\\s+unreachable=(\\d+)\\s+failed=(\\d+)", Pattern.MULTILINE);

    private final String name = "ans" + ProcessHandle.current().pid() % 100_000;
    @TempDir
    Path temp;
    private Path repo;
    private Locations paths;
    private Path inventory;

    /** One host's line of a PLAY RECAP. */
    record Recap(int ok, int changed, int unreachable, int failed) {}

    @BeforeEach
    void requireRootToolsAndJars() throws Exception {
        Tools.requireNetnsInventory("the namespace-lab playbooks");
        repo = Tools.repo();
        // The build the replicas run: this checkout's, or -Delectrolab.home's (a developer's own build).
        paths = new Locations(Locations.locate().repo(), temp.resolve("lab-state"));
        // The launcher builds stale jars on first use; once here, not in five replicas at once.
        new CommandRunner(Duration.ofMinutes(10)).run(paths.launcher().toString(), "--help");
    }

    @AfterEach
    void removeTheLab() {
        if (paths != null && RootRequirement.isRoot()) NetnsInventory.down(paths, name);
    }

    @Test
    void switchesFrom3To5ReplicasMeasuresVerifiesAndLeavesNothing() throws Exception {
        inventory = NetnsInventory.up(paths, name, 5);
        Path results = temp.resolve("results");

        Tools.Run site = playbook("site.yml", "-e", "electrolab_scenario_file=experiments/scenarios/scenario3.yaml");
        assertThat(recap(site).get("r0").changed()).as("site.yml starts replica 0").isPositive();

        Tools.Run again = playbook("scenario.yml", "-e", "electrolab_scenario_file=experiments/scenarios/scenario3.yaml");
        assertThat(recap(again)).as("a second scenario.yml run changes nothing:\n%s", again.tail(40))
                .allSatisfy((host, r) -> assertThat(r.changed()).as(host).isZero());

        verifyTable(playbook("verify.yml"), 3);
        playbook("experiment.yml", "-e", "electrolab_results_dir=" + results);

        Tools.Run switched = playbook("scenario.yml", "-e", "electrolab_scenario_file=experiments/scenarios/scenario5.yaml");
        assertThat(unwrapped(switched.output())).contains("5 replicas (offloads tc-broadcast,fast-reply,quorum-prune, app kv)"
                + " are NORMAL in view");
        assertThat(recap(switched).get("r4").changed()).as("replica 4 starts").isPositive();

        verifyTable(playbook("verify.yml"), 5);
        playbook("experiment.yml", "-e", "electrolab_results_dir=" + results);

        List<RunRow> rows = ResultsCsv.read(results.resolve("results.csv"));
        assertThat(rows).extracting(RunRow::runId)
                .containsExactly("n3-" + OFFLOADS + "-c2-r1", "n5-" + OFFLOADS + "-c2-r1");
        assertThat(rows).allSatisfy(row -> assertThat(row.isOk()).as(row.runId() + " " + row.reason()).isTrue());
        assertThat(results.resolve("logs/n5-" + OFFLOADS + "-r1/replica-4.stats.json")).isRegularFile();

        Tools.Run report = Tools.run(repo, Map.of(), Duration.ofMinutes(3),
                List.of(paths.launcher().toString(), "report", results.toString()));
        assertThat(report.exitCode()).as("electrolab report; it printed:\n%s", report.output()).isZero();
        assertThat(Files.readString(results.resolve("report.md")))
                .contains("n3-" + OFFLOADS + "-c2").contains("n5-" + OFFLOADS + "-c2");

        playbook("teardown.yml");
        assertThat(paths.stateDir(name).resolve("hosts/r0")).doesNotExist();
        NetnsInventory.down(paths, name);

        assertThat(Netns.list(new CommandRunner(), Network.namespacePrefix(name))).as("namespaces left").isEmpty();
        assertThat(paths.stateDir(name)).as("keys, inventory and host directories").doesNotExist();
        awaitNoProcessMentioning(paths.stateDir(name).toString(), Duration.ofSeconds(30));
    }

    /** Runs a playbook against the lab's inventory with a short workload; it must succeed. */
    private Tools.Run playbook(String playbook, String... extra) throws Exception {
        return playbook(repo, paths, inventory, temp, OFFLOADS, playbook, extra);
    }

    /**
     * Runs a playbook of ansible/ against the namespace-lab inventory {@code hosts} of {@code paths}
     * with a short workload of {@code offloads}; it must succeed. Ansible's temporary files go to {@code temp}.
     */
    static Tools.Run playbook(Path repo, Locations paths, Path hosts, Path temp, String offloads, String playbook,
                              String... extra) throws Exception {
        List<String> command = new ArrayList<>(List.of("ansible-playbook",
                "-i", repo.resolve("ansible/inventories/netns.yml").toString(), "-i", hosts.toString(),
                repo.resolve("ansible").resolve(playbook).toString(),
                "-e", "electrolab_control_launcher=" + paths.launcher(), "-e", "electrolab_offloads=" + offloads, "-e", "electrolab_clients=2",
                "-e", "electrolab_warmup=1s", "-e", "electrolab_duration=2s"));
        command.addAll(List.of(extra));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("ANSIBLE_CONFIG", repo.resolve("ansible/ansible.cfg").toString());
        env.put("ANSIBLE_NOCOLOR", "1");
        env.put("ANSIBLE_LOCAL_TEMP", Files.createDirectories(temp.resolve("ansible-local")).toString());
        env.put("ANSIBLE_REMOTE_TEMP", temp.resolve("ansible-remote").toString());
        Tools.Run run = Tools.run(repo, env, Duration.ofMinutes(5), command);
        assertThat(run.exitCode()).as("%s exit code; it ended with:\n%s", playbook, run.tail(60)).isZero();
        assertThat(recap(run)).as("%s recap", playbook).isNotEmpty()
                .allSatisfy((host, r) -> assertThat(r.failed() + r.unreachable()).as(host).isZero());
        return run;
    }

    static Map<String, Recap> recap(Tools.Run run) {
        Map<String, Recap> hosts = new LinkedHashMap<>();
        String output = run.output();
        Matcher m = RECAP.matcher(output.substring(Math.max(0, output.lastIndexOf("PLAY RECAP"))));
        while (m.find()) {
            hosts.put(m.group(1), new Recap(Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                    Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5))));
        }
        return hosts;
    }

    /** verify.yml's table: a row per host, the scenario's replicas ok with datagrams counted, the rest unused or client. */
    private static void verifyTable(Tools.Run verify, int replicas) {
        List<String> rows = unwrapped(verify.output()).lines().map(String::strip).filter(l -> l.matches("- (r[0-9]|client) .*")).toList();
        assertThat(rows).as("summary rows in:\n%s", verify.tail(40)).hasSize(6);
        for (int i = 0; i < 5; i++) {
            String row = rows.get(i);
            if (i < replicas) {
                assertThat(row).startsWith("- r" + i).contains("replica " + i).endsWith(" ok");
            } else {
                assertThat(row).startsWith("- r" + i).contains("unused").endsWith(" ok");
            }
        }
        assertThat(rows.get(5)).startsWith("- client").endsWith(" ok");
    }

    /** Ansible's YAML output with long messages joined again: it wraps them onto lines indented 8 spaces. */
    static String unwrapped(String output) {
        return output.replaceAll("\n {8}(?=\\S)", " ");
    }

    /** ssh's connection masters exit once their proxies in the namespaces are gone; wait for that. */
    private static void awaitNoProcessMentioning(String text, Duration limit) throws Exception {
        List<ProcessHandle> left = ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains(text)).toList();
        long deadline = System.nanoTime() + limit.toNanos();
        for (ProcessHandle process : left) {
            try {
                process.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                assertThat(process.info().commandLine().orElse("?")).as("a process still using the lab's files").isEmpty();
            }
        }
    }
}

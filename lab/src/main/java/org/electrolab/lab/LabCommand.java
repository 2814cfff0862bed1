package org.electrolab.lab;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.stream.Collectors;

import org.electrolab.lab.cli.GroupCommand;
import org.electrolab.lab.cli.LabStep;
import org.electrolab.lab.netns.Lab;
import org.electrolab.lab.netns.LabHost;
import org.electrolab.lab.netns.LabPaths;
import org.electrolab.lab.scenario.Scenario;
import org.electrolab.lab.scenario.ScenarioException;
import org.electrolab.lab.scenario.ScenarioFile;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code electrolab lab up|down|status}: the single-machine lab of network namespaces (docs/lab.md). */
@Command(name = "lab", description = "Run a cluster on this machine, one network namespace per host (needs root).",
        subcommands = {LabCommand.Up.class, LabCommand.Down.class, LabCommand.Status.class})
public final class LabCommand extends GroupCommand {
    public static final String DEFAULT_NAME = "lab";

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;

    /**
     * A lab step. A mistake in the scenario file prints one line per mistake and exits 2 (a user
     * error, as elsewhere in electrolab); a lab step that fails prints its one line and exits 1.
     */
    private abstract static class Step extends LabStep {
        static final int EXIT_FAILED = 1;

        Step() {
            super(EXIT_FAILED);
        }

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
        boolean help;

        @Option(names = "--name", defaultValue = DEFAULT_NAME, paramLabel = "L",
                description = "Lab name: 1-12 lower-case letters and digits (default: ${DEFAULT-VALUE}).")
        String name;
    }

    @Command(name = "up", description = "Create the lab's namespaces and bridge, start the replicas, wait until they agree on a view.")
    static final class Up extends Step {
        @Option(names = "--scenario", required = true, paramLabel = "FILE",
                description = "Scenario file, e.g. experiments/scenarios/scenario3.yaml.")
        Path scenarioFile;

        @Override
        protected void step(PrintWriter out) throws ScenarioException {
            Scenario scenario = ScenarioFile.load(scenarioFile);
            // Killed mid-way (Ctrl-C), up cannot roll back safely while it is still creating; down can.
            PrintWriter err = spec.commandLine().getErr();
            Thread hint = new Thread(() -> {
                err.println("electrolab lab up: interrupted; run `electrolab lab down --name " + name + "` to remove what it made");
                err.flush();
            });
            Runtime.getRuntime().addShutdownHook(hint);
            Lab lab;
            try {
                lab = Lab.up(LabPaths.locate(), name, scenario);
            } finally {
                Runtime.getRuntime().removeShutdownHook(hint);
            }
            out.println("lab " + name + " up: " + scenario.replicas() + " replicas (offloads " + scenario.offloadArgument()
                    + ", app " + scenario.app() + "), cluster config " + lab.clusterConfig());
            for (LabHost host : lab.network().hosts()) out.println("  " + host.name() + "  " + host.netns() + "  " + host.address());
        }
    }

    @Command(name = "down", description = "Stop the lab's processes and delete its namespaces, links and state (idempotent).")
    static final class Down extends Step {
        @Override
        protected void step(PrintWriter out) {
            Lab.Removed removed = Lab.down(LabPaths.locate(), name);
            if (removed.nothing()) {
                out.println("lab " + name + " is down (nothing to remove)");
            } else {
                out.println("lab " + name + " down: stopped " + removed.processes() + " processes, deleted "
                        + removed.namespaces() + " namespaces" + (removed.stateDir() ? " and the state directory" : ""));
            }
        }
    }

    @Command(name = "status", description = "Show the lab's hosts, addresses, processes and each replica's view, status, op and commit.")
    static final class Status extends Step {
        @Override
        protected void step(PrintWriter out) {
            Lab.Status status = Lab.open(LabPaths.locate(), name).status();
            Scenario s = status.scenario();
            out.printf("lab %s: scenario %s (%d replicas, offloads %s, app %s), subnet 198.18.%d.0/24, switch %s%n",
                    status.name(), s.name(), s.replicas(), s.offloadArgument(), s.app(), status.network().subnet(),
                    status.network().switchNetns());
            out.printf("%-7s %-16s %-14s %-9s %-5s %-11s %-6s %-8s %-8s %s%n",
                    "host", "namespace", "address", "processes", "view", "status", "leader", "op", "commit", "offloads loaded");
            for (Lab.HostStatus host : status.hosts()) {
                String processes = host.netnsPresent() ? Integer.toString(host.pids().size()) : "no netns";
                out.printf("%-7s %-16s %-14s %-9s", host.host().name(), host.host().netns(), host.host().address(), processes);
                host.view().ifPresentOrElse(
                        v -> out.printf(" %-5d %-11s %-6d %-8d %-8d %s%n", v.view(), v.running() ? v.status() : "EXITED",
                                v.leader(), v.op(), v.commit(), v.offloadsLoaded()),
                        () -> out.println(host.host().isReplica() ? " (no stats yet)" : ""));
                host.view().filter(v -> !v.kernel().isEmpty()).ifPresent(v -> out.println("        kernel: "
                        + v.kernel().entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "))));
            }
        }
    }
}

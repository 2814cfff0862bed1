package org.electrolab.lab;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.electrolab.lab.cli.CtrlC;
import org.electrolab.lab.cli.GroupCommand;
import org.electrolab.lab.cli.LabStep;
import org.electrolab.lab.cli.UserError;
import org.electrolab.lab.pipeline.Progress;
import org.electrolab.lab.netns.Lab;
import org.electrolab.lab.netns.LabException;
import org.electrolab.lab.netns.Host;
import org.electrolab.lab.netns.Locations;
import org.electrolab.lab.scenario.Scenario;
import org.electrolab.lab.scenario.ScenarioException;
import org.electrolab.lab.scenario.ScenarioFile;
import org.electrolab.lab.watch.LabWatch;
import org.electrolab.lab.watch.Snapshot;
import org.electrolab.lab.watch.StatusTable;
import org.electrolab.lab.watch.WatchServer;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code electrolab lab up|down|status|watch|metrics}: the single-machine lab of network namespaces (docs/lab.md). */
@Command(name = "lab", description = "Run a cluster on this machine, one network namespace per host (needs root).",
        subcommands = {LabCommand.Up.class, LabCommand.Down.class, LabCommand.Status.class, LabCommand.Watch.class,
                LabCommand.Metrics.class})
public final class LabCommand extends GroupCommand {
    public static final String DEFAULT_NAME = "lab";
    private static final ObjectMapper JSON = new ObjectMapper();

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
                lab = Lab.up(Locations.locate(), name, scenario);
            } finally {
                Runtime.getRuntime().removeShutdownHook(hint);
            }
            out.println("lab " + name + " up: " + scenario.replicas() + " replicas (offloads " + scenario.offloadArgument()
                    + ", app " + scenario.app() + "), cluster config " + lab.clusterConfig());
            for (Host host : lab.network().hosts()) out.println("  " + host.name() + "  " + host.netns() + "  " + host.address());
        }
    }

    @Command(name = "down", description = "Stop the lab's processes and delete its namespaces, links and state (idempotent).")
    static final class Down extends Step {
        @Override
        protected void step(PrintWriter out) {
            Lab.Removed removed = Lab.down(Locations.locate(), name);
            if (removed.nothing()) {
                out.println("lab " + name + " is down (nothing to remove)");
            } else {
                out.println("lab " + name + " down: stopped " + removed.processes() + " processes, deleted "
                        + removed.namespaces() + " namespaces" + (removed.stateDir() ? " and the state directory" : ""));
            }
        }
    }

    @Command(name = "status", description = "Show the lab's hosts, addresses, processes and each replica's role, view, status, op, "
            + "commit and program counters, and the client's last second.")
    static final class Status extends Step {
        @Option(names = "--json", description = "print it as JSON (the live page's snapshot, plus each host's namespace and processes)")
        boolean json;

        @Option(names = "--watch", description = "redraw it every second, with each counter's rate, until Ctrl-C")
        boolean watch;

        @Override
        protected void step(PrintWriter out) throws IOException {
            Locations paths = Locations.locate();
            LabWatch sampler = LabWatch.of(paths, name);
            if (!watch) {
                Lab lab = Lab.open(paths, name);
                print(out, lab, lab.status(), sampler.sample(), false);
                return;
            }
            boolean terminal = Progress.stderrIsTerminal();
            CountDownLatch stop = new CountDownLatch(1);
            try (CtrlC _ = CtrlC.onStop(stop::countDown, Duration.ofSeconds(5), "status-watch-stop")) {
                do {
                    Snapshot snapshot = sampler.sample();
                    StringWriter screen = new StringWriter();
                    PrintWriter page = new PrintWriter(screen);
                    if (snapshot.up()) {
                        try {
                            Lab lab = Lab.open(paths, name);
                            print(page, lab, lab.status(), snapshot, true);
                        } catch (LabException gone) {
                            page.println(gone.getMessage());
                        }
                    } else {
                        page.println(snapshot.note());
                    }
                    page.flush();
                    // On a terminal the table is redrawn in place; in a log, tables follow each other.
                    out.print(terminal ? "\033[H\033[2J" + screen : screen + "\n");
                    out.flush();
                } while (!stop.await(1, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void print(PrintWriter out, Lab lab, Lab.Overview status, Snapshot snapshot, boolean rates) throws IOException {
            if (!json) {
                StatusTable.print(out, snapshot, lab.network(), StatusTable.byHost(status.hosts()), rates);
                return;
            }
            ObjectNode tree = JSON.valueToTree(snapshot);
            ArrayNode namespaces = tree.putArray("namespaces");
            for (Lab.HostStatus host : status.hosts()) {
                namespaces.addObject().put("host", host.host().name()).put("namespace", host.host().netns())
                        .put("present", host.netnsPresent()).put("processes", host.pids().size());
            }
            out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(tree));
        }
    }

    @Command(name = "watch", description = {
            "Serve a live page of the lab on http://127.0.0.1:PORT/ until Ctrl-C: every replica's role, view, op, commit and "
                    + "program counters with their rates, the client's ops/s and p99, fault windows; also /metrics (Prometheus).",
            "It reads the lab's stats files only, so it may start before the lab is up and follows a lab that goes down and "
                    + "comes up again (an experiment's next cell)."})
    static final class Watch extends Step {
        @Option(names = "--port", defaultValue = "8080", paramLabel = "P",
                description = "TCP port on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0: any free port)")
        int port;

        @Override
        protected void step(PrintWriter out) {
            if (port < 0 || port > 65535) throw new UserError("--port " + port + ": use 0..65535");
            WatchServer server;
            try {
                server = WatchServer.start(LabWatch.of(Locations.locate(), name), WatchServer.LOOPBACK, port);
            } catch (IllegalArgumentException e) {
                throw new UserError(e.getMessage());
            }
            CountDownLatch stop = new CountDownLatch(1);
            try (CtrlC _ = CtrlC.onStop(stop::countDown, Duration.ofSeconds(10), "watch-stop")) {
                out.println("watching lab " + name + " on " + server.url() + " (Ctrl-C to stop)");
                out.flush();
                stop.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                server.close();
            }
        }
    }

    @Command(name = "metrics", description = "Print the lab's figures once in Prometheus' text format (what the live page serves at /metrics).")
    static final class Metrics extends Step {
        @Override
        protected void step(PrintWriter out) {
            out.print(org.electrolab.lab.watch.Metrics.text(LabWatch.of(Locations.locate(), name).sample()));
            out.flush();
        }
    }
}

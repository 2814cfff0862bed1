package org.electrolab.lab.ansible;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.electrolab.lab.experiment.ResultsDir;
import org.electrolab.lab.experiment.RunRow;
import org.electrolab.lab.netns.Lab;
import org.electrolab.lab.netns.LabException;
import org.electrolab.lab.netns.LabPaths;
import org.electrolab.lab.scenario.ScenarioException;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code electrolab ansible ...}: what the playbooks under ansible/ ask of the Java side
 * (docs/vms.md): the namespace-lab inventory's hosts, scenario validation, and results.csv.
 */
@Command(name = "ansible", mixinStandardHelpOptions = true,
        description = "Helpers for the Ansible playbooks: namespace-lab hosts, scenario values, results.",
        subcommands = {AnsibleCommand.LabUp.class, AnsibleCommand.LabDown.class, AnsibleCommand.ScenarioCmd.class,
                AnsibleCommand.Collect.class})
public final class AnsibleCommand implements Runnable {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a subcommand: lab-up, lab-down, scenario or collect");
    }

    /** A step whose user errors print as one line each and exit 2. */
    private abstract static class Step implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            try {
                step(spec.commandLine().getOut());
                return 0;
            } catch (LabException e) {
                err.println("electrolab ansible " + spec.name() + ": " + e.getMessage());
                for (Throwable suppressed : e.getSuppressed()) err.println("  while cleaning up: " + suppressed.getMessage());
                return 2;
            } catch (ScenarioException e) {
                e.problems().forEach(err::println);
                return 2;
            } catch (IOException e) {
                err.println("electrolab ansible " + spec.name() + ": " + e.getMessage());
                return 2;
            }
        }

        abstract void step(PrintWriter out) throws ScenarioException, IOException;
    }

    @Command(name = "lab-up", mixinStandardHelpOptions = true,
            description = "Create a netns lab's hosts without starting anything and write their inventory (needs root).")
    static final class LabUp extends Step {
        @Option(names = "--name", defaultValue = NetnsInventory.DEFAULT_NAME, paramLabel = "L",
                description = "Lab name (default: ${DEFAULT-VALUE}).")
        String name;

        @Option(names = "--replicas", defaultValue = "7", paramLabel = "N",
                description = "Replica hosts; a scenario may use the first 3..N of them (default: ${DEFAULT-VALUE}).")
        int replicas;

        @Override
        void step(PrintWriter out) {
            Path hosts = NetnsInventory.up(LabPaths.locate(), name, replicas);
            out.println(hosts);
        }
    }

    @Command(name = "lab-down", mixinStandardHelpOptions = true,
            description = "Stop everything in a netns lab's hosts, delete them, their keys and state (idempotent).")
    static final class LabDown extends Step {
        @Option(names = "--name", defaultValue = NetnsInventory.DEFAULT_NAME, paramLabel = "L",
                description = "Lab name (default: ${DEFAULT-VALUE}).")
        String name;

        @Override
        void step(PrintWriter out) {
            Lab.Removed removed = NetnsInventory.down(LabPaths.locate(), name);
            out.println("lab " + name + " down: stopped " + removed.processes() + " processes, deleted "
                    + removed.namespaces() + " namespaces");
        }
    }

    @Command(name = "scenario", mixinStandardHelpOptions = true,
            description = "Validate a scenario file with overrides and print it as JSON for the playbooks.")
    static final class ScenarioCmd extends Step {
        @Parameters(paramLabel = "FILE", description = "Scenario file, e.g. experiments/scenarios/scenario3.yaml.")
        Path file;

        @Option(names = "--set", paramLabel = "KEY=VALUE",
                description = "Override a key, e.g. replicas=5, offloads=all, workload.duration=3s (repeatable).")
        List<String> overrides = List.of();

        @Override
        void step(PrintWriter out) throws ScenarioException, IOException {
            Map<String, String> parsed = new LinkedHashMap<>();
            for (String override : overrides) {
                int eq = override.indexOf('=');
                if (eq <= 0) throw new ScenarioException(List.of("--set " + override + ": write KEY=VALUE, e.g. replicas=5"));
                parsed.put(override.substring(0, eq).strip(), override.substring(eq + 1).strip());
            }
            out.println(new ObjectMapper().writeValueAsString(ScenarioVars.asVars(ScenarioVars.resolve(file, parsed))));
        }
    }

    @Command(name = "collect", mixinStandardHelpOptions = true,
            description = "Write results.csv and environment.json of a results directory filled by experiment.yml.")
    static final class Collect extends Step {
        @Parameters(paramLabel = "DIR", description = "experiments/results/<timestamp>")
        Path dir;

        @Override
        void step(PrintWriter out) throws IOException {
            List<RunRow> rows = ResultsCollector.collect(new ResultsDir(dir), LabPaths.locate().repo());
            out.println(dir.resolve("results.csv") + ": " + rows.size() + " runs, "
                    + rows.stream().filter(RunRow::isOk).count() + " ok");
        }
    }
}

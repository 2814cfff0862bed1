package org.electrolab.lab.ansible;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.electrolab.lab.cli.GroupCommand;
import org.electrolab.lab.cli.LabStep;
import org.electrolab.lab.cli.UserError;
import org.electrolab.lab.experiment.ResultsDir;
import org.electrolab.lab.experiment.RunRow;
import org.electrolab.lab.netns.Lab;
import org.electrolab.lab.netns.Locations;
import org.electrolab.lab.scenario.ScenarioException;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code electrolab ansible ...}: what the playbooks under ansible/ ask of the Java side
 * (docs/vms.md): the namespace-lab inventory's hosts, scenario validation, and results.csv.
 */
@Command(name = "ansible", mixinStandardHelpOptions = true,
        description = "Helpers for the Ansible playbooks: namespace-lab hosts, scenario values, results.",
        subcommands = {AnsibleCommand.LabUp.class, AnsibleCommand.LabDown.class, AnsibleCommand.ScenarioCmd.class,
                AnsibleCommand.Collect.class})
public final class AnsibleCommand extends GroupCommand {

    /** A step whose errors, a lab failure too, print as one line each and exit 2. */
    private abstract static class Step extends LabStep {
        Step() {
            super(UserError.EXIT_CODE);
        }
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
        protected void step(PrintWriter out) {
            Path hosts = NetnsInventory.up(Locations.locate(), name, replicas);
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
        protected void step(PrintWriter out) {
            Lab.Removed removed = NetnsInventory.down(Locations.locate(), name);
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
        protected void step(PrintWriter out) throws ScenarioException, IOException {
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
        protected void step(PrintWriter out) throws IOException {
            List<RunRow> rows = ResultsCollector.collect(new ResultsDir(dir), Locations.locate().repo());
            out.println(dir.resolve("results.csv") + ": " + rows.size() + " runs, "
                    + rows.stream().filter(RunRow::isOk).count() + " ok");
        }
    }
}

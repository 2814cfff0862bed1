package org.electrolab.lab;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.electrolab.lab.ansible.AnsibleCluster;
import org.electrolab.lab.cli.CtrlC;
import org.electrolab.lab.cli.GroupCommand;
import org.electrolab.lab.cli.InvokingUser;
import org.electrolab.lab.cli.UserError;
import org.electrolab.lab.pipeline.Cluster;
import org.electrolab.lab.pipeline.EnvironmentFacts;
import org.electrolab.lab.experiment.ExperimentRunner;
import org.electrolab.lab.experiment.Matrix;
import org.electrolab.lab.pipeline.PlanException;
import org.electrolab.lab.experiment.MatrixFile;
import org.electrolab.lab.pipeline.PlanKeys;
import org.electrolab.lab.pipeline.NetnsCluster;
import org.electrolab.lab.pipeline.Progress;
import org.electrolab.lab.experiment.ResultsDir;
import org.electrolab.lab.netns.LabException;
import org.electrolab.lab.netns.Network;
import org.electrolab.lab.netns.Locations;
import org.electrolab.lab.netns.Privileges;
import org.electrolab.lab.report.Report;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code electrolab experiment run MATRIX}: every cell of a matrix on the netns lab, or with
 * {@code --inventory} on an Ansible inventory's hosts, then the report (docs/experiments.md).
 */
@Command(name = "experiment",
        description = "Run an experiment matrix on the netns lab (needs root) or an Ansible inventory, and report on it.",
        subcommands = {ExperimentCommand.RunMatrix.class, FaultsCommand.class})
public final class ExperimentCommand extends GroupCommand {
    public static final String DEFAULT_LAB_NAME = "exp";
    /** Time a lab start and teardown add to each run, for the ETA until the first run has finished. */
    private static final Duration RUN_OVERHEAD = Duration.ofSeconds(5);
    /** The same with Ansible: scenario.yml and experiment.yml, each a round of ssh to every host. */
    private static final Duration ANSIBLE_RUN_OVERHEAD = Duration.ofSeconds(40);
    /** How long Ctrl-C waits for the current run to stop, the lab to go down and the report to be written. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(180);

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;

    /**
     * Exit 0 when every run completed, 1 when a run failed or the experiment was stopped (the results
     * directory holds what ran), 2 for a mistake in the matrix or the options (nothing started).
     */
    @Command(name = "run", description = {
            "Run every cell of MATRIX (sizes x offload sets x client counts), repeat 1 of every cell before repeat 2, "
                    + "into a results directory, then write its report.",
            "Ctrl-C stops after taking the lab down; what ran is kept and reported.",
            "With --inventory the cells run on the inventory's hosts through ansible/scenario.yml, verify.yml and experiment.yml."})
    static final class RunMatrix implements Callable<Integer> {
        static final int EXIT_RUNS_FAILED = 1;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
        boolean help;

        @Parameters(index = "0", paramLabel = "MATRIX", description = "matrix file, e.g. experiments/matrix.yaml")
        Path matrixFile;

        @Option(names = "--out", paramLabel = "DIR",
                description = "results directory, new or empty (default: experiments/results/<timestamp> in the checkout)")
        Path out;

        @Option(names = "--repeats", paramLabel = "N", description = "runs per cell, instead of the matrix's repeats")
        Integer repeats;

        @Option(names = "--lab-name", defaultValue = DEFAULT_LAB_NAME, paramLabel = "L",
                description = "name of the netns lab the experiment starts and removes (default: ${DEFAULT-VALUE})")
        String labName;

        @Option(names = "--inventory", paramLabel = "FILE",
                description = "run on the hosts of this Ansible inventory (repeatable, as ansible-playbook -i), "
                        + "e.g. --inventory .vagrant/provisioners/ansible/inventory/vagrant_ansible_inventory; "
                        + "without it the netns lab runs the matrix")
        List<Path> inventories = List.of();

        @Option(names = "--verbose", description = "with --inventory: show Ansible's whole output, not one line per playbook")
        boolean verbose;

        @Override
        public Integer call() throws IOException, PlanException {
            PrintWriter err = spec.commandLine().getErr();
            Matrix matrix = MatrixFile.load(matrixFile);
            if (repeats != null) {
                if (repeats < 1 || repeats > PlanKeys.REPEATS_MAX) {
                    throw new UserError("--repeats " + repeats + ": use 1.." + PlanKeys.REPEATS_MAX);
                }
                matrix = matrix.withRepeats(repeats);
            }
            Locations paths;
            try {
                if (inventories.isEmpty()) {
                    Network.requireName(labName);
                    Privileges.requireRoot();
                    Privileges.requireTools();
                } else {
                    requireAnsible();
                }
                paths = Locations.locate();
            } catch (LabException e) {
                throw new UserError(e.getMessage().replace("--name", "--lab-name"));
            }
            ResultsDir results = out != null ? new ResultsDir(out)
                    : ResultsDir.timestamped(paths.repo().resolve("experiments").resolve("results"), LocalDateTime.now());
            try {
                results.create();
            } catch (IOException e) {
                throw new UserError("--out " + results.dir() + ": " + e.getMessage());
            }

            int runs = matrix.plan().size();
            PrintWriter stdout = spec.commandLine().getOut();
            stdout.println("electrolab experiment: " + runs + " runs of " + matrix.name() + " into " + results.dir());
            stdout.flush();
            Progress progress = new Progress(err, Progress.stderrIsTerminal(), runs, matrix.warmup().plus(matrix.duration())
                    .plus(inventories.isEmpty() ? RUN_OVERHEAD : ANSIBLE_RUN_OVERHEAD), System::nanoTime);
            Map<String, Object> environment = environment(paths);
            Cluster cluster;
            if (inventories.isEmpty()) {
                cluster = new NetnsCluster(paths, labName);
            } else {
                List<Path> files = inventories.stream().map(file -> file.toAbsolutePath().normalize()).toList();
                AnsibleCluster ansible = new AnsibleCluster(paths.repo(), files, results.ansible(), verbose, progress::note);
                environment.put("inventory", files.stream().map(Path::toString).toList());
                try {
                    environment.put("hosts", ansible.hostKernels());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                cluster = ansible;
            }
            ExperimentRunner runner = new ExperimentRunner(cluster, matrix, results, progress, environment);
            // Ctrl-C stops the runner, which takes the lab down and records the rest as skipped.
            ExperimentRunner.Outcome outcome;
            try (CtrlC _ = CtrlC.onStop(runner::requestStop, STOP_WAIT, "experiment-stop")) {
                outcome = runner.run(Files.readString(matrixFile, StandardCharsets.UTF_8));
                stdout.println((outcome.stopped() ? "stopped: " : "done: ") + outcome.ok() + " runs ok, " + outcome.failed()
                        + " failed, " + outcome.skipped() + " skipped");
                stdout.flush();
                try {
                    stdout.println("report " + Report.write(results.dir()));
                    stdout.flush();
                    InvokingUser.handOver(results.dir());
                } catch (IOException | RuntimeException e) {
                    err.println("electrolab experiment run: the report failed (" + e + "); the results are in "
                            + results.dir() + ", try `electrolab report " + results.dir() + "`");
                    err.flush();
                    return EXIT_RUNS_FAILED;
                }
            }
            return outcome.failed() > 0 || outcome.stopped() ? EXIT_RUNS_FAILED : 0;
        }

        /** Each inventory file exists and ansible-playbook is on the PATH; otherwise one line says what to do. */
        private void requireAnsible() {
            for (Path inventory : inventories) {
                if (!Files.exists(inventory)) {
                    throw new UserError("--inventory " + inventory + ": no such file; pass an Ansible inventory, "
                            + "e.g. .vagrant/provisioners/ansible/inventory/vagrant_ansible_inventory after vagrant up (docs/vms.md)");
                }
            }
            String path = System.getenv().getOrDefault("PATH", "");
            for (String dir : path.split(File.pathSeparator)) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "ansible-playbook"))) return;
            }
            throw new UserError("--inventory needs ansible-playbook, which is not on the PATH; install Ansible "
                    + "(apt-get install ansible) or run without --inventory on the netns lab");
        }

        private Map<String, Object> environment(Locations paths) {
            return EnvironmentFacts.ofRun(spec.commandLine().getParseResult().originalArgs(), "matrixFile", matrixFile, paths.repo());
        }
    }
}

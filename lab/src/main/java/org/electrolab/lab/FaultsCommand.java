package org.electrolab.lab;

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

import org.electrolab.lab.cli.CtrlC;
import org.electrolab.lab.cli.InvokingUser;
import org.electrolab.lab.cli.UserError;
import org.electrolab.lab.pipeline.EnvironmentFacts;
import org.electrolab.lab.pipeline.PlanException;
import org.electrolab.lab.pipeline.Progress;
import org.electrolab.lab.faults.Campaign;
import org.electrolab.lab.faults.CampaignDir;
import org.electrolab.lab.faults.CampaignFile;
import org.electrolab.lab.faults.CampaignRunner;
import org.electrolab.lab.faults.FaultReport;
import org.electrolab.lab.faults.FaultRun;
import org.electrolab.lab.netns.LabException;
import org.electrolab.lab.netns.Network;
import org.electrolab.lab.netns.Locations;
import org.electrolab.lab.netns.Privileges;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code electrolab experiment faults CAMPAIGN}: the fault campaign on the netns lab (docs/faults.md).
 * Exit 0 when every run was carried out and found linearizable, with no lost write and converged
 * replicas; 1 otherwise (the results directory says which run and why); 2 for a user error.
 */
@Command(name = "faults", description = {
        "Run a fault campaign on the netns lab: for every size, offload set and fault of CAMPAIGN, kv clients record a history "
                + "while the fault is injected and healed; each history is checked for linearizability and lost writes, and the "
                + "replicas for convergence. Writes runs, faults.csv, report.md and timeline charts into a results directory.",
        "Ctrl-C stops after the current run and takes the lab down; what ran is kept and reported."})
public final class FaultsCommand implements Callable<Integer> {
    static final int EXIT_PROBLEM = 1;
    private static final Duration STOP_WAIT = Duration.ofSeconds(180);
    /** What a run adds to its load, for the ETA until the first has finished: converging, final reads, judging. */
    private static final Duration RUN_OVERHEAD = Duration.ofSeconds(8);

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;

    @Parameters(index = "0", paramLabel = "CAMPAIGN", description = "campaign file, e.g. experiments/faults.yaml")
    Path campaignFile;

    @Option(names = "--out", paramLabel = "DIR",
            description = "results directory, new or empty (default: experiments/results/<timestamp>-faults in the checkout)")
    Path out;

    @Option(names = "--lab-name", defaultValue = "faults", paramLabel = "L",
            description = "name of the netns lab the campaign starts and removes (default: ${DEFAULT-VALUE})")
    String labName;

    @Override
    public Integer call() throws IOException, PlanException {
        PrintWriter err = spec.commandLine().getErr();
        Campaign campaign = CampaignFile.load(campaignFile);
        Locations paths;
        try {
            Network.requireName(labName);
            Privileges.requireRoot();
            Privileges.requireTools();
            paths = Locations.locate();
        } catch (LabException e) {
            throw new UserError(e.getMessage().replace("--name", "--lab-name"));
        }
        CampaignDir results = out != null ? new CampaignDir(out)
                : CampaignDir.timestamped(paths.repo().resolve("experiments").resolve("results"), LocalDateTime.now());
        try {
            results.create();
            Files.writeString(results.campaignCopy(), Files.readString(campaignFile, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UserError("--out " + results.dir() + ": " + e.getMessage());
        }
        PrintWriter stdout = spec.commandLine().getOut();
        int total = campaign.plan().size();
        stdout.printf("electrolab experiment faults: %d runs of %s (%s each) into %s%n", total, campaign.name(),
                campaign.load().toSeconds() + " s of load", results.dir());
        stdout.flush();

        // The same progress as experiment run: a bar with the ETA on a terminal, a line per run elsewhere.
        Progress progress = new Progress(err, Progress.stderrIsTerminal(), total, campaign.load().plus(RUN_OVERHEAD), System::nanoTime);
        CampaignRunner runner = new CampaignRunner(paths, labName, campaign, results, progress);
        try (CtrlC _ = CtrlC.onStop(runner::requestStop, STOP_WAIT, "faults-stop")) {
            List<FaultRun> runs;
            try {
                runs = runner.run(environment(paths));
            } finally {
                progress.close();
            }
            Path report = FaultReport.write(results);
            InvokingUser.handOver(results.dir());
            long problems = runs.stream().filter(r -> !r.correct()).count();
            stdout.printf("%s: %d runs, %d with a problem; report %s%n", runs.size() < total ? "stopped" : "done", runs.size(), problems, report);
            stdout.flush();
            return problems > 0 || runs.size() < total ? EXIT_PROBLEM : 0;
        }
    }

    private Map<String, Object> environment(Locations paths) {
        return EnvironmentFacts.ofRun(spec.commandLine().getParseResult().originalArgs(), "campaignFile", campaignFile, paths.repo());
    }
}

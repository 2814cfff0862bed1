package org.electrolab.lab;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.electrolab.lab.cli.InvokingUser;
import org.electrolab.lab.cli.UserError;
import org.electrolab.lab.faults.CampaignDir;
import org.electrolab.lab.faults.FaultReport;
import org.electrolab.lab.report.Report;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code electrolab report DIR}: report.md and charts/*.png from a results directory (docs/experiments.md). */
@Command(name = "report", description = "Write report.md (tables per cell, ratios to offloads none, failed runs) and"
        + " PNG charts into a results directory.")
public final class ReportCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;

    @Parameters(index = "0", paramLabel = "DIR", description = "results directory, e.g. experiments/results/<timestamp>")
    Path dir;

    @Override
    public Integer call() {
        Path report;
        try {
            // A fault campaign's results (campaign.yaml, docs/faults.md) have their own report.
            report = Files.exists(dir.resolve("campaign.yaml")) ? FaultReport.write(new CampaignDir(dir)) : Report.write(dir);
            InvokingUser.handOver(report);
            InvokingUser.handOver(dir.resolve("charts"));
        } catch (IOException e) {
            throw new UserError(e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("wrote " + report + " and charts in " + dir.resolve("charts"));
        out.flush();
        return 0;
    }
}

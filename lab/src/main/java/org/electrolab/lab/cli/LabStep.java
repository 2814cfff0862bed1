package org.electrolab.lab.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;

import org.electrolab.lab.netns.LabException;
import org.electrolab.lab.scenario.ScenarioException;

import picocli.CommandLine;
import picocli.CommandLine.Spec;

/**
 * A subcommand that works on a netns lab or a scenario file. What goes wrong is printed without a
 * stack trace: a lab failure as "COMMAND: what failed" plus a line for each cleanup that failed too,
 * a scenario's mistakes one line each (exit 2), an I/O failure as one line (exit 2).
 */
public abstract class LabStep implements Callable<Integer> {
    @Spec
    protected CommandLine.Model.CommandSpec spec;

    private final int labFailedExitCode;

    protected LabStep(int labFailedExitCode) {
        this.labFailedExitCode = labFailedExitCode;
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        try {
            step(spec.commandLine().getOut());
            return 0;
        } catch (LabException e) {
            err.println(spec.qualifiedName() + ": " + e.getMessage());
            for (Throwable suppressed : e.getSuppressed()) err.println("  while cleaning up: " + suppressed.getMessage());
            return labFailedExitCode;
        } catch (ScenarioException e) {
            e.problems().forEach(err::println);
            return UserError.EXIT_CODE;
        } catch (IOException e) {
            err.println(spec.qualifiedName() + ": " + e.getMessage());
            return UserError.EXIT_CODE;
        }
    }

    protected abstract void step(PrintWriter out) throws ScenarioException, IOException;
}

package org.electrolab.lab;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

import org.electrolab.lab.cli.UserError;
import org.electrolab.lab.pipeline.PlanException;
import org.electrolab.lab.cli.Version;
import org.electrolab.protocol.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code electrolab} command (bin/electrolab). Usage and user errors print one line on stderr
 * and exit 2; a bug prints its stack trace and exits 1.
 */
@Command(name = "electrolab",
        description = "Electrode (NSDI '23) lab: VR replicas on UDP with eBPF offloads, clients, labs, experiments.",
        subcommands = {
                ReplicaCommand.class,
                ClientCommand.class,
                org.electrolab.lab.ansible.AnsibleCommand.class,
                LabCommand.class,
                ExperimentCommand.class,
                ReportCommand.class,
                DemoCommand.class,
                CompletionCommand.class,
                org.electrolab.lab.kernels.KernelsCommand.class,
        })
public final class Main implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with electrolab's error handling; tests set its out/err and execute it. */
    public static CommandLine commandLine() {
        return Version.addTo(new CommandLine(new Main()))
                .setParameterExceptionHandler(Main::usageError)
                .setExecutionExceptionHandler(Main::failure);
    }

    /** {@code electrolab} without a command: the list of commands, as a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return UserError.EXIT_CODE;
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        String name = command.getCommandSpec().qualifiedName();
        String line = name + ": " + e.getMessage();
        if (e instanceof UnmatchedArgumentException unmatched) {
            List<String> suggestions = unmatched.getSuggestions();
            if (!suggestions.isEmpty()) line += " (did you mean " + String.join(" or ", suggestions) + "?)";
        }
        PrintWriter err = command.getErr();
        err.println(line + "; see " + name + " --help");
        err.flush();
        return UserError.EXIT_CODE;
    }

    private static int failure(Exception e, CommandLine command, CommandLine.ParseResult parsed) throws Exception {
        if (e instanceof PlanException plan) {
            // A matrix or campaign file with mistakes: each problem is a line naming the file, the field and the fix.
            PrintWriter err = command.getErr();
            plan.problems().forEach(err::println);
            err.flush();
            return UserError.EXIT_CODE;
        }
        if (!(e instanceof UserError) && !(e instanceof ConfigException)) throw e;
        PrintWriter err = command.getErr();
        err.println(command.getCommandSpec().qualifiedName() + ": " + e.getMessage());
        err.flush();
        return UserError.EXIT_CODE;
    }
}

package org.electrolab.lab.cli;

import java.util.List;

import picocli.CommandLine;
import picocli.CommandLine.Spec;

/** A command that only groups subcommands: run without one, it is a usage error that names them. */
public abstract class GroupCommand implements Runnable {
    @Spec
    protected CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        List<String> names = List.copyOf(spec.subcommands().keySet());
        String choices = names.size() == 1 ? names.getFirst()
                : String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.getLast();
        throw new CommandLine.ParameterException(spec.commandLine(), "name a subcommand: " + choices);
    }
}

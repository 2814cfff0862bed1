package org.electrolab.lab;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One {@code electrolab ARGS} as a user runs it, through {@link Main}'s error handling: its exit code and what it printed. */
public record CliRun(int exitCode, String out, String err) {

    public static CliRun electrolab(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exitCode = Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
        return new CliRun(exitCode, out.toString(), err.toString());
    }
}

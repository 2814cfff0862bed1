package org.electrolab.lab.netns;

import java.util.List;
import java.util.stream.Collectors;

/** A lab step that failed; the message is one line meant for the user (no stack trace needed). */
public final class LabException extends RuntimeException {
    public LabException(String message) {
        super(message);
    }

    static LabException commandFailed(CommandRunner.Result result) {
        String stderr = oneLine(result.stderr());
        return new LabException(quote(result.command()) + " failed (exit " + result.exitCode() + ")"
                + (stderr.isEmpty() ? "" : ": " + stderr));
    }

    static String quote(List<String> command) {
        return "`" + String.join(" ", command) + "`";
    }

    public static String oneLine(String text) {
        return text.lines().map(String::strip).filter(line -> !line.isEmpty()).collect(Collectors.joining("; "));
    }
}

package org.electrolab.replica.offload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The kernel's verifier refused a program. The message is one line: the program, its hook (ELF
 * section), the kernel, the verifier's own last words and the instruction and source line they
 * are about; {@link #log()} holds the whole verifier log.
 */
public final class VerifierRefusal extends BpfException {

    private final String program;
    private final String hook;
    private final String kernel;
    private final String log;

    VerifierRefusal(String program, String hook, String kernel, int errno, String log) {
        super(summary(program, hook, kernel, errno, log));
        this.program = program;
        this.hook = hook;
        this.kernel = kernel;
        this.log = log;
    }

    public String program() {
        return program;
    }

    /** The program's ELF section, which names its hook: {@code xdp}, {@code tc}. */
    public String hook() {
        return hook;
    }

    /** The running kernel's release ({@code uname -r}). */
    public String kernel() {
        return kernel;
    }

    /** The verifier's whole log (log level 1). */
    public String log() {
        return log;
    }

    /** The verifier's last lines that say what failed, at most {@code count}, oldest first. */
    public List<String> lastLines(int count) {
        List<String> lines = meaningful(log);
        return lines.subList(Math.max(0, lines.size() - count), lines.size());
    }

    /** Writes the whole log to {@code file} and returns it, for a message to point at. */
    public Path writeLog(Path file) throws IOException {
        Files.writeString(file, log);
        return file;
    }

    /**
     * E.g. {@code the kernel (6.1.0-57-amd64) refused program fast_reply (hook xdp): "math between
     * pkt pointer and register with unbounded min value is not allowed" at "63: (0f) r2 += r1",
     * source "if (tot_len < ...)"}.
     */
    static String summary(String program, String hook, String kernel, int errno, String log) {
        List<String> lines = meaningful(log);
        StringBuilder text = new StringBuilder("the kernel (" + kernel + ") refused program " + program + " (hook " + hook + ")");
        if (lines.isEmpty()) return text.append(": ").append(Errno.describe(errno)).append(", and the verifier said nothing").toString();
        String error = lines.getLast();
        text.append(": \"").append(error).append('"');
        String instruction = null, source = null;
        for (int i = lines.size() - 2; i >= 0 && (instruction == null || source == null); i--) {
            String line = lines.get(i);
            if (source == null && line.startsWith("; ")) source = line.substring(2).strip();
            else if (instruction == null && source == null && line.matches("\\d+: \\(.*")) instruction = line.replaceAll("\\s+;.*", "");
        }
        if (instruction != null) text.append(" at \"").append(instruction).append('"');
        if (source != null) text.append(", source \"").append(source).append('"');
        return text.toString();
    }

    /** The log without blank lines and the summary the verifier appends (processed ..., stack depth ...). */
    private static List<String> meaningful(String log) {
        List<String> lines = new ArrayList<>();
        for (String line : log.lines().toList()) {
            String stripped = line.strip();
            if (stripped.isEmpty() || stripped.startsWith("processed ") || stripped.startsWith("verification time")
                    || stripped.startsWith("stack depth") || stripped.startsWith("-- ")) continue;
            lines.add(stripped);
        }
        return lines;
    }
}

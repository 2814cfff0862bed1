package org.electrolab.lab.ansible;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a user needs from ansible-playbook's output (the default callback, results as YAML or JSON):
 * the first host that failed or was unreachable, the task it was at and Ansible's message, as one line.
 */
final class PlaybookOutput {
    private static final Pattern TASK = Pattern.compile("^TASK \\[(.*)\\] \\**\\s*$");
    private static final Pattern FATAL = Pattern.compile("^(?:fatal|failed): \\[([^\\]]+)\\](?: \\(item=.*?\\))?(?:: (FAILED|UNREACHABLE)!)? => ?(.*)$");
    private static final Pattern YAML_MSG = Pattern.compile("^\\s+msg: ?(.*)$");
    private static final Pattern JSON_MSG = Pattern.compile("\"msg\": \"((?:[^\"\\\\]|\\\\.)*)\"");
    /** Ansible's own words are kept whole up to this length; a reason is one line of a table. */
    private static final int MESSAGE_MAX = 240;

    private PlaybookOutput() {}

    /**
     * The first failure in {@code lines}, e.g. {@code r1 unreachable at task 'Gathering Facts': Failed
     * to connect to the host via ssh: ...}; null when no host failed (a failed result that Ansible
     * then ignored, {@code ...ignoring}, does not count).
     */
    static String firstFailure(List<String> lines) {
        String task = "?";
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher t = TASK.matcher(line);
            if (t.matches()) {
                task = t.group(1);
                continue;
            }
            Matcher f = FATAL.matcher(line);
            if (!f.matches()) continue;
            int end = i + 1;
            while (end < lines.size() && lines.get(end).startsWith(" ")) end++;
            if (end < lines.size() && lines.get(end).strip().equals("...ignoring")) continue;
            String message = message(f.group(3), lines.subList(i + 1, end));
            String what = "UNREACHABLE".equals(f.group(2)) ? " unreachable" : " failed";
            return f.group(1) + what + " at task '" + task + "'" + (message.isEmpty() ? "" : ": " + message);
        }
        return null;
    }

    /** Ansible's last {@code ERROR!} line (a playbook or inventory it could not read), or null. */
    static String error(List<String> lines) {
        String error = null;
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).startsWith("ERROR!")) continue;
            StringBuilder text = new StringBuilder(lines.get(i));
            // The sentence often goes on over the next lines, up to the first blank one.
            for (int j = i + 1; j < lines.size() && !lines.get(j).isBlank() && text.length() < MESSAGE_MAX; j++) {
                text.append(' ').append(lines.get(j).strip());
            }
            error = shorten(text.toString());
        }
        return error;
    }

    private static String message(String sameLine, List<String> following) {
        Matcher json = JSON_MSG.matcher(sameLine);
        if (json.find()) return shorten(json.group(1).replace("\\\"", "\"").replace("\\n", " "));
        for (int i = 0; i < following.size(); i++) {
            Matcher m = YAML_MSG.matcher(following.get(i));
            if (!m.matches()) continue;
            String value = m.group(1).strip();
            // A block scalar (msg: |-) holds the message in the lines below; a long quoted one wraps onto
            // them. Either way they are indented more than msg.
            boolean block = value.isEmpty() || value.matches("[|>][-+]?");
            StringBuilder text = new StringBuilder(block ? "" : value);
            int indent = indent(following.get(i));
            for (int j = i + 1; j < following.size() && indent(following.get(j)) > indent; j++) {
                text.append(' ').append(following.get(j).strip());
            }
            String whole = text.toString().strip();
            return shorten(block ? whole : unquote(whole));
        }
        return "";
    }

    /** A YAML single- or double-quoted scalar's text. */
    private static String unquote(String value) {
        if (value.length() < 2) return value;
        char quote = value.charAt(0);
        if ((quote != '\'' && quote != '"') || value.charAt(value.length() - 1) != quote) return value;
        String inner = value.substring(1, value.length() - 1);
        return quote == '\'' ? inner.replace("''", "'") : inner.replace("\\\"", "\"");
    }

    private static int indent(String line) {
        int n = 0;
        while (n < line.length() && line.charAt(n) == ' ') n++;
        return n;
    }

    private static String shorten(String text) {
        String line = text.replaceAll("\\s+", " ").strip();
        return line.length() <= MESSAGE_MAX ? line : line.substring(0, MESSAGE_MAX - 3) + "...";
    }
}

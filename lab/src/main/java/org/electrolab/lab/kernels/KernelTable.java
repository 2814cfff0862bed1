package org.electrolab.lab.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/** The check's results as a markdown table: one row per kernel and program (docs/kernels.md reads it). */
final class KernelTable {
    private KernelTable() {}

    static String markdown(List<KernelResult> results) {
        TreeSet<Integer> sizes = new TreeSet<>();
        results.forEach(r -> r.labs().forEach(l -> sizes.add(l.replicas())));
        StringBuilder t = new StringBuilder("| kernel | program | hook | loads | attaches | tests |");
        for (int n : sizes) t.append(" lab n=").append(n).append(" |");
        t.append("\n|---|---|---|---|---|---|");
        t.append("---|".repeat(sizes.size())).append('\n');
        for (KernelResult r : results) {
            String kernel = r.kernel() + " " + r.release() + " (" + r.accel() + ")";
            if (r.problem() != null) {
                t.append("| ").append(kernel).append(" | all | | **not checked**: ").append(escape(r.problem())).append(" | | |")
                        .append(" |".repeat(sizes.size())).append('\n');
                continue;
            }
            for (KernelResult.Program p : r.programs()) {
                t.append("| ").append(kernel).append(" | ").append(p.program()).append(" | ").append(p.hook()).append(" | ")
                        .append(p.loaded() ? "loads" : "**refused**: " + escape(p.problem())).append(" | ")
                        .append(p.attachedOk() ? p.attached() : p.loaded() ? "**fails**: " + escape(p.problem()) : "").append(" | ")
                        .append(tests(r.tests(), p.program())).append(" | ");
                for (int n : sizes) t.append(lab(r, n, p.program())).append(" | ");
                t.setLength(t.length() - 1);
                t.append('\n');
            }
        }
        return t.toString();
    }

    /** One line per kernel: where it came from, how long it took, and what failed outside the table. */
    static List<String> notes(List<KernelResult> results) {
        List<String> notes = new ArrayList<>();
        for (KernelResult r : results) {
            StringBuilder line = new StringBuilder(r.kernel() + ": " + r.release() + " from " + r.source() + ", " + r.accel()
                    + ", " + r.seconds() + " s; " + (r.passed() ? "every check passed" : "**failed**"));
            for (KernelResult.LabRun lab : r.labs()) {
                line.append("; lab n=").append(lab.replicas()).append(": ").append(lab.completed()).append(" requests, ")
                        .append(lab.errors()).append(" errors, ").append(lab.seconds()).append(" s")
                        .append(lab.passed() ? "" : ", **" + lab.problem() + "**");
            }
            if (r.tests() != null && r.tests().problem() != null) line.append("; tests: **").append(r.tests().problem()).append("**");
            if (r.tests() != null && !r.tests().unmapped().isEmpty()) {
                line.append("; tests that belong to no program (teach ProgramTests.RULES): ").append(r.tests().unmapped());
            }
            notes.add(line.toString());
        }
        return notes;
    }

    private static String tests(KernelResult.Tests tests, String program) {
        if (tests == null) return "";
        if (tests.problem() != null) return "**did not run**";
        KernelResult.TestCount c = tests.byProgram().get(program);
        if (c == null || c.passed() + c.failed() + c.skipped() == 0) return "**none ran**";
        if (c.failed() > 0) return "**" + c.failed() + " of " + (c.passed() + c.failed()) + " fail**: " + escape(String.join(", ", c.failures()));
        if (c.passed() == 0) return "**" + c.skipped() + " skipped**: " + escape(String.join("; ", c.skips()));
        if (c.skipped() > 0) return c.passed() + " pass, " + c.skipped() + " skipped (" + escape(String.join("; ", c.skips())) + ")";
        return c.passed() + " pass";
    }

    private static String lab(KernelResult r, int replicas, String program) {
        KernelResult.LabRun lab = r.labs().stream().filter(l -> l.replicas() == replicas).findFirst().orElse(null);
        if (lab == null) return "";
        Map<String, Long> c = lab.counters();
        String work = switch (program) {
            case "fast_reply" -> count(c, "fast-reply.fast_replied") + " fast replies";
            case "quorum_prune" -> count(c, "quorum-prune.quorum_passed") + " quorums"
                    + (replicas >= 5 ? ", " + count(c, "quorum-prune.pruned") + " pruned" : "");
            case "tc_broadcast" -> count(c, "tc-broadcast.cloned") + " clones";
            case "xdp_pass" -> "on every bridge port";
            default -> "not used";
        };
        if (program.equals("fault_inject")) return work;
        return (lab.passed() ? "passes: " : "**fails**: ") + work;
    }

    private static String count(Map<String, Long> counters, String name) {
        return String.format(Locale.ROOT, "%,d", counters.getOrDefault(name, 0L));
    }

    private static String escape(String text) {
        return text == null ? "" : text.replace("|", "\\|").replace("\n", " ");
    }
}

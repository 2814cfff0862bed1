package org.electrolab.lab.netns;

import java.util.ArrayList;
import java.util.List;

/**
 * One named network namespace ({@code /run/netns/NAME}), driven through iproute2. The lab only ever
 * touches namespaces whose names carry its own prefix, so other software's namespaces are safe.
 */
public final class Netns {
    private final String name;
    private final CommandRunner runner;

    public Netns(String name, CommandRunner runner) {
        this.name = name;
        this.runner = runner;
    }

    public String name() {
        return name;
    }

    /** The names of every namespace on the machine that starts with {@code prefix}. */
    public static List<String> list(CommandRunner runner, String prefix) {
        List<String> names = new ArrayList<>();
        for (String line : runner.run("ip", "netns", "list").lines().toList()) {
            String first = line.strip().split("\\s+", 2)[0];
            if (!first.isEmpty() && first.startsWith(prefix)) names.add(first);
        }
        return names;
    }

    public boolean exists() {
        return list(runner, name).contains(name);
    }

    public void add() {
        runner.run("ip", "netns", "add", name);
    }

    /** Deletes the namespace if it exists; links inside it (veth ends, bridge) go with it. */
    public void deleteIfExists() {
        if (exists()) runner.run("ip", "netns", "delete", name);
    }

    /** Runs {@code ip -n NAME args...}: iproute2 acting inside this namespace. */
    public String ip(String... args) {
        return runner.run(ipCommand(args));
    }

    public List<String> ipCommand(String... args) {
        List<String> command = new ArrayList<>(List.of("ip", "-n", name));
        command.addAll(List.of(args));
        return command;
    }

    /** Runs a command inside this namespace and returns its stdout. */
    public String exec(String... command) {
        return runner.run(execCommand(List.of(command)));
    }

    /** The command line that runs {@code command} inside this namespace (for long-running processes). */
    public List<String> execCommand(List<String> command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(command);
        return full;
    }

    /** Sets sysctl keys inside this namespace ({@code key=value}); an unknown key fails. */
    public void sysctl(String... assignments) {
        sysctl(List.of("sysctl", "-q", "-w"), assignments);
    }

    /** Sets sysctl keys that exist only when a module is loaded (e.g. br_netfilter); absent keys are skipped. */
    public void sysctlIfPresent(String... assignments) {
        sysctl(List.of("sysctl", "-q", "-e", "-w"), assignments);
    }

    private void sysctl(List<String> sysctl, String... assignments) {
        List<String> command = new ArrayList<>(sysctl);
        command.addAll(List.of(assignments));
        runner.run(execCommand(command));
    }

    /** The pids of every process whose network namespace is this one (empty when it is gone). */
    public List<Long> pids() {
        CommandRunner.Result result = runner.tryRun("ip", "netns", "pids", name);
        if (!result.ok()) return List.of();
        return result.stdout().lines().map(String::strip).filter(s -> !s.isEmpty()).map(Long::parseLong).toList();
    }

    @Override
    public String toString() {
        return name;
    }
}

package org.electrolab.lab.netns;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the lab needs from the machine: root, and the tools it runs. */
public final class Privileges {
    private Privileges() {}

    /** Whether this process runs with effective uid 0 (the second field of Uid: in /proc/self/status). */
    public static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) return line.split("\\s+")[2].equals("0");
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    public static void requireRoot() {
        if (!isRoot()) {
            throw new LabException("the netns lab needs root (it manages network namespaces); run it with sudo or as root");
        }
    }

    /** The tools the lab runs, with the Debian package that provides each. */
    private static final List<List<String>> TOOLS = List.of(
            List.of("ip", "iproute2"), List.of("sysctl", "procps"), List.of("ethtool", "ethtool"),
            List.of("setsid", "util-linux"));

    /** Fails with the install command when a tool the lab runs is not on the PATH. */
    public static void requireTools() {
        for (List<String> tool : TOOLS) requireTool(tool.get(0), tool.get(1));
    }

    /** Fails with the install command when {@code program} (from Debian package {@code debianPackage}) is not on the PATH. */
    public static void requireTool(String program, String debianPackage) {
        if (!onPath(program)) {
            throw new LabException(program + " not found on the PATH; install it: apt-get install " + debianPackage);
        }
    }

    private static boolean onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) return true;
        }
        return false;
    }
}

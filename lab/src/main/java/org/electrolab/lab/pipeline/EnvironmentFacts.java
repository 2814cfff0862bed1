package org.electrolab.lab.pipeline;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * What a result depends on besides the code under test: kernel, CPU, memory, JDK, electrolab's
 * version and commit. Each fact that cannot be read is recorded as {@code "unknown"}, never fatal.
 */
public final class EnvironmentFacts {
    public static final String UNKNOWN = "unknown";

    /**
     * How every environment.json begins, for experiments and campaigns alike: the command line as
     * typed ({@code electrolab} and {@code args}), the plan file under {@code planKey} (like
     * {@code matrixFile}), the working directory, the machine and the software of checkout {@code repo}.
     */
    public static Map<String, Object> ofRun(List<String> args, String planKey, Path planFile, Path repo) {
        Map<String, Object> environment = new LinkedHashMap<>();
        List<String> commandLine = new ArrayList<>(List.of("electrolab"));
        commandLine.addAll(args);
        environment.put("commandLine", commandLine);
        environment.put(planKey, planFile.toAbsolutePath().normalize().toString());
        environment.put("workingDirectory", Path.of("").toAbsolutePath().toString());
        environment.put("machine", machine());
        environment.put("software", software(repo));
        return environment;
    }

    private EnvironmentFacts() {}

    public static Map<String, Object> machine() {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("hostname", hostname());
        facts.put("kernel", kernelRelease());
        facts.put("cpuModel", cpuModel());
        facts.put("cpuCount", Runtime.getRuntime().availableProcessors());
        facts.put("memoryBytes", memoryBytes());
        return facts;
    }

    public static Map<String, Object> software(Path repo) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("jdk", Runtime.version().toString());
        facts.put("jdkVendor", System.getProperty("java.vendor", UNKNOWN));
        facts.put("jvm", System.getProperty("java.vm.name", UNKNOWN));
        facts.put("electrolabVersion", electrolabVersion());
        String commit = repo == null ? UNKNOWN : git(repo, "rev-parse", "HEAD");
        facts.put("gitCommit", commit);
        if (!commit.equals(UNKNOWN)) {
            // Uncommitted changes to tracked files mean the commit alone does not name the code that ran.
            String status = git(repo, "status", "--porcelain", "--untracked-files=no");
            if (!status.equals(UNKNOWN)) facts.put("gitDirty", !status.isEmpty());
        }
        return facts;
    }

    /** What {@code uname -r} prints. */
    static String kernelRelease() {
        return firstLine(Path.of("/proc/sys/kernel/osrelease"));
    }

    static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst().orElse(UNKNOWN);
        } catch (IOException e) {
            return UNKNOWN;
        }
    }

    /** MemTotal of /proc/meminfo in bytes, or -1. */
    static long memoryBytes() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo"), StandardCharsets.UTF_8).stream()
                    .filter(l -> l.startsWith("MemTotal:"))
                    .map(l -> l.substring("MemTotal:".length()).strip().split("\\s+"))
                    .filter(parts -> parts.length == 2 && parts[1].equals("kB"))
                    .mapToLong(parts -> Long.parseLong(parts[0]) * 1024)
                    .findFirst().orElse(-1);
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    static String hostname() {
        String name = firstLine(Path.of("/proc/sys/kernel/hostname"));
        if (!name.equals(UNKNOWN)) return name;
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return UNKNOWN;
        }
    }

    /** The lab module's version from the pom.properties Maven puts in its jar; unknown when run from classes. */
    static String electrolabVersion() {
        try (InputStream in = EnvironmentFacts.class.getResourceAsStream("/META-INF/maven/org.electrolab/lab/pom.properties")) {
            if (in == null) return UNKNOWN;
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", UNKNOWN);
        } catch (IOException e) {
            return UNKNOWN;
        }
    }

    private static String firstLine(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().map(String::strip).orElse(UNKNOWN);
        } catch (IOException e) {
            return UNKNOWN;
        }
    }

    private static String git(Path repo, String... args) {
        List<String> command = new ArrayList<>(List.of("git", "-C", repo.toString()));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return UNKNOWN;
            }
            return process.exitValue() == 0 ? new String(out, StandardCharsets.UTF_8).strip() : UNKNOWN;
        } catch (IOException e) {
            return UNKNOWN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return UNKNOWN;
        }
    }
}

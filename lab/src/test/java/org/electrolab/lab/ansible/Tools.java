package org.electrolab.lab.ansible;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.electrolab.protocol.testing.RootRequirement;
import org.junit.jupiter.api.Assumptions;

/** What the Ansible and Vagrant tests share: the checkout, the external tools, and running them. */
final class Tools {
    private Tools() {}

    /** The output (stdout and stderr, interleaved) and exit code of a finished command. */
    record Run(List<String> command, int exitCode, String output) {
        /** The last lines of the output, for an assertion message. */
        String tail(int lines) {
            List<String> all = output.lines().toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        }
    }

    static Path repo() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("Vagrantfile"))) dir = dir.getParent();
        if (dir == null) throw new IllegalStateException("no Vagrantfile above " + Path.of("").toAbsolutePath());
        return dir;
    }

    /**
     * Skips the test (outside CI) or fails it (in CI) when {@code program} is not on the PATH;
     * bin/test installs the Debian package named.
     */
    static void require(String program, String debianPackage) {
        if (onPath(program)) return;
        String why = program + " not found; install it: apt-get install " + debianPackage;
        if (RootRequirement.inCi()) fail(why + " (bin/test installs it in CI)");
        Assumptions.abort(why);
    }

    /**
     * What a test on the namespace-lab inventory needs (root, Ansible, sshd and ssh, start-stop-daemon):
     * skips or fails like {@link #require}; {@code what} names the test for the root message.
     */
    static void requireNetnsInventory(String what) {
        RootRequirement.require(what);
        require("ansible-playbook", "ansible");
        require("/usr/sbin/sshd", "openssh-server");
        require("ssh", "openssh-client");
        require("start-stop-daemon", "dpkg");
    }

    static boolean onPath(String program) {
        if (program.startsWith("/")) return Files.isExecutable(Path.of(program));
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) return true;
        }
        return false;
    }

    /** Runs {@code command} in {@code dir} with extra environment, killing it (and its children) after {@code limit}. */
    static Run run(Path dir, Map<String, String> env, Duration limit, List<String> command) throws IOException, InterruptedException {
        Path log = Files.createTempFile("electrolab-tool", ".log");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(log.toFile());
            builder.environment().putAll(env);
            Process process = builder.start();
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                fail(String.join(" ", command) + " did not finish within " + limit.toSeconds() + " s; it printed:\n"
                        + new Run(command, -1, Files.readString(log, StandardCharsets.UTF_8)).tail(40));
            }
            return new Run(command, process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}

package org.electrolab.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.electrolab.lab.CliRun.electrolab;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What every command line is expected to do: --version everywhere, shell completion, JVM options from the environment. */
class CliConventionsTest {
    @TempDir
    Path tmp;

    @Test
    void versionPrintsTheVersionAndTheCommitItWasBuiltFrom() throws Exception {
        CliRun run = electrolab("--version");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).matches("electrolab \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(commit [0-9a-f]{40}(, built with uncommitted changes)?\\)\n");
        String head = git("rev-parse", "HEAD");
        if (!head.isEmpty()) assertThat(run.out()).contains("(commit " + head);
    }

    @Test
    void everySubcommandPrintsTheSameVersion() {
        String version = electrolab("--version").out();
        List<List<String>> paths = new ArrayList<>();
        collect(Main.commandLine(), new ArrayList<>(), paths);
        assertThat(paths).extracting(List::size).contains(1, 2);
        for (List<String> path : paths) {
            List<String> args = new ArrayList<>(path);
            args.add("--version");
            CliRun run = electrolab(args.toArray(String[]::new));
            assertThat(run.exitCode()).as("electrolab %s --version: %s", String.join(" ", path), run.err()).isZero();
            assertThat(run.out()).as("electrolab %s --version", String.join(" ", path)).isEqualTo(version);
        }
    }

    @Test
    void theCompletionScriptCompletesCommandsAndOptionsInBash() throws Exception {
        CliRun run = electrolab("completion");
        assertThat(run.exitCode()).isZero();
        Path script = Files.writeString(tmp.resolve("electrolab-completion.bash"), run.out());
        assertThat(complete(script, "electrolab la")).isEqualTo("lab");
        assertThat(complete(script, "electrolab lab wa")).isEqualTo("watch");
        assertThat(complete(script, "electrolab client --hist")).isEqualTo("--history");
        assertThat(complete(script, "electrolab experiment ")).contains("run", "faults");
    }

    @Test
    void javaOptsAndElectrolabOptsReachTheJvm() throws Exception {
        Launcher run = Launcher.electrolab(Map.of("JAVA_OPTS", "-Delectrolab.probe.java=one -XshowSettings:properties",
                "ELECTROLAB_OPTS", "-Delectrolab.probe.own=two"), "--version");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("electrolab.probe.java = one", "electrolab.probe.own = two");
        assertThat(run.out()).startsWith("electrolab ");
    }

    /** What bash completes the last word of {@code line} to, as the completion script tells it. */
    private static String complete(Path script, String line) throws Exception {
        String words = line.endsWith(" ") ? line + "''" : line;
        // compopt only works inside a completion bash itself started; outside one it is a no-op here.
        String program = "source " + script + "; compopt() { :; }; COMP_LINE='" + line + "'; COMP_POINT=${#COMP_LINE}; COMP_WORDS=(" + words
                + "); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); _complete_electrolab; echo \"${COMPREPLY[*]}\"";
        Process bash = new ProcessBuilder("bash", "-c", program).redirectErrorStream(true).start();
        String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    private static void collect(CommandLine command, List<String> path, List<List<String>> paths) {
        command.getSubcommands().forEach((name, sub) -> {
            List<String> below = new ArrayList<>(path);
            below.add(name);
            paths.add(below);
            collect(sub, below, paths);
        });
    }

    private static String git(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git", "-C", Launcher.checkout().toString()));
        command.addAll(List.of(args));
        Process git = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return git.waitFor() == 0 ? out : "";
    }
}

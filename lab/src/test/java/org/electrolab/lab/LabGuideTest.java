package org.electrolab.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.electrolab.protocol.testing.RootRequirement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Keeps docs/lab-guide.md true. Every shell block of the guide carries a marker in an HTML comment
 * on the line(s) before it:
 * <ul>
 *   <li>{@code <!-- run -->}: run on the netns lab, in guide order, in one bash session with
 *       {@code set -euo pipefail} from the checkout; {@code limit=300s} raises the default time limit,
 *       {@code edits} marks a block that edits the sources and relies on bin/electrolab rebuilding
 *       them: those run in a scratch copy of the checkout, so the checkout is never modified;</li>
 *   <li>{@code <!-- vm -->} (VM-only) and {@code <!-- skip: why -->} (too long for CI): not run.</li>
 * </ul>
 * Every block is syntax-checked with {@code bash -n}, every {@code bin/electrolab COMMAND} it names
 * must exist, and every file of the checkout it names must exist. {@code <!-- expect: REGEX -->}
 * lines after a runnable block are searched for in its output (stdout and stderr): the shape the
 * guide tells students to look for.
 */
class LabGuideTest {

    private static final Path REPO = repo();
    private static final Path GUIDE = REPO.resolve("docs/lab-guide.md");
    private static final Duration DEFAULT_LIMIT = Duration.ofSeconds(120);
    /** The directory the guide's runs write to (git-ignored); the test removes it afterwards. */
    private static final Path RUNS = REPO.resolve("my-runs");
    private static final String DEFAULT_LAB = LabCommand.DEFAULT_NAME;
    private static final String DEFAULT_EXPERIMENT_LAB = "exp";

    private static final Pattern MARKER = Pattern.compile("^<!--\\s*(run|vm|skip)\\b(.*?)-->\\s*$");
    private static final Pattern EXPECT = Pattern.compile("^<!--\\s*expect:\\s?(.*?)\\s*-->\\s*$");
    private static final Pattern FENCE = Pattern.compile("^```\\s*([A-Za-z]*)\\s*$");
    private static final Pattern LIMIT = Pattern.compile("limit=(\\d+)s");
    private static final Pattern LAUNCHER = Pattern.compile("bin/electrolab((?:[ \\t]+[^\\s|;&<>()`$]+)*)");
    private static final Pattern REPO_FILE = Pattern.compile("(?<![\\w./-])((?:experiments|docs|bpf|ansible|vagrant|bin|replica|lab|protocol|client)/[\\w.@/-]*[\\w])");
    private static final Pattern LAB_NAME = Pattern.compile("electrolab\\s+lab\\s+(?:up|down|status)\\b[^\\n]*?(?:--name\\s+(\\S+))?\\s*$", Pattern.MULTILINE);
    private static final Pattern EXPERIMENT_LAB = Pattern.compile("electrolab\\s+experiment\\s+run\\b[^\\n]*?(?:--lab-name\\s+(\\S+))?\\s*$", Pattern.MULTILINE);
    private static final Pattern ANY_LAB_NAME = Pattern.compile("--(?:lab-)?name\\s+([a-z][a-z0-9]*)");
    private static final String END_OF_OUTPUT = "\u0000eof";

    enum Kind { RUN, VM, SKIP }

    record Block(int line, Kind kind, boolean edits, Duration limit, String body, List<Pattern> expects) {
        String where() {
            return "docs/lab-guide.md:" + line;
        }
    }

    @Test
    void everyShellBlockIsMarkedAndWhatItNamesExists(@TempDir Path scratch) throws Exception {
        List<Block> blocks = parse(Files.readAllLines(GUIDE));
        assertThat(blocks).as("runnable blocks in docs/lab-guide.md").anyMatch(b -> b.kind() == Kind.RUN);
        assertThat(blocks).as("VM blocks in docs/lab-guide.md").anyMatch(b -> b.kind() == Kind.VM);
        List<String> problems = new ArrayList<>();
        for (Block block : blocks) {
            Path file = scratch.resolve("block-" + block.line() + ".sh");
            Files.writeString(file, block.body());
            Process check = new ProcessBuilder("bash", "-n", file.toString()).redirectErrorStream(true).start();
            String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (check.waitFor() != 0) problems.add(block.where() + ": bash -n: " + output.strip());
            problems.addAll(missingCommands(block));
            problems.addAll(missingFiles(block));
        }
        assertThat(problems).as("problems in docs/lab-guide.md").isEmpty();
    }

    @Test
    void runnableBlocksRunInOrderOnTheNetnsLab(@TempDir Path scratch) throws Exception {
        RootRequirement.require("the lab guide's runnable blocks (netns lab, eBPF)");
        if (RootRequirement.inCi()) {
            assertThat(System.getenv("ELECTROLAB_CLASSPATH")).as("ELECTROLAB_CLASSPATH from lab/pom.xml's surefire settings, "
                    + "so that bin/electrolab runs the classes under test without a nested build").isNotBlank();
        }
        List<Block> blocks = parse(Files.readAllLines(GUIDE)).stream().filter(b -> b.kind() == Kind.RUN).toList();
        assertThat(blocks).as("runnable blocks in docs/lab-guide.md").isNotEmpty();
        Set<String> labs = labNames(blocks);
        for (String lab : labs) {
            assertThat(namespacesOf(lab)).as("lab '" + lab + "' is up; the guide test would take it down: run "
                    + "`bin/electrolab lab down --name " + lab + "` first").isEmpty();
        }
        assertThat(RUNS).as("my-runs/ holds runs of the guide; move it away, the guide test writes there and removes it").doesNotExist();
        Path copy = blocks.stream().anyMatch(Block::edits) ? copyOfCheckout(scratch.resolve("checkout")) : null;

        long started = System.nanoTime();
        try {
            runInOrder(blocks, scratch, REPO, copy);
        } finally {
            for (String lab : labs) down(lab);
            if (Files.exists(RUNS)) deleteTree(RUNS);
            System.out.printf("lab guide: %d runnable blocks in %d s%n", blocks.size(), Duration.ofNanos(System.nanoTime() - started).toSeconds());
        }
        for (String lab : labs) assertThat(namespacesOf(lab)).as("namespaces of lab " + lab + " after the guide").isEmpty();
    }

    @Test
    void theRunnerFailsOnAFailingBlockAMissedExpectationAndATimeLimit(@TempDir Path scratch) throws Exception {
        List<Block> passing = parse(List.of("<!-- run -->", "```sh", "greeting=hello", "```", "", "<!-- run -->", "```sh",
                "echo \"$greeting from $(basename \"$PWD\")\"", "```", "<!-- expect: ^hello from \\S+$ -->"));
        runInOrder(passing, scratch, scratch, null);

        List<Block> failing = parse(List.of("<!-- run -->", "```sh", "echo before", "false", "echo after", "```"));
        assertThatThrownBy(() -> runInOrder(failing, scratch, scratch, null)).hasMessageContaining(":2: failed")
                .hasMessageContaining("before").hasMessageNotContaining("after");

        List<Block> unexpected = parse(List.of("<!-- run -->", "```sh", "echo 'lab lab up'", "```", "<!-- expect: ^lab lab down -->"));
        assertThatThrownBy(() -> runInOrder(unexpected, scratch, scratch, null)).hasMessageContaining("does not show <!-- expect: ^lab lab down -->");

        List<Block> slow = parse(List.of("<!-- run limit=1s -->", "```sh", "sleep 60", "```"));
        long started = System.nanoTime();
        assertThatThrownBy(() -> runInOrder(slow, scratch, scratch, null)).hasMessageContaining("still running after 1 s");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void unmarkedBlocksAndUnknownCommandsAreFound() {
        assertThatThrownBy(() -> parse(List.of("text", "```sh", "ls", "```"))).hasMessageContaining(":2: shell block without a marker");
        Block block = parse(List.of("<!-- vm -->", "```bash", "sudo bin/electrolab lab upp --scenario experiments/nope.yaml", "```")).getFirst();
        assertThat(missingCommands(block)).singleElement().asString().contains("`electrolab lab upp` is not an electrolab command");
        assertThat(missingFiles(block)).singleElement().asString().contains("experiments/nope.yaml does not exist");
    }

    @Test
    void everyLabTheRunnableBlocksNameIsTakenDownAfterwards() {
        List<Block> blocks = parse(List.of("<!-- run -->", "```sh", "sudo bin/electrolab lab up --scenario s.yaml",
                "sudo bin/electrolab experiment run m.yaml --out my-runs/x", "sudo bin/electrolab lab status --name two",
                "sudo bin/electrolab faults run --lab-name flt", "```"));
        assertThat(labNames(blocks)).containsExactlyInAnyOrder("lab", "exp", "two", "flt");
    }

    /**
     * Runs the blocks in order in one bash session started in {@code workdir} and fails at the first
     * block that fails, runs past its limit or misses an expectation; the session and everything it
     * started directly are killed at the end.
     */
    static void runInOrder(List<Block> blocks, Path scratch, Path workdir, Path copy) throws Exception {
        Process bash = new ProcessBuilder("bash", "--noprofile", "--norc").directory(workdir.toFile()).redirectErrorStream(true).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread.startVirtualThread(() -> pump(bash, lines));
        try (Writer in = bash.outputWriter(StandardCharsets.UTF_8)) {
            // Students type `sudo bin/electrolab ...`; here we are root and sudo may not be installed.
            in.write("set -euo pipefail\nsudo() { if [[ $(id -u) -eq 0 ]]; then \"$@\"; else command sudo \"$@\"; fi; }\n");
            for (int i = 0; i < blocks.size(); i++) {
                Block block = blocks.get(i);
                Path file = scratch.resolve("block-" + i + ".sh");
                Files.writeString(file, block.body());
                in.write(context(block, workdir, copy) + "echo '@@guide-start " + i + "'\nsource " + quote(file.toString())
                        + " </dev/null\necho '@@guide-end " + i + "'\n");
                in.flush();
                long started = System.nanoTime();
                String output = awaitEnd(bash, lines, i, block);
                System.out.printf("---- %s (%s%s, %d s) ----%n%s", block.where(), block.kind(), block.edits() ? " edits" : "",
                        Duration.ofNanos(System.nanoTime() - started).toSeconds(), output);
                for (Pattern expect : block.expects()) {
                    if (!expect.matcher(output).find()) {
                        fail(block.where() + ": the output does not show <!-- expect: " + expect.pattern() + " -->; it was:\n" + tail(output));
                    }
                }
            }
        } finally {
            bash.descendants().forEach(ProcessHandle::destroyForcibly);
            bash.destroyForcibly();
        }
    }

    /** Shell lines that put the session where the block runs: the checkout, or for an editing block its scratch copy. */
    private static String context(Block block, Path workdir, Path copy) {
        String classpath = System.getenv("ELECTROLAB_CLASSPATH");
        if (block.edits()) {
            // bin/electrolab rebuilds the edited copy; its jars stay out of ~/.m2.
            return "cd " + quote(copy.toString()) + "\nunset ELECTROLAB_CLASSPATH ELECTROLAB_BUILD_DIR\nexport MAVEN_ARGS=-Dmaven.install.skip=true\n";
        }
        // Surefire's class path: bin/electrolab runs the classes under test and never starts a nested build.
        return "cd " + quote(workdir.toString()) + "\nunset MAVEN_ARGS\n"
                + (classpath == null ? "" : "export ELECTROLAB_CLASSPATH=" + quote(classpath) + "\n");
    }

    private static String awaitEnd(Process bash, BlockingQueue<String> lines, int index, Block block) throws Exception {
        StringBuilder output = new StringBuilder();
        long deadline = System.nanoTime() + block.limit().toNanos();
        boolean inBlock = false;
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null) {
                fail(block.where() + ": still running after " + block.limit().toSeconds() + " s (raise limit=...s if it must take longer); output so far:\n" + tail(output));
            }
            if (line.equals(END_OF_OUTPUT)) {
                bash.waitFor(10, TimeUnit.SECONDS);
                fail(block.where() + ": failed (the session exited with " + (bash.isAlive() ? "?" : bash.exitValue()) + "); output:\n" + tail(output));
            }
            if (line.equals("@@guide-start " + index)) {
                inBlock = true;
            } else if (line.equals("@@guide-end " + index)) {
                return output.toString();
            } else if (inBlock) {
                output.append(line).append('\n');
            }
        }
    }

    private static void pump(Process process, BlockingQueue<String> lines) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) lines.add(line);
        } catch (IOException e) {
            lines.add("(reading the session failed: " + e + ")");
        } finally {
            lines.add(END_OF_OUTPUT);
        }
    }

    static List<Block> parse(List<String> lines) {
        List<Block> blocks = new ArrayList<>();
        String marker = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher expect = EXPECT.matcher(line);
            Matcher markerLine = MARKER.matcher(line);
            Matcher fence = FENCE.matcher(line);
            if (expect.matches()) {
                Block last = blocks.isEmpty() ? null : blocks.getLast();
                if (last == null || last.kind() != Kind.RUN) fail("docs/lab-guide.md:" + (i + 1) + ": an expect must follow a <!-- run --> block");
                last.expects().add(Pattern.compile(expect.group(1), Pattern.MULTILINE));
            } else if (markerLine.matches()) {
                marker = line;
            } else if (fence.matches() && !fence.group(1).isEmpty()) {
                int start = i + 1;
                StringBuilder body = new StringBuilder();
                for (i++; i < lines.size() && !lines.get(i).matches("^```\\s*$"); i++) body.append(lines.get(i)).append('\n');
                boolean shell = Set.of("sh", "bash", "shell").contains(fence.group(1));
                if (shell && marker == null) {
                    fail("docs/lab-guide.md:" + start + ": shell block without a marker; put <!-- run -->, <!-- vm --> or <!-- skip: why --> before it");
                }
                if (shell) blocks.add(block(start, marker, body.toString()));
                marker = null;
            } else if (!line.isBlank()) {
                marker = null;
            }
        }
        return blocks;
    }

    private static Block block(int line, String marker, String body) {
        Matcher m = MARKER.matcher(marker);
        if (!m.matches()) throw new IllegalStateException(marker);
        Kind kind = Kind.valueOf(m.group(1).toUpperCase());
        String options = m.group(2);
        Matcher limit = LIMIT.matcher(options);
        Duration duration = limit.find() ? Duration.ofSeconds(Long.parseLong(limit.group(1))) : DEFAULT_LIMIT;
        return new Block(line, kind, kind == Kind.RUN && options.contains("edits"), duration, body, new ArrayList<>());
    }

    /** Each {@code bin/electrolab A B ...} names commands that exist: A a command, B one of A's when A has any. */
    private static List<String> missingCommands(Block block) {
        List<String> problems = new ArrayList<>();
        Matcher m = LAUNCHER.matcher(block.body());
        while (m.find()) {
            CommandLine command = Main.commandLine();
            String named = "electrolab";
            for (String word : m.group(1).strip().split("\\s+")) {
                if (word.isEmpty() || word.startsWith("-") || command.getSubcommands().isEmpty()) break;
                named += " " + word;
                command = command.getSubcommands().get(word);
                if (command == null) {
                    problems.add(block.where() + ": `" + named + "` is not an electrolab command");
                    break;
                }
            }
        }
        return problems;
    }

    private static List<String> missingFiles(Block block) {
        List<String> problems = new ArrayList<>();
        Matcher m = REPO_FILE.matcher(block.body());
        while (m.find()) {
            if (!Files.exists(REPO.resolve(m.group(1)))) problems.add(block.where() + ": " + m.group(1) + " does not exist in the checkout");
        }
        return problems;
    }

    /**
     * The lab names the runnable blocks use: lab up/down/status (default lab), experiment run (default
     * exp), and any {@code --name L} or {@code --lab-name L} of another command.
     */
    private static Set<String> labNames(List<Block> blocks) {
        Set<String> names = new LinkedHashSet<>();
        for (Block block : blocks) {
            Matcher lab = LAB_NAME.matcher(block.body());
            while (lab.find()) names.add(lab.group(1) == null ? DEFAULT_LAB : lab.group(1));
            Matcher experiment = EXPERIMENT_LAB.matcher(block.body());
            while (experiment.find()) names.add(experiment.group(1) == null ? DEFAULT_EXPERIMENT_LAB : experiment.group(1));
            Matcher named = ANY_LAB_NAME.matcher(block.body());
            while (named.find()) names.add(named.group(1));
        }
        return names;
    }

    private static List<String> namespacesOf(String lab) throws Exception {
        Process list = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
        String output = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        list.waitFor();
        return output.lines().map(l -> l.split("\\s+")[0]).filter(n -> n.startsWith("el-" + lab + "-")).toList();
    }

    private static void down(String lab) {
        try {
            ProcessBuilder pb = new ProcessBuilder(REPO.resolve("bin/electrolab").toString(), "lab", "down", "--name", lab)
                    .directory(REPO.toFile()).redirectErrorStream(true);
            Process p = pb.start();
            System.out.print(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            p.waitFor(60, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            System.out.println("lab down --name " + lab + " failed: " + e);
        }
    }

    /** The checkout's files (tracked, and untracked ones git does not ignore) as a fresh git repository. */
    private static Path copyOfCheckout(Path copy) throws Exception {
        Process files = new ProcessBuilder("git", "ls-files", "-z", "-co", "--exclude-standard").directory(REPO.toFile()).start();
        String listing = new String(files.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(files.waitFor()).as("git ls-files in " + REPO).isZero();
        for (String name : listing.split("\u0000")) {
            Path source = REPO.resolve(name);
            if (name.isEmpty() || !Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) continue;
            Path target = copy.resolve(name);
            Files.createDirectories(target.getParent());
            Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
        run(copy, "git", "init", "-q");
        run(copy, "git", "add", "-A");
        run(copy, "git", "-c", "user.name=lab guide test", "-c", "user.email=guide@localhost", "commit", "-q", "-m", "copy of the checkout");
        return copy;
    }

    private static void run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + output).isZero();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static String tail(CharSequence output) {
        String s = output.toString();
        return s.length() <= 6000 ? s : "...\n" + s.substring(s.length() - 6000);
    }

    private static Path repo() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("bin/electrolab"))) dir = dir.getParent();
        if (dir == null) throw new IllegalStateException("no bin/electrolab above " + Path.of("").toAbsolutePath());
        return dir;
    }
}

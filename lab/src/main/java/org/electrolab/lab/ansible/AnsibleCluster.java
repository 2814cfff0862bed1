package org.electrolab.lab.ansible;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.electrolab.lab.pipeline.Cluster;
import org.electrolab.lab.pipeline.ClusterException;
import org.electrolab.lab.pipeline.OffloadSet;
import org.electrolab.lab.scenario.Scenario;
import org.electrolab.lab.scenario.ClientLoad;

/**
 * The experiment's cluster as the hosts of an Ansible inventory (Vagrant VMs, real machines, or the
 * namespace lab's hosts; docs/vms.md): {@link #up} runs scenario.yml to switch the replicas to the
 * cell's size and offloads, and verify.yml the first time a size is up; {@link #runClient} runs
 * experiment.yml, which runs the client on the client host and fetches run.json and the replicas'
 * counters and logs. Each playbook prints one status line; its whole output is kept in
 * {@code ANSIBLE_DIR/NAME.log}. {@link #down} leaves the replicas running: the next scenario.yml
 * switches them (so a run stopped in the middle of a switch is converged by the next one), and
 * teardown.yml removes them.
 */
public final class AnsibleCluster implements Cluster {
    /** scenario.yml waits up to twice the replicas' ready timeout; experiment.yml adds the run's length. */
    private static final Duration PLAYBOOK_LIMIT = Duration.ofMinutes(15);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final Pattern AD_HOC = Pattern.compile("^(\\S+) \\| (\\S+?)!?(?: \\| rc=\\d+)?(?::| =>) ?(.*)$");
    private static final Pattern KERNEL = Pattern.compile("\"ansible_kernel\": \"([^\"]*)\"");

    private final Path repo;
    private final List<Path> inventories;
    private final Path ansibleDir;
    private final boolean verbose;
    private final Consumer<String> status;
    private final Set<Integer> verifiedSizes = new HashSet<>();
    private Path logDir;
    private String upKey;

    /**
     * @param repo the checkout whose ansible/ playbooks run
     * @param inventories what ansible-playbook gets as {@code -i}, in order
     * @param ansibleDir where the playbooks' logs and the scenario files given to scenario.yml go
     * @param verbose whether Ansible's whole output is shown, not only a line per playbook
     * @param status where the line per playbook (and with {@code verbose} every line) goes
     */
    public AnsibleCluster(Path repo, List<Path> inventories, Path ansibleDir, boolean verbose, Consumer<String> status) {
        this.repo = repo;
        this.inventories = List.copyOf(inventories);
        this.ansibleDir = ansibleDir;
        this.verbose = verbose;
        this.status = status;
    }

    @Override
    public String describe() {
        return "Ansible inventory " + String.join(" + ", inventories.stream().map(Path::toString).toList());
    }

    /**
     * The kernel each host of the inventory runs ({@code uname -r}, from Ansible's facts), or why it
     * could not be read (e.g. {@code unreachable: ...}); recorded in environment.json.
     */
    public Map<String, String> hostKernels() throws InterruptedException {
        List<String> command = new ArrayList<>(List.of("ansible", "all", "-o", "-m", "ansible.builtin.setup",
                "-a", "gather_subset=!all filter=ansible_kernel"));
        for (Path inventory : inventories) command.addAll(List.of("-i", inventory.toString()));
        Map<String, String> kernels = new LinkedHashMap<>();
        Result result;
        try {
            result = run(command, ansibleDir.resolve("host-kernels.log"), false);
        } catch (ClusterException e) {
            kernels.put("all", "unknown: " + e.getMessage());
            return kernels;
        }
        for (String line : result.lines()) {
            Matcher m = AD_HOC.matcher(line);
            if (!m.matches()) continue;
            Matcher kernel = KERNEL.matcher(m.group(3));
            kernels.put(m.group(1), m.group(2).equals("SUCCESS") && kernel.find() ? kernel.group(1)
                    : "unknown: " + m.group(2).toLowerCase() + ": " + m.group(3).strip());
        }
        if (kernels.isEmpty()) kernels.put("all", "unknown: ansible exited with " + result.exitCode() + ", see " + result.log());
        return kernels;
    }

    @Override
    public Map<String, Object> up(Scenario scenario, Path logDir) throws ClusterException, InterruptedException {
        this.logDir = logDir;
        upKey = logDir.getFileName().toString();
        Path scenarioFile = writeScenario(scenario);
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("offloadsRequested", scenario.offloadArgument());
        facts.put("scenarioFile", scenarioFile.toString());
        playbook("scenario.yml", upKey, "electrolab_scenario_file=" + scenarioFile);
        if (verifiedSizes.add(scenario.replicas())) {
            try {
                playbook("verify.yml", upKey);
            } catch (ClusterException | InterruptedException e) {
                verifiedSizes.remove(scenario.replicas());
                throw e;
            }
            facts.put("verified", "verify.yml passed with " + OffloadSet.of(scenario.offloads()).label() + " offloads");
        }
        return facts;
    }

    @Override
    public void runClient(Scenario scenario, Path runJson, Path log) throws ClusterException, InterruptedException {
        if (upKey == null) throw new ClusterException("no cluster is up");
        String runId = runJson.getFileName().toString().replaceFirst("\\.json$", "");
        // experiment.yml numbers repeats by what its directory holds and writes its own results.csv;
        // it gets a directory of its own per run, and the runner keeps the layout of the results.
        Path work = ansibleDir.resolve("work");
        deleteTree(work);
        try {
            playbook("experiment.yml", runId, "electrolab_results_dir=" + work,
                    "electrolab_collect_results=false");
        } finally {
            keep(work, runJson, log);
        }
    }

    /** Nothing to stop: the replicas stay up until the next scenario.yml switches them. */
    @Override
    public void down() {
        upKey = null;
    }

    /** Moves what experiment.yml fetched into the runner's layout: run.json and its interval log, the client's output, the replicas' files. */
    private void keep(Path work, Path runJson, Path log) {
        try {
            for (Path file : list(work.resolve("runs"))) {
                String name = file.getFileName().toString();
                if (name.endsWith(".json")) Files.move(file, runJson, StandardCopyOption.REPLACE_EXISTING);
                if (name.endsWith(".log")) Files.move(file, log, StandardCopyOption.REPLACE_EXISTING);
                // The client's interval log goes beside run.json, where the client would have written it.
                if (name.endsWith(".hlog")) {
                    Files.move(file, runJson.resolveSibling(runJson.getFileName().toString().replaceFirst("\\.json$", ".hlog")),
                            StandardCopyOption.REPLACE_EXISTING);
                }
            }
            if (logDir != null) {
                for (Path cluster : list(work.resolve("logs"))) {
                    for (Path file : list(cluster)) {
                        Files.createDirectories(logDir);
                        Files.move(file, logDir.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            deleteTree(work);
        } catch (IOException e) {
            // The run's figures are judged from run.json; a file left in work/ is a help, not a result.
        }
    }

    /** The cell's scenario as a scenario file for scenario.yml, so the playbooks validate exactly what the matrix asks. */
    private Path writeScenario(Scenario scenario) throws ClusterException {
        ClientLoad w = scenario.workload();
        String yaml = """
                # Written by `electrolab experiment run` for scenario.yml: one cell of the matrix.
                replicas: %d
                offloads: %s
                app: "%s"
                cluster-id: %d
                port: %d
                workload:
                  clients: %d
                  warmup: %s
                  duration: %s
                  payload-bytes: %d
                """.formatted(scenario.replicas(), scenario.offloadArgument(), scenario.app(), scenario.clusterId(),
                scenario.port(), w.clients(), ClientLoad.argument(w.warmup()), ClientLoad.argument(w.duration()), w.payloadBytes());
        Path file = ansibleDir.resolve("scenarios").resolve(scenario.name() + ".yaml");
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new ClusterException("cannot write " + file + ": " + e.getMessage());
        }
        return file.toAbsolutePath();
    }

    /**
     * Runs one playbook with the inventory, its output to {@code ANSIBLE_DIR/LABEL-NAME.log}; prints its
     * status line; throws with the first failure's host and task.
     *
     * @param label what it runs for: a cluster start (n3-all-r1) or a run (n3-all-c1-r1)
     */
    private void playbook(String playbook, String label, String... extraVars) throws ClusterException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ansible-playbook"));
        for (Path inventory : inventories) command.addAll(List.of("-i", inventory.toString()));
        command.add(repo.resolve("ansible").resolve(playbook).toString());
        for (String extraVar : extraVars) command.addAll(List.of("-e", extraVar));
        Path log = ansibleDir.resolve(label + "-" + playbook.replaceFirst("\\.yml$", "") + ".log");
        long started = System.nanoTime();
        Result result;
        try {
            result = run(command, log, verbose);
        } catch (ClusterException e) {
            status.accept("  " + playbook + ": " + e.getMessage());
            throw new ClusterException(playbook + ": " + e.getMessage());
        } catch (InterruptedException e) {
            status.accept("  " + playbook + ": stopped; the next scenario.yml converges the hosts");
            throw e;
        }
        long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
        if (result.exitCode() == 0) {
            status.accept("  " + playbook + " " + label + ": ok in " + seconds + "s");
            return;
        }
        String failure = PlaybookOutput.firstFailure(result.lines());
        if (failure == null) failure = PlaybookOutput.error(result.lines());
        if (failure == null) failure = "ansible-playbook exited with " + result.exitCode();
        status.accept("  " + playbook + " " + label + ": " + failure + " (" + seconds + "s, log " + log + ")");
        throw new ClusterException(playbook + ": " + failure);
    }

    private record Result(int exitCode, List<String> lines, Path log) {}

    /**
     * Runs an Ansible command in the checkout with its settings (ansible/ansible.cfg), keeping every line
     * in {@code log}; an interrupt stops it and its children.
     */
    private Result run(List<String> command, Path log, boolean show) throws ClusterException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(repo.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("ANSIBLE_CONFIG", repo.resolve("ansible").resolve("ansible.cfg").toString());
        builder.environment().put("ANSIBLE_NOCOLOR", "1");
        builder.environment().put("ANSIBLE_FORCE_COLOR", "0");
        builder.environment().put("PYTHONUNBUFFERED", "1");
        Process process;
        PrintWriter out;
        try {
            Files.createDirectories(log.getParent());
            out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true);
            out.println("$ " + String.join(" ", command));
            process = builder.start();
        } catch (IOException e) {
            String program = command.getFirst();
            throw new ClusterException(program + " cannot run (" + e.getMessage() + "); install Ansible: apt-get install ansible");
        }
        List<String> lines = new ArrayList<>();
        // A blocking read of the pipe cannot be interrupted; the reader runs on its own thread and this
        // one waits for the process, where Ctrl-C's interrupt lands.
        Thread reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    out.println(line);
                    synchronized (lines) {
                        lines.add(line);
                    }
                    if (show) status.accept(line);
                }
            } catch (IOException e) {
                // The process was stopped; what was read is kept.
            }
        });
        try {
            if (!process.waitFor(PLAYBOOK_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                stop(process);
                reader.join(STOP_GRACE.toMillis());
                throw new ClusterException(command.getFirst() + " did not finish in " + PLAYBOOK_LIMIT.toMinutes()
                        + " minutes; see " + log);
            }
            reader.join();
        } catch (InterruptedException e) {
            stop(process);
            throw e;
        } finally {
            out.close();
        }
        synchronized (lines) {
            return new Result(process.exitValue(), List.copyOf(lines), log);
        }
    }

    /** SIGTERM to ansible-playbook and what it started (workers, ssh), then SIGKILL to what is left. */
    private static void stop(Process process) {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    private static List<Path> list(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        if (!Files.isDirectory(dir)) return files;
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(files::add);
        }
        files.sort(Comparator.naturalOrder());
        return files;
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            // A leftover scratch directory does no harm; the next run deletes it again.
        }
    }
}

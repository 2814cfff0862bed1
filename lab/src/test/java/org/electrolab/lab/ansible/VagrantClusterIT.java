package org.electrolab.lab.ansible;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.electrolab.lab.experiment.ResultsCsv;
import org.electrolab.lab.experiment.ResultsDir;
import org.electrolab.lab.experiment.RunRow;
import org.electrolab.lab.kernels.KernelPins;
import org.electrolab.protocol.testing.RootRequirement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The user's VM path for real (docs/vms.md, "What CI proves on VMs"): the default box built from
 * Debian's packages by vagrant/build-box.sh, `vagrant up --provider=libvirt` through this
 * checkout's Vagrantfile with libvirtd, its networks, dnsmasq and every VM NIC inside a network
 * namespace made here (addresses in 198.18.0.0/15 only, through an ELECTROLAB_SETTINGS file),
 * QEMU with KVM where /dev/kvm boots the box, else single-threaded TCG; then site.yml with every
 * role (the kernel role asserts the pin runs), verify.yml (every program attached natively on
 * virtio-net at every replica), `experiment run --inventory` none vs all and `electrolab report`;
 * `vagrant destroy -f` leaves no domain or volume; the namespaces, pool, volumes and box go even
 * when the test fails.
 *
 * <p>With {@code -Delectrolab.vms=full} (the longer command of docs/vms.md) it then switches to 5
 * replicas ({@code REPLICAS=5 vagrant up}, two more VMs, site.yml), verifies again, kills the
 * leader under kv load (leader-kill.yml, judged by the client's checker), and writes its log and
 * timings to experiments/results/TIMESTAMP-vms/.
 */
@Timeout(value = 75, unit = TimeUnit.MINUTES)
class VagrantClusterIT {
    static final String BOX = "debian13";
    private static final String ALL = "tc-broadcast,fast-reply,quorum-prune";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Both in 198.18.0.0/15: the lab network (replicas at .11.., the client at .100) and vagrant-libvirt's management network. */
    static final String LAB_PREFIX = "198.18.58";
    static final String MANAGEMENT_NETWORK = "198.18.121.0/24";
    /** What made a 5-replica lab work in one emulated CPU (docs/kernels.md): light JVMs and a 200 ms tick. */
    static final String TCG_JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:+UseSerialGC -XX:-UsePerfData -Xmx256m";
    /** A KVM guest prints its kernel's banner about 2 s after GRUB's 1 s; a hanging one never does. */
    static final Duration KVM_PROBE_LIMIT = Duration.ofSeconds(10);
    private static final DateTimeFormatter RESULTS_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss");

    @TempDir
    Path temp;
    private final boolean full = "full".equals(System.getProperty("electrolab.vms"));
    private final String name = "elvm" + ProcessHandle.current().pid() % 100_000;
    private final Timings timings = new Timings();
    private Path repo;
    private LibvirtNamespace libvirt;
    private Map<String, String> env;
    private boolean boxAdded;

    @BeforeEach
    void requireRootAndTools() {
        RootRequirement.require("VMs under libvirt");
        Tools.require("vagrant", "vagrant vagrant-libvirt");
        Tools.require("libvirtd", "libvirt-daemon-system");
        Tools.require("dnsmasq", "dnsmasq-base");
        Tools.require("mmdebstrap", "mmdebstrap");
        Tools.require("qemu-img", "qemu-utils");
        Tools.require("qemu-system-x86_64", "qemu-system-x86");
        Tools.require("ansible-playbook", "ansible");
        Tools.require("nsenter", "util-linux");
        repo = Tools.repo();
    }

    @AfterEach
    void removeEverything() throws Exception {
        if (libvirt != null) {
            if (boxAdded) vagrant(Duration.ofMinutes(5), "box", "remove", "--force", box().box());
            libvirt.close();
        }
        Path out = Files.createDirectories(repo.resolve("lab/target/test-output/vms"));
        Files.writeString(out.resolve("timings.txt"), timings.table());
        // Every command's output, with ansible's time per task: what a failure or a slow step needs.
        if (Files.isRegularFile(temp.resolve("vms.log"))) {
            Files.copy(temp.resolve("vms.log"), out.resolve("vms.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        System.out.println(timings.table());
    }

    @Test
    void bootsProvisionsVerifiesMeasuresAndDestroysACluster() throws Exception {
        Path boxFile = timings.time("box build (vagrant/build-box.sh, or its cache)", this::buildBox);
        libvirt = LibvirtNamespace.start(name, temp.resolve("libvirt"), repo);
        env = vagrantEnvironment();
        require(timings.time("vagrant box add", () -> vagrant(Duration.ofMinutes(10), "box", "add", "--name", box().box(), boxFile.toString())));
        boxAdded = true;
        String accel = timings.time("KVM probe", this::chooseAccel);
        writeSettings(accel);

        Tools.Run up = timings.time("vagrant up, 3 replicas + client", () -> vagrant(Duration.ofMinutes(20), 3, "up", "--no-provision"));
        require(up);
        for (String domain : libvirt.names("list", "--name")) {
            String qemu = libvirt.qemuCommandLine(domain).orElseThrow();
            assertThat(qemu).as("what %s really runs", domain)
                    .contains(accel.equals("tcg") ? "-accel tcg,thread=single" : "-accel kvm");
        }

        Tools.Run site = timings.time("vagrant provision (site.yml, every role), 3 replicas", () -> vagrant(Duration.ofMinutes(30), 3, "provision"));
        require(site);
        String provisioned = NetnsPlaybooksTest.unwrapped(site.output());
        for (String host : hosts(3)) {
            assertThat(provisioned).as("the kernel role on %s", host).contains(host + " runs " + release());
            assertThat(provisioned).as("the java role on %s", host).contains(host + " runs openjdk version \"25");
        }
        assertThat(NetnsPlaybooksTest.recap(site)).containsOnlyKeys(hosts(3))
                .allSatisfy((host, r) -> assertThat(r.failed() + r.unreachable()).as(host).isZero());
        assertThat(provisioned).contains("3 replicas (offloads none, app kv) are NORMAL in view");

        // Every offload first: the runner runs verify.yml with the first cell of a size.
        Path results = temp.resolve("results");
        Path matrix = temp.resolve("matrix-vms.yaml");
        Files.writeString(matrix, """
                # all vs none at 3 replicas, short: functional figures from emulated VMs, not performance.
                sizes: [3]
                offloads: [all, none]
                clients: [2]
                repeats: 1
                warmup: 1s
                duration: 3s
                app: kv
                payload-bytes: 64
                """);
        Tools.Run experiment = timings.time("experiment run --inventory (scenario, verify, experiment playbooks), all and none",
                () -> electrolab(Duration.ofMinutes(30), "experiment", "run", matrix.toString(), "--inventory", inventory().toString(),
                        "--out", results.toString()));
        require(experiment);
        assertThat(experiment.output()).contains("done: 2 runs ok, 0 failed, 0 skipped")
                .contains("scenario.yml n3-all-r1: ok in", "verify.yml n3-all-r1: ok in", "experiment.yml n3-none-c2-r1: ok in")
                .as("Ansible's whole output only in the logs").doesNotContain("PLAY RECAP");
        ResultsDir layout = new ResultsDir(results);
        // verify.yml once per size, with the size's first cell.
        assertThat(layout.ansible().resolve("n3-none-r1-verify.log")).doesNotExist();
        verifyNative(Files.readString(layout.ansible().resolve("n3-all-r1-verify.log")), 3);
        List<RunRow> rows = ResultsCsv.read(layout.resultsCsv());
        assertThat(rows).extracting(RunRow::runId).containsExactly("n3-all-c2-r1", "n3-none-c2-r1");
        for (RunRow row : rows) {
            assertThat(row.isOk()).as(row.runId() + " " + row.reason()).isTrue();
            assertThat(row.figures().completed()).as(row.runId()).isPositive();
            assertThat(layout.runJson(row.runId())).isRegularFile();
            assertThat(layout.runIntervalLog(row.runId())).as("the client's interval log, fetched").isNotEmptyFile();
        }
        // The replicas loaded every offload through the systemd unit's command, and their stats came back.
        JsonNode stats = JSON.readTree(layout.clusterLogs("n3-all", 1).resolve("replica-0.stats.json").toFile());
        assertThat(stats.path("offloadsLoaded").asText()).as("replica 0's stats:\n%s", stats).isEqualTo(ALL);
        JsonNode environment = JSON.readTree(layout.environment().toFile());
        assertThat(environment.path("status").asText()).isEqualTo("complete");
        assertThat(environment.path("hosts").path("replica1").asText()).as("environment.json's kernel of replica1").isEqualTo(release());
        require(timings.time("electrolab report", () -> electrolab(Duration.ofMinutes(5), "report", results.toString())));
        assertThat(Files.readString(layout.report())).contains("| n3-none-c2 |").contains("| n3-all-c2 |");

        if (full) switchToFiveAndKillTheLeader();

        int replicas = full ? 5 : 3;
        require(timings.time("vagrant destroy -f", () -> vagrant(Duration.ofMinutes(10), replicas, "destroy", "-f")));
        assertThat(libvirt.names("list", "--all", "--name")).as("domains left by vagrant destroy").isEmpty();
        assertThat(libvirt.names("vol-list", "default")).as("volumes left by vagrant destroy (the box's own stays until box remove)")
                .allSatisfy(volume -> assertThat(volume).contains("vagrant_box_image"));
        if (full) keepResults(results);
    }

    private void switchToFiveAndKillTheLeader() throws Exception {
        require(timings.time("vagrant up, 2 more replicas", () -> vagrant(Duration.ofMinutes(20), 5, "up", "--no-provision")));
        Tools.Run site = timings.time("vagrant provision (site.yml), 5 replicas", () -> vagrant(Duration.ofMinutes(30), 5, "provision"));
        require(site);
        assertThat(NetnsPlaybooksTest.unwrapped(site.output())).contains("5 replicas (offloads none, app kv) are NORMAL in view");
        Tools.Run switched = timings.time("scenario.yml, 5 replicas, every offload",
                () -> playbook("scenario.yml", "-e", "electrolab_scenario_file=experiments/scenarios/scenario5.yaml", "-e", "electrolab_offloads=all"));
        assertThat(NetnsPlaybooksTest.unwrapped(switched.output()))
                .contains("5 replicas (offloads tc-broadcast,fast-reply,quorum-prune, app kv) are NORMAL in view");
        verifyNative(timings.time("verify.yml, 5 replicas", () -> playbook("verify.yml")).output(), 5);
        Tools.Run kill = timings.time("leader-kill.yml under kv load", () -> playbook("leader-kill.yml"));
        assertThat(NetnsPlaybooksTest.unwrapped(kill.output())).contains("linearizable");
    }

    /**
     * verify.yml's table in {@code output}: every replica of the scenario ok on the pinned kernel, its
     * XDP program attached in driver (native) mode on virtio-net and tc_broadcast on TC egress.
     */
    private void verifyNative(String output, int replicas) {
        List<String> rows = NetnsPlaybooksTest.unwrapped(output).lines().map(String::strip)
                .filter(l -> l.matches("- (replica[0-9]|client) .*")).toList();
        assertThat(rows).as("summary rows in:\n%s", output).hasSizeGreaterThanOrEqualTo(replicas + 1);
        for (int i = 0; i < replicas; i++) {
            assertThat(rows.get(i)).startsWith("- replica" + (i + 1) + " ").contains("replica " + i).contains(" " + release() + " yes ")
                    .contains("tc-broadcast,fast-reply,quorum-prune / ").contains(" (driver) ").contains("tc_broadcast").endsWith(" ok");
        }
        assertThat(rows.getLast()).startsWith("- client").endsWith(" ok");
    }

    private String release() {
        return KernelPins.load(repo).kernels().get(box().kernel()).release();
    }

    /** The box file: built once per content of the script and the pins it reads, kept in ~/.cache/electrolab/boxes. */
    private Path buildBox() throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        for (String file : List.of("vagrant/build-box.sh", "vagrant/pins.yml", "ansible/roles/toolchain/defaults/main.yml")) {
            digest.update(Files.readAllBytes(repo.resolve(file)));
        }
        String key = HexFormat.of().formatHex(digest.digest()).substring(0, 16);
        Path cache = Path.of(System.getProperty("user.home"), ".cache/electrolab/boxes");
        Path dir = cache.resolve(BOX + "-" + key);
        Path box = dir.resolve("electrolab-" + BOX + ".box");
        if (Files.isRegularFile(box)) return box;
        // One box is kept: the cache holds gigabytes.
        if (Files.isDirectory(cache)) {
            try (Stream<Path> old = Files.list(cache)) {
                for (Path stale : old.filter(p -> p.getFileName().toString().startsWith(BOX + "-")).toList()) deleteTree(stale);
            }
        }
        Files.createDirectories(dir);
        Tools.Run build = Tools.run(repo, Map.of(), Duration.ofMinutes(20), List.of(repo.resolve("vagrant/build-box.sh").toString(), BOX, "--out", dir.toString()));
        require(build);
        assertThat(box).isRegularFile();
        return box;
    }

    /**
     * KVM when /dev/kvm boots the box (a kernel line on the serial console within {@link #KVM_PROBE_LIMIT}),
     * else TCG: /dev/kvm may exist and still hang a guest after the BIOS, as on the machines CI runs on.
     */
    private String chooseAccel() throws Exception {
        Path kvm = Path.of("/dev/kvm");
        if (!Files.isReadable(kvm) || !Files.isWritable(kvm)) return "tcg";
        Path image;
        try (Stream<Path> files = Files.walk(Path.of(env.get("VAGRANT_HOME"), "boxes"))) {
            image = files.filter(p -> p.getFileName().toString().equals("box.img")).findFirst().orElseThrow();
        }
        Path console = temp.resolve("kvm-probe-console.log");
        Process qemu = new ProcessBuilder("qemu-system-x86_64", "-accel", "kvm", "-cpu", "host", "-m", "512", "-display", "none",
                "-nic", "none", "-snapshot", "-drive", "file=" + image + ",if=virtio,format=qcow2", "-serial", "file:" + console)
                .redirectErrorStream(true).redirectOutput(temp.resolve("kvm-probe-qemu.log").toFile()).start();
        try {
            for (long deadline = System.nanoTime() + KVM_PROBE_LIMIT.toNanos(); System.nanoTime() < deadline && qemu.isAlive(); ) {
                if (Files.isRegularFile(console) && Files.readString(console, StandardCharsets.ISO_8859_1).contains("Linux version")) return "kvm";
                qemu.waitFor(200, TimeUnit.MILLISECONDS);
            }
            return "tcg";
        } finally {
            qemu.destroyForcibly();
            qemu.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * The ELECTROLAB_SETTINGS file, named in the environment of every later command: the smallest
     * VMs, addresses in 198.18.0.0/15, and under TCG what emulation needs.
     */
    private void writeSettings(String accel) throws IOException {
        Path consoles = Files.createDirectories(temp.resolve("consoles"));
        String settings = """
                # VagrantClusterIT: merged over vagrant/settings.yml.
                replica: {cpus: 1, memory_mb: 1024}
                client: {cpus: 1, memory_mb: 1024}
                lab_network: {prefix: "%s"}
                libvirt: {accel: %s, management_network_address: "%s", console_log_dir: "%s"}
                """.formatted(LAB_PREFIX, accel, MANAGEMENT_NETWORK, consoles);
        if (accel.equals("tcg")) {
            settings += """
                    boot_timeout_seconds: 900
                    electrolab: {jvm_options: "%s", tick_millis: 200, ready_timeout_seconds: 300}
                    """.formatted(TCG_JVM_OPTIONS);
        }
        Path file = temp.resolve("settings.yml");
        Files.writeString(file, settings);
        env.put("ELECTROLAB_SETTINGS", file.toString());
    }

    private Map<String, String> vagrantEnvironment() throws IOException {
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("VAGRANT_HOME", Files.createDirectories(temp.resolve("vagrant.d")).toString());
        vars.put("VAGRANT_DOTFILE_PATH", temp.resolve("dot-vagrant").toString());
        vars.put("VAGRANT_CHECKPOINT_DISABLE", "1");
        vars.put("VAGRANT_NO_COLOR", "1");
        vars.put("VAGRANT_DEFAULT_PROVIDER", "libvirt");
        vars.put("ANSIBLE_NOCOLOR", "1");
        vars.put("ANSIBLE_HOST_KEY_CHECKING", "False");
        vars.put("ANSIBLE_CONFIG", repo.resolve("ansible/ansible.cfg").toString());
        vars.put("ANSIBLE_LOCAL_TEMP", Files.createDirectories(temp.resolve("ansible-local")).toString());
        return vars;
    }

    private Tools.Run vagrant(Duration limit, String... arguments) throws Exception {
        return vagrant(limit, 3, arguments);
    }

    private Tools.Run vagrant(Duration limit, int replicas, String... arguments) throws Exception {
        Map<String, String> withSize = new LinkedHashMap<>(env);
        withSize.put("REPLICAS", Integer.toString(replicas));
        List<String> command = new ArrayList<>(List.of("vagrant"));
        command.addAll(List.of(arguments));
        return log("vagrant " + String.join(" ", arguments), libvirt.run(limit, withSize, command));
    }

    private Tools.Run playbook(String playbook, String... extra) throws Exception {
        List<String> command = new ArrayList<>(List.of("ansible-playbook", "-i", inventory().toString(), "ansible/" + playbook));
        command.addAll(List.of(extra));
        Tools.Run run = log(playbook, libvirt.run(Duration.ofMinutes(20), env, command));
        require(run);
        assertThat(NetnsPlaybooksTest.recap(run)).as("%s recap", playbook).isNotEmpty()
                .allSatisfy((host, r) -> assertThat(r.failed() + r.unreachable()).as(host).isZero());
        return run;
    }

    private Tools.Run electrolab(Duration limit, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of(repo.resolve("bin/electrolab").toString()));
        command.addAll(List.of(arguments));
        return log("electrolab " + String.join(" ", arguments), libvirt.run(limit, env, command));
    }

    private Path inventory() {
        return temp.resolve("dot-vagrant/provisioners/ansible/inventory/vagrant_ansible_inventory");
    }

    private KernelPins.Box box() {
        return KernelPins.load(repo).boxes().get(BOX);
    }

    private static List<String> hosts(int replicas) {
        List<String> hosts = new ArrayList<>();
        for (int i = 1; i <= replicas; i++) hosts.add("replica" + i);
        hosts.add("client");
        return hosts;
    }

    /** Keeps each command's output (without vagrant's progress bars) for the results directory and a failure's message. */
    private Tools.Run log(String what, Tools.Run run) throws IOException {
        String output = run.output().replaceAll("(?m)^.*\\r(?=[^\\n])", "").replaceAll("\\x1b\\[K", "");
        Files.writeString(temp.resolve("vms.log"), "\n=== " + what + " (exit " + run.exitCode() + ")\n" + output,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        return new Tools.Run(run.command(), run.exitCode(), output);
    }

    private void require(Tools.Run run) throws IOException {
        assertThat(run.exitCode()).as("%s exit code; it ended with:\n%s%s", String.join(" ", run.command()), run.tail(60), consoles()).isZero();
    }

    /** The tail of every VM's serial console, for a failure's message. */
    private String consoles() throws IOException {
        Path dir = temp.resolve("consoles");
        if (!Files.isDirectory(dir)) return "";
        StringBuilder text = new StringBuilder();
        try (Stream<Path> logs = Files.list(dir)) {
            for (Path log : logs.sorted().toList()) {
                List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
                text.append("\n--- ").append(log.getFileName()).append(" (last lines)\n")
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size())));
            }
        }
        return text.toString();
    }

    /** experiments/results/TIMESTAMP-vms/: the run's log, timings and results, for docs/vms.md. */
    private void keepResults(Path results) throws IOException {
        Path out = Files.createDirectories(repo.resolve("experiments/results/" + LocalDateTime.now().format(RESULTS_TIME) + "-vms"));
        Files.copy(temp.resolve("vms.log"), out.resolve("vms.log"));
        Files.writeString(out.resolve("timings.txt"), timings.table());
        for (String file : List.of("results.csv", "report.md")) Files.copy(results.resolve(file), out.resolve(file));
        Path playbooks = Files.createDirectories(out.resolve("ansible"));
        try (Stream<Path> logs = Files.list(results.resolve("ansible"))) {
            for (Path log : logs.filter(Files::isRegularFile).toList()) Files.copy(log, playbooks.resolve(log.getFileName()));
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(path);
        }
    }

    /** How long each step took, in order. */
    static final class Timings {
        interface Step<T> {
            T run() throws Exception;
        }

        private final Map<String, Duration> steps = new LinkedHashMap<>();

        <T> T time(String step, Step<T> body) throws Exception {
            long started = System.nanoTime();
            try {
                return body.run();
            } finally {
                steps.put(step, Duration.ofNanos(System.nanoTime() - started));
            }
        }

        String table() {
            StringBuilder table = new StringBuilder("step                                                      seconds\n");
            steps.forEach((step, took) -> table.append(String.format("%-56s %8d%n", step, took.toSeconds())));
            return table.toString();
        }
    }
}

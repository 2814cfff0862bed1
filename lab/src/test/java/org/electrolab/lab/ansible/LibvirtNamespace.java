package org.electrolab.lab.ansible;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.electrolab.lab.netns.Processes;

/**
 * libvirtd, virtlogd, their networks, dnsmasq and every VM NIC inside a network namespace made
 * here, with libvirt's configuration and state (/etc/libvirt, /run/libvirt, /var/lib/libvirt,
 * /var/cache/libvirt, /var/log/libvirt) in a directory of its own, mounted over the host's in a
 * mount namespace of its own: the host's libvirt, if any, sees nothing, and nothing is left when
 * {@link #close} has run. Commands (virsh, vagrant, ansible-playbook) run inside both namespaces.
 */
final class LibvirtNamespace implements AutoCloseable {
    private static final List<String> LIBVIRT_DIRS =
            List.of("/etc/libvirt", "/run/libvirt", "/var/lib/libvirt", "/var/cache/libvirt", "/var/log/libvirt");
    /**
     * What the test's libvirt changes from Debian's: QEMU runs as root (the disks live in the test's
     * directory), no AppArmor or cgroup setup (neither is the test's to change; a fresh /sys of the
     * namespace has no cgroup tree).
     */
    private static final String QEMU_CONF = """

            # electrolab VM test
            user = "root"
            group = "root"
            dynamic_ownership = 0
            security_driver = "none"
            cgroup_controllers = [ ]
            """;

    private final String netns;
    private final Path dir;
    private final Path mountNamespace;
    private final Path repo;

    private LibvirtNamespace(String netns, Path dir, Path repo) {
        this.netns = netns;
        this.dir = dir;
        this.mountNamespace = dir.resolve("ns/mnt");
        this.repo = repo;
    }

    /** Makes the namespaces, starts virtlogd and libvirtd in them and defines the pool {@code default} in {@code dir}. */
    static LibvirtNamespace start(String netns, Path dir, Path repo) throws IOException, InterruptedException {
        LibvirtNamespace libvirt = new LibvirtNamespace(netns, dir, repo);
        boolean started = false;
        try {
            libvirt.setUp();
            started = true;
            return libvirt;
        } finally {
            if (!started) libvirt.close();
        }
    }

    private void setUp() throws IOException, InterruptedException {
        host("ip", "netns", "add", netns);
        host("ip", "-n", netns, "link", "set", "lo", "up");
        Path ns = Files.createDirectories(dir.resolve("ns"));
        // A namespace file must sit on a mount that does not propagate into the namespace it holds.
        host("mount", "--bind", ns.toString(), ns.toString());
        host("mount", "--make-private", ns.toString());
        Files.createFile(mountNamespace);
        host("unshare", "--mount=" + mountNamespace, "--propagation", "private", "true");

        List<String> mounts = new ArrayList<>();
        for (String libvirtDir : LIBVIRT_DIRS) {
            Path own = Files.createDirectories(dir.resolve("libvirt" + libvirtDir));
            Files.createDirectories(Path.of(libvirtDir)); // the mount point (/run/libvirt exists only while libvirtd ran)
            mounts.add("mount --bind " + own + " " + libvirtDir);
        }
        host("cp", "-a", "/etc/libvirt/.", dir.resolve("libvirt/etc/libvirt").toString());
        // libvirt's own default network is 192.168.122.0/24: never defined here.
        Files.deleteIfExists(dir.resolve("libvirt/etc/libvirt/qemu/networks/default.xml"));
        Files.writeString(dir.resolve("libvirt/etc/libvirt/qemu.conf"), QEMU_CONF, StandardOpenOption.APPEND);
        // sysfs mounted from inside the network namespace shows its own devices (libvirt reads bridges there).
        mounts.add("mount -t sysfs sysfs /sys");
        inside(Duration.ofSeconds(30), "sh", "-ec", String.join("; ", mounts));

        inside(Duration.ofSeconds(30), "virtlogd", "-d", "-p", dir.resolve("virtlogd.pid").toString());
        inside(Duration.ofSeconds(30), "libvirtd", "-d", "-p", dir.resolve("libvirtd.pid").toString());
        Path pool = Files.createDirectories(dir.resolve("pool"));
        // libvirtd -d returns once the daemon listens (it reports its start-up through a pipe).
        virsh("pool-define-as", "default", "dir", "--target", pool.toString());
        virsh("pool-start", "default");
    }

    /** Runs {@code command} inside the namespaces, in the checkout, with {@code env} added to the environment. */
    Tools.Run run(Duration limit, Map<String, String> env, List<String> command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("nsenter", "--mount=" + mountNamespace, "--net=/run/netns/" + netns, "--wd=" + repo));
        full.addAll(command);
        return Tools.run(repo, env, limit, full);
    }

    /** virsh's output, failing on an error. */
    String virsh(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("virsh", "-q", "-c", "qemu:///system"));
        command.addAll(List.of(arguments));
        return require(run(Duration.ofMinutes(2), Map.of(), command)).output();
    }

    /** The names virsh lists for {@code listCommand} (e.g. list --all --name), blank lines dropped. */
    List<String> names(String... listCommand) throws IOException, InterruptedException {
        return virsh(listCommand).lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
    }

    /** The QEMU command line of a running domain, as its process really has it. */
    Optional<String> qemuCommandLine(String domain) throws IOException {
        Path pidFile = dir.resolve("libvirt/run/libvirt/qemu/" + domain + ".pid");
        if (!Files.isRegularFile(pidFile)) return Optional.empty();
        Path cmdline = Path.of("/proc", Files.readString(pidFile).strip(), "cmdline");
        return Files.isRegularFile(cmdline) ? Optional.of(Files.readString(cmdline).replace('\0', ' ').strip()) : Optional.empty();
    }

    /**
     * Removes every domain (and its storage), pool, volume and network libvirt has here, stops
     * libvirtd, virtlogd and anything else still in the network namespace (dnsmasq, QEMU), then
     * the namespaces and the directory. Every step runs even when an earlier one failed.
     */
    @Override
    public void close() {
        if (Files.exists(mountNamespace) && Files.isRegularFile(dir.resolve("libvirtd.pid"))) {
            quietly(() -> {
                for (String domain : names("list", "--all", "--name")) {
                    run(Duration.ofMinutes(1), Map.of(), List.of("virsh", "-q", "destroy", domain));
                    run(Duration.ofMinutes(1), Map.of(), List.of("virsh", "-q", "undefine", domain, "--remove-all-storage"));
                }
            });
            quietly(() -> {
                for (String pool : names("pool-list", "--all", "--name")) {
                    for (String volume : virsh("vol-list", pool).lines().map(String::strip).filter(l -> !l.isEmpty())
                            .map(l -> l.split("\\s+")[0]).toList()) {
                        run(Duration.ofMinutes(1), Map.of(), List.of("virsh", "-q", "vol-delete", volume, "--pool", pool));
                    }
                    run(Duration.ofMinutes(1), Map.of(), List.of("virsh", "-q", "pool-destroy", pool));
                    run(Duration.ofMinutes(1), Map.of(), List.of("virsh", "-q", "pool-undefine", pool));
                }
            });
            quietly(() -> {
                for (String network : names("net-list", "--all", "--name")) {
                    run(Duration.ofMinutes(1), Map.of(), List.of("virsh", "-q", "net-destroy", network));
                    run(Duration.ofMinutes(1), Map.of(), List.of("virsh", "-q", "net-undefine", network));
                }
            });
        }
        quietly(() -> stop(dir.resolve("libvirtd.pid")));
        quietly(() -> stop(dir.resolve("virtlogd.pid")));
        quietly(this::stopEverythingInTheNetns);
        quietly(() -> {
            if (Files.exists(mountNamespace)) host("umount", mountNamespace.toString());
        });
        quietly(() -> {
            if (Files.isDirectory(dir.resolve("ns"))) host("umount", dir.resolve("ns").toString());
        });
        quietly(() -> Tools.run(Path.of("/"), Map.of(), Duration.ofSeconds(30), List.of("ip", "netns", "del", netns)));
        quietly(() -> deleteTree(dir));
    }

    private void stopEverythingInTheNetns() throws IOException, InterruptedException {
        Tools.Run pids = Tools.run(Path.of("/"), Map.of(), Duration.ofSeconds(30), List.of("ip", "netns", "pids", netns));
        if (pids.exitCode() != 0) return;
        Processes.stop(pids.output().lines().map(String::strip).filter(p -> p.matches("\\d+"))
                .flatMap(p -> ProcessHandle.of(Long.parseLong(p)).stream()).toList());
    }

    /** Stops the daemon whose plain pid {@code pidFile} holds (libvirt's own pid files), and its children. */
    private static void stop(Path pidFile) throws IOException {
        if (!Files.isRegularFile(pidFile)) return;
        String pid = Files.readString(pidFile).strip();
        if (!pid.matches("\\d+")) return;
        Processes.stop(ProcessHandle.of(Long.parseLong(pid)).stream().toList());
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(path);
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void quietly(Step step) {
        try {
            step.run();
        } catch (Exception e) {
            System.err.println("LibvirtNamespace cleanup: " + e);
        }
    }

    private void inside(Duration limit, String... command) throws IOException, InterruptedException {
        require(run(limit, Map.of(), List.of(command)));
    }

    private static void host(String... command) throws IOException, InterruptedException {
        require(Tools.run(Path.of("/"), Map.of(), Duration.ofSeconds(60), List.of(command)));
    }

    private static Tools.Run require(Tools.Run run) {
        if (run.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", run.command()) + " exited " + run.exitCode() + ":\n" + run.tail(20));
        }
        return run;
    }
}

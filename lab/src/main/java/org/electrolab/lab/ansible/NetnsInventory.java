package org.electrolab.lab.ansible;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import org.electrolab.lab.netns.CommandRunner;
import org.electrolab.lab.netns.Lab;
import org.electrolab.lab.netns.LabException;
import org.electrolab.lab.netns.Host;
import org.electrolab.lab.netns.Network;
import org.electrolab.lab.netns.Locations;
import org.electrolab.lab.scenario.Scenario;
import org.electrolab.lab.scenario.ScenarioFile;
import org.electrolab.lab.scenario.ClientLoad;

/**
 * The hosts of the namespace-lab inventory (ansible/inventories/netns.yml): a netns lab's
 * namespaces, made by {@link Lab#create} without starting anything, plus what ssh needs to reach
 * them. No sshd listens anywhere: Ansible's ssh runs {@code ip netns exec NS sshd -i} as its
 * ProxyCommand, so each connection gets an sshd inside that host's namespace, authenticated with a
 * key pair generated here. Everything lives in the lab's state directory, which {@link #down}
 * (through {@link Lab#down}) deletes after stopping every process inside the namespaces.
 */
public final class NetnsInventory {
    public static final String DEFAULT_NAME = "ansible";
    /** The privilege-separation directory sshd insists on; the openssh-server service makes it at boot. */
    static final Path SSHD_RUN_DIR = Path.of("/run/sshd");
    private static final String MADE_RUN_DIR = "made-run-sshd";

    private NetnsInventory() {}

    /** The files of one lab's inventory, under its state directory. */
    public record Layout(Path stateDir) {
        public Path ssh() {
            return stateDir.resolve("ssh");
        }

        public Path hosts() {
            return stateDir.resolve("hosts.yml");
        }

        public Path hostDirs() {
            return stateDir.resolve("hosts");
        }
    }

    /** Creates lab {@code name} with {@code replicas} replica hosts and a client, and writes its inventory; returns it. */
    public static Path up(Locations paths, String name, int replicas) {
        // Lab.create wants a scenario; this one only sizes the network. The playbooks render the real
        // cluster.yaml per host from the scenario they are given.
        Scenario sizing = new Scenario(name, replicas, List.of(), "null", ScenarioFile.CLUSTER_ID_DEFAULT,
                ScenarioFile.PORT_DEFAULT, new ClientLoad(1, Duration.ZERO, Duration.ofSeconds(1), 0));
        CommandRunner runner = new CommandRunner();
        Lab lab = Lab.create(paths, name, sizing, runner);
        Layout files = new Layout(lab.state().dir());
        try {
            boolean madeRunDir = makeSshdRunDir();
            if (madeRunDir) Files.writeString(lab.state().dir().resolve(MADE_RUN_DIR), "");
            Path ssh = files.ssh();
            Files.createDirectories(ssh, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.createDirectories(files.hostDirs());
            runner.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "electrolab-" + name + "-host",
                    "-f", ssh.resolve("host_key").toString());
            runner.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "electrolab-" + name + "-ansible",
                    "-f", ssh.resolve("id_ed25519").toString());
            Files.copy(ssh.resolve("id_ed25519.pub"), ssh.resolve("authorized_keys"));
            Files.writeString(ssh.resolve("known_hosts"),
                    hostKeyAlias(name) + " " + Files.readString(ssh.resolve("host_key.pub")).strip() + "\n");
            Files.writeString(ssh.resolve("sshd_config"), sshdConfig(ssh));
            Files.writeString(files.hosts(), hostsYaml(paths, name, lab.network(), files));
            return files.hosts();
        } catch (IOException | RuntimeException e) {
            LabException failure = new LabException("cannot write the inventory of lab " + name + ": " + e.getMessage());
            try {
                down(paths, name);
            } catch (RuntimeException cleanup) {
                failure.addSuppressed(cleanup);
            }
            throw failure;
        }
    }

    /** Stops everything in the lab's namespaces (sshd sessions, replicas, clients), deletes them and the state. */
    public static Lab.Removed down(Locations paths, String name) {
        Network.requireName(name);
        boolean madeRunDir = Files.exists(paths.stateDir(name).resolve(MADE_RUN_DIR));
        Lab.Removed removed = Lab.down(paths, name);
        if (madeRunDir) removeSshdRunDirIfUnused(paths);
        return removed;
    }

    static String hostKeyAlias(String name) {
        return "electrolab-" + name;
    }

    private static boolean makeSshdRunDir() throws IOException {
        if (Files.isDirectory(SSHD_RUN_DIR)) return false;
        Files.createDirectories(SSHD_RUN_DIR, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        return true;
    }

    /** Removes /run/sshd when this lab made it, no other lab's inventory still needs it and it is empty. */
    private static void removeSshdRunDirIfUnused(Locations paths) {
        try (var labs = Files.list(paths.stateRoot())) {
            if (labs.anyMatch(lab -> Files.exists(lab.resolve(MADE_RUN_DIR)) || Files.isDirectory(lab.resolve("ssh")))) return;
        } catch (IOException noStateRoot) {
            // No lab state at all: nothing else can need the directory.
        }
        try {
            Files.deleteIfExists(SSHD_RUN_DIR);
        } catch (IOException notEmpty) {
            // Something else (a real sshd) put files there; it is theirs now.
        }
    }

    private static String sshdConfig(Path ssh) {
        // StrictModes is off because the checkout's parent directories are not ours to judge; the key
        // files themselves are in a directory only root can read.
        return """
                # sshd for the namespace-lab inventory: run per connection as `sshd -i` inside a host's namespace.
                HostKey %s
                AuthorizedKeysFile %s
                PermitRootLogin prohibit-password
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                UsePAM no
                StrictModes no
                PidFile none
                Subsystem sftp internal-sftp
                LogLevel ERROR
                """.formatted(ssh.resolve("host_key"), ssh.resolve("authorized_keys"));
    }

    private static String hostsYaml(Locations paths, String name, Network network, Layout files) {
        StringBuilder yaml = new StringBuilder();
        yaml.append("---\n")
                .append("# Hosts of netns lab ").append(name).append(", written by `electrolab ansible lab-up`.\n")
                .append("# Use with the group settings: -i ansible/inventories/netns.yml -i ").append(files.hosts()).append('\n')
                .append("all:\n")
                .append("  vars:\n")
                .append("    electrolab_home: ").append(paths.repo()).append('\n')
                .append("    electrolab_netns_ssh_dir: ").append(files.ssh()).append('\n')
                .append("    electrolab_netns_host_key_alias: ").append(hostKeyAlias(name)).append('\n')
                .append("    electrolab_netns_hosts_dir: ").append(files.hostDirs()).append('\n')
                .append("  children:\n");
        appendGroup(yaml, "replicas", network.replicas());
        appendGroup(yaml, "clients", List.of(network.client()));
        return yaml.toString();
    }

    private static void appendGroup(StringBuilder yaml, String group, List<Host> hosts) {
        yaml.append("    ").append(group).append(":\n").append("      hosts:\n");
        for (Host host : hosts) {
            yaml.append("        ").append(host.name()).append(":\n")
                    .append("          ansible_host: ").append(host.address()).append('\n')
                    .append("          electrolab_lab_address: ").append(host.address()).append('\n')
                    .append("          electrolab_netns: ").append(host.netns()).append('\n');
        }
    }
}

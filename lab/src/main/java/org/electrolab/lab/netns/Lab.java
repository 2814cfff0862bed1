package org.electrolab.lab.netns;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.electrolab.lab.scenario.Scenario;
import org.electrolab.lab.scenario.ScenarioException;
import org.electrolab.lab.scenario.ScenarioFile;
import org.electrolab.lab.scenario.ClientLoad;
import org.electrolab.protocol.config.ClusterConfig;
import org.electrolab.replica.node.ReplicaView;

/**
 * A running netns lab: its network, state directory and replica processes. This is the one
 * implementation behind {@code electrolab lab up|down|status}, the demo and the experiment runner:
 * <pre>
 *   Lab lab = Lab.up(Locations.locate(), "lab", ScenarioFile.load(file));   // replicas ready
 *   Path run = lab.runClient(lab.state().dir().resolve("run.json"));     // client's run.json
 *   Lab.down(Locations.locate(), "lab");                                    // idempotent
 * </pre>
 */
public final class Lab {
    /** How long replicas get to agree on a view, on top of {@link #READY_PER_REPLICA} each (JVM start-up). */
    public static final Duration READY_BASE = Duration.ofSeconds(20);
    public static final Duration READY_PER_REPLICA = Duration.ofSeconds(5);
    /** How long a client may run past its warmup and duration. */
    public static final Duration CLIENT_GRACE = Duration.ofSeconds(60);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final int LOG_TAIL_LINES = 8;
    private static final String XDP_PASS_PROGRAM = "xdp_pass";

    /** What {@link #down} removed; all zero when the lab was already down. */
    public record Removed(int processes, int namespaces, boolean stateDir) {
        public boolean nothing() {
            return processes == 0 && namespaces == 0 && !stateDir;
        }
    }

    /** One host as {@code lab status} shows it. */
    public record HostStatus(Host host, boolean netnsPresent, List<Long> pids, Optional<ReplicaView> view) {}

    /** What {@code lab status} shows. */
    public record Overview(String name, Scenario scenario, Network network, List<HostStatus> hosts) {}

    private final Locations paths;
    private final StateDir state;
    private final Network network;
    private final Scenario scenario;
    private final CommandRunner runner;

    private Lab(Locations paths, StateDir state, Network network, Scenario scenario, CommandRunner runner) {
        this.paths = paths;
        this.state = state;
        this.network = network;
        this.scenario = scenario;
        this.runner = runner;
    }

    public Network network() {
        return network;
    }

    public StateDir state() {
        return state;
    }

    public Scenario scenario() {
        return scenario;
    }

    public Path clusterConfig() {
        return state.clusterConfig();
    }

    /** The runner of the commands that built this lab (tests inject failures through it). */
    CommandRunner runner() {
        return runner;
    }

    /** Brings lab {@code name} up with {@code scenario} and waits until every replica is NORMAL in one view. */
    public static Lab up(Locations paths, String name, Scenario scenario) {
        return up(paths, name, scenario, READY_BASE.plus(READY_PER_REPLICA.multipliedBy(scenario.replicas())));
    }

    /** Like {@link #up(Locations, String, Scenario)}, giving the replicas {@code readyLimit} to agree (a slow machine needs more). */
    public static Lab up(Locations paths, String name, Scenario scenario, Duration readyLimit) {
        Lab lab = create(paths, name, scenario, new CommandRunner());
        lab.startReplicas(readyLimit);
        return lab;
    }

    /**
     * Builds the network and state of lab {@code name} without starting processes (the network
     * tests, and {@link #up}). Whatever it creates is recorded first; on failure it is all removed.
     */
    public static Lab create(Locations paths, String name, Scenario scenario, CommandRunner runner) {
        Network.requireName(name);
        Privileges.requireRoot();
        Privileges.requireTools();
        StateDir state = new StateDir(paths.stateDir(name));
        if (!state.exists()) {
            List<String> leftovers = Netns.list(runner, Network.namespacePrefix(name));
            if (!leftovers.isEmpty()) {
                throw new LabException("namespaces " + leftovers + " are left from an earlier lab " + name
                        + "; run `electrolab lab down --name " + name + "` first");
            }
        }
        Network network = Network.plan(name, scenario.replicas(), StateDir.freeSubnet(paths.stateRoot()));
        state.create();
        Lab lab = new Lab(paths, state, network, scenario, runner);
        try {
            state.write(new StateDir.Record(name, network.subnet(), scenario.replicas(), network.namespaces(), scenario.name()));
            state.writeText(state.scenarioCopy(), ScenarioFile.toYaml(scenario));
            state.writeText(state.clusterConfig(), clusterYaml(network, scenario));
            network.create(runner);
            network.attachXdpPass(runner, lab.xdpPassObject());
            return lab;
        } catch (RuntimeException e) {
            lab.rollBack(e);
            throw e;
        }
    }

    /** The compiled XDP_PASS program, copied out of the replica jar into the lab's state directory. */
    private Path xdpPassObject() {
        return bpfObject(XDP_PASS_PROGRAM);
    }

    /** The compiled {@code bpf/<program>.bpf.c}, copied out of the replica jar into the lab's state directory. */
    private Path bpfObject(String program) {
        String resource = "/bpf/" + program + ".bpf.o";
        Path object = state.dir().resolve(program + ".bpf.o");
        try (InputStream in = Lab.class.getResourceAsStream(resource)) {
            if (in == null) throw new LabException(resource + " is missing from the class path: rebuild (./mvnw -DskipTests install)");
            Files.copy(in, object, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new LabException("cannot write " + object + ": " + e.getMessage());
        }
        return object;
    }

    private void rollBack(RuntimeException cause) {
        try {
            down(paths, network.labName(), runner);
        } catch (RuntimeException cleanup) {
            cause.addSuppressed(cleanup);
        }
    }

    static String clusterYaml(Network network, Scenario scenario) {
        List<Inet4Address> members = new ArrayList<>();
        for (Host replica : network.replicas()) members.add(ipv4(replica.address()));
        return new ClusterConfig(scenario.clusterId(), scenario.f(), scenario.app(), scenario.port(), members,
                scenario.tickMillis()).toYaml();
    }

    private static Inet4Address ipv4(String address) {
        try {
            return (Inet4Address) InetAddress.getByName(address);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lab {@code name} as its state directory describes it; fails when it is not up. */
    public static Lab open(Locations paths, String name) {
        Network.requireName(name);
        Privileges.requireRoot();
        CommandRunner runner = new CommandRunner();
        StateDir state = new StateDir(paths.stateDir(name));
        Optional<StateDir.Record> found = state.read();
        if (found.isEmpty()) {
            List<String> leftovers = Netns.list(runner, Network.namespacePrefix(name));
            throw new LabException(leftovers.isEmpty()
                    ? "lab " + name + " is not up (no " + state.dir() + "); start it with `electrolab lab up --scenario FILE --name " + name + "`"
                    : "lab " + name + " is not up, but namespaces " + leftovers + " are left; run `electrolab lab down --name " + name + "`");
        }
        StateDir.Record record = found.get();
        Scenario scenario;
        try {
            scenario = ScenarioFile.parse(Files.readString(state.scenarioCopy()),
                    state.scenarioCopy().toString(), record.scenarioName());
        } catch (IOException | ScenarioException e) {
            throw new LabException(state.scenarioCopy() + " is unreadable (" + LabException.oneLine(e.getMessage())
                    + "); run `electrolab lab down --name " + name + "`");
        }
        return new Lab(paths, state, Network.plan(name, record.replicas(), record.subnet()), scenario, runner);
    }

    /** Starts every replica in its namespace and waits until all are NORMAL in the same view. */
    private void startReplicas(Duration readyLimit) {
        try {
            Map<Host, Process> started = new LinkedHashMap<>();
            for (Host host : network.replicas()) started.put(host, launchReplica(host));
            awaitReady(started, readyLimit);
        } catch (RuntimeException e) {
            rollBack(e);
            throw e;
        }
    }

    private Process launchReplica(Host host) {
        List<String> command = List.of(paths.launcher().toString(), "replica",
                "--config", state.clusterConfig().toString(),
                "--id", Integer.toString(host.replicaId()),
                "--offload", scenario.offloadArgument(),
                "--stats-file", state.stats(host.replicaId()).toString());
        return Processes.start(new Netns(host.netns(), runner), command, state.log(host.name()), state.pidFile(host.name()));
    }

    /**
     * Starts replica {@code host} again after it was killed (a fault campaign's restart): its old
     * stats file is removed first, so what {@link #replicaView} shows afterwards is the new process.
     * Returns without waiting; the replica recovers through VR recovery.
     */
    public Process restartReplica(Host host) {
        if (replicaProcess(host).isPresent()) throw new LabException("replica " + host.name() + " is still running; stop it first");
        try {
            Files.deleteIfExists(state.stats(host.replicaId()));
        } catch (IOException e) {
            throw new LabException("cannot remove " + state.stats(host.replicaId()) + ": " + e.getMessage());
        }
        return launchReplica(host);
    }

    /** The live process of replica {@code host}, from its pid file. */
    public Optional<ProcessHandle> replicaProcess(Host host) {
        return Processes.fromPidFile(state.pidFile(host.name()));
    }

    /** What replica {@code host}'s stats file says now; empty while it has not written one. */
    public Optional<ReplicaView> replicaView(Host host) {
        return ReplicaView.read(state.stats(host.replicaId()));
    }

    /**
     * Starts {@code electrolab client ARGS} in the client namespace without waiting (the caller
     * injects faults meanwhile); {@code --config} is this lab's. Output goes to {@code log}.
     */
    public Process startClient(List<String> args, Path log) {
        List<String> command = new ArrayList<>(List.of(paths.launcher().toString(), "client",
                "--config", state.clusterConfig().toString()));
        command.addAll(args);
        Host client = network.client();
        return Processes.start(new Netns(client.netns(), runner), command, log, state.pidFile(client.name()));
    }

    private void awaitReady(Map<Host, Process> replicas, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            Set<Long> views = new LinkedHashSet<>();
            Host notReady = null;
            for (Map.Entry<Host, Process> entry : replicas.entrySet()) {
                Host host = entry.getKey();
                if (!entry.getValue().isAlive()) {
                    throw new LabException("replica " + host.name() + " (" + host.netns() + ") exited with code "
                            + entry.getValue().exitValue() + " before the lab was ready; its log " + state.log(host.name())
                            + " ends: " + state.logTail(host.name(), LOG_TAIL_LINES));
                }
                Optional<ReplicaView> view = ReplicaView.read(state.stats(host.replicaId()));
                if (view.isPresent() && view.get().isNormal()) {
                    views.add(view.get().view());
                } else if (notReady == null) {
                    notReady = host;
                }
            }
            if (notReady == null && views.size() == 1) return;
            if (System.nanoTime() > deadline) {
                Host host = notReady != null ? notReady : network.replicas().getFirst();
                String why = notReady != null ? "replica " + host.name() + " is not NORMAL yet"
                        : "replicas are NORMAL in different views " + views;
                throw new LabException("lab " + network.labName() + " not ready after " + limit.toSeconds() + " s: " + why
                        + " (" + state.stats(host.replicaId()) + "); its log " + state.log(host.name()) + " ends: "
                        + state.logTail(host.name(), LOG_TAIL_LINES));
            }
            pause();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(POLL);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while waiting for the lab");
        }
    }

    /**
     * Runs the scenario's workload with {@code electrolab client} in the client namespace and waits
     * for it; returns {@code out}, the client's run.json. A failed or overdue client is an error
     * naming the client's log.
     */
    public Path runClient(Path out) {
        return runClient(scenario.workload(), out);
    }

    /** Runs {@code w} (e.g. one cell of an experiment matrix) instead of the scenario's own workload. */
    public Path runClient(ClientLoad w, Path out) {
        return runClient(w, out, CLIENT_GRACE);
    }

    /** Like {@link #runClient(ClientLoad, Path)}, the client given {@code grace} beyond its run to start and finish (a slow machine needs more). */
    public Path runClient(ClientLoad w, Path out, Duration grace) {
        Host client = network.client();
        List<String> command = List.of(paths.launcher().toString(), "client",
                "--config", state.clusterConfig().toString(),
                "--clients", Integer.toString(w.clients()),
                "--warmup", ClientLoad.argument(w.warmup()),
                "--duration", ClientLoad.argument(w.duration()),
                "--payload-bytes", Integer.toString(w.payloadBytes()),
                "--offloads-label", scenario.offloadArgument(),
                "--out", out.toAbsolutePath().toString());
        Process process = Processes.start(new Netns(client.netns(), runner), command,
                state.log(client.name()), state.pidFile(client.name()));
        Duration limit = w.warmup().plus(w.duration()).plus(grace);
        try {
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                Processes.stop(List.of(process.toHandle()));
                throw new LabException("client did not finish within " + limit.toSeconds() + " s; its log "
                        + state.log(client.name()) + " ends: " + state.logTail(client.name(), LOG_TAIL_LINES));
            }
        } catch (InterruptedException e) {
            Processes.stop(List.of(process.toHandle()));
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while the client ran");
        }
        if (process.exitValue() != 0) {
            throw new LabException("client exited with code " + process.exitValue() + "; its log " + state.log(client.name())
                    + " ends: " + state.logTail(client.name(), LOG_TAIL_LINES));
        }
        return out;
    }

    /** What runs where, from the state directory, the namespaces and the replicas' stats files. */
    public Overview status() {
        Privileges.requireRoot();
        Set<String> present = new LinkedHashSet<>(Netns.list(runner, Network.namespacePrefix(network.labName())));
        List<HostStatus> hosts = new ArrayList<>();
        for (Host host : network.hosts()) {
            Netns netns = new Netns(host.netns(), runner);
            boolean exists = present.contains(host.netns());
            List<Long> pids = exists ? netns.pids() : List.of();
            Optional<ReplicaView> view = host.isReplica() ? ReplicaView.read(state.stats(host.replicaId())) : Optional.empty();
            hosts.add(new HostStatus(host, exists, pids, view));
        }
        return new Overview(network.labName(), scenario, network, hosts);
    }

    /** Takes lab {@code name} down; see {@link #down(Locations, String, CommandRunner)}. */
    public static Removed down(Locations paths, String name) {
        return down(paths, name, new CommandRunner());
    }

    /**
     * Stops every process of lab {@code name} (from its pid files and inside its namespaces), deletes
     * its namespaces (recorded or found by prefix) with every link in them, then its state directory.
     * Running it again, or on a lab that never came up, does nothing and succeeds.
     */
    public static Removed down(Locations paths, String name, CommandRunner runner) {
        Network.requireName(name);
        Privileges.requireRoot();
        String prefix = Network.namespacePrefix(name);
        StateDir state = new StateDir(paths.stateDir(name));
        List<String> recorded = List.of();
        try {
            recorded = state.read().map(StateDir.Record::namespaces).orElse(List.of());
        } catch (LabException unreadable) {
            // A damaged record names nothing; the namespaces are still found by their prefix.
        }
        Set<String> namespaces = new LinkedHashSet<>(recorded);
        namespaces.addAll(Netns.list(runner, prefix));

        int stopped = 0;
        List<ProcessHandle> fromPidFiles = new ArrayList<>();
        for (Path pidFile : state.pidFiles()) Processes.fromPidFile(pidFile).ifPresent(fromPidFiles::add);
        stopped += Processes.stop(fromPidFiles);
        // A second look inside: a process may have forked or been starting while we stopped the first.
        for (int pass = 0; pass < 2; pass++) {
            List<ProcessHandle> inside = new ArrayList<>();
            for (String ns : namespaces) {
                for (long pid : new Netns(ns, runner).pids()) ProcessHandle.of(pid).ifPresent(inside::add);
            }
            stopped += Processes.stop(inside);
        }

        int present = Netns.list(runner, prefix).size();
        Network.deleteNamespaces(runner, name, recorded);
        List<String> left = Netns.list(runner, prefix);
        if (!left.isEmpty()) {
            throw new LabException("namespaces " + left + " are still there after `ip netns delete`; see `ip netns pids` for each");
        }
        boolean hadState = state.exists();
        state.delete();
        return new Removed(stopped, present, hadState);
    }
}

package org.electrolab.lab.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.electrolab.lab.netns.CommandRunner;
import org.electrolab.lab.netns.Lab;
import org.electrolab.lab.netns.LabException;
import org.electrolab.lab.netns.Host;
import org.electrolab.lab.netns.Locations;
import org.electrolab.lab.scenario.Scenario;
import org.electrolab.protocol.config.Offload;
import org.electrolab.replica.node.ReplicaView;

/**
 * The experiment's cluster on this machine: the netns lab ({@link Lab}, docs/lab.md) under its own
 * lab name, so an experiment never touches a lab started by hand under another name. Needs root.
 */
public final class NetnsCluster implements Cluster {
    private static final Duration LAUNCHER_BUILD_LIMIT = Duration.ofMinutes(10);
    private final Locations paths;
    private final String labName;
    private Lab lab;
    private Path logDir;
    private boolean launcherChecked;

    public NetnsCluster(Locations paths, String labName) {
        this.paths = paths;
        this.labName = labName;
    }

    @Override
    public String describe() {
        return "netns lab '" + labName + "' (state in " + paths.stateDir(labName) + ")";
    }

    /** The lab brought up by {@link #up}, for what goes beyond running a client (the fault campaign). */
    public Lab lab() {
        if (lab == null) throw new IllegalStateException("no lab is up");
        return lab;
    }

    @Override
    public Map<String, Object> up(Scenario scenario, Path logDir) throws ClusterException, InterruptedException {
        this.logDir = logDir;
        if (!launcherChecked) {
            // bin/electrolab builds stale jars on first use: once here, not in every replica while the lab waits for readiness.
            try {
                new CommandRunner(LAUNCHER_BUILD_LIMIT).run(paths.launcher().toString(), "--help");
            } catch (LabException e) {
                if (Thread.interrupted()) throw new InterruptedException(e.getMessage());
                throw new ClusterException(e.getMessage());
            }
            launcherChecked = true;
        }
        try {
            lab = Lab.up(paths, labName, scenario);
        } catch (LabException e) {
            if (Thread.interrupted()) throw new InterruptedException(e.getMessage());
            throw new ClusterException(e.getMessage());
        }
        // How each replica's offloads attached, as the replica reports it in its stats file.
        Map<String, Object> replicas = new LinkedHashMap<>();
        List<String> lacking = new ArrayList<>();
        for (Host host : lab.network().replicas()) {
            Map<String, Object> facts = new LinkedHashMap<>();
            Optional<ReplicaView> view = ReplicaView.read(lab.state().stats(host.replicaId()));
            view.ifPresent(v -> {
                facts.put("offloadsLoaded", v.offloadsLoaded());
                facts.put("path", v.path());
            });
            String missing = missing(scenario.offloads(), view.map(ReplicaView::offloadsLoaded).orElse("none"));
            if (!missing.isEmpty()) lacking.add(host.name() + " lacks " + missing);
            replicas.put(host.name(), facts);
        }
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("offloadsRequested", scenario.offloadArgument());
        facts.put("replicas", replicas);
        if (!lacking.isEmpty()) {
            facts.put(WARNING, "offloads requested but not loaded (" + String.join("; ", lacking)
                    + "): these runs measure user space, see the replicas' logs for why");
        }
        return facts;
    }

    /** The requested offloads a replica did not load, comma-separated; empty when it loaded them all. */
    static String missing(List<Offload> requested, String loaded) {
        List<String> have = List.of(loaded.split(","));
        return requested.stream().map(o -> o.cliName).filter(name -> !have.contains(name)).collect(Collectors.joining(","));
    }

    @Override
    public void runClient(Scenario scenario, Path runJson, Path log) throws ClusterException, InterruptedException {
        if (lab == null) throw new ClusterException("no lab is up");
        // The lab appends every client run to one log; the part this run wrote goes to its own file.
        Path clientLog = lab.state().log(lab.network().client().name());
        long before = size(clientLog);
        try {
            lab.runClient(scenario.workload(), runJson);
        } catch (LabException e) {
            if (Thread.interrupted()) throw new InterruptedException(e.getMessage());
            throw new ClusterException(e.getMessage());
        } finally {
            copyFrom(clientLog, before, log);
        }
    }

    @Override
    public void down() throws ClusterException {
        if (lab != null && logDir != null) keepLogs(lab, logDir);
        lab = null;
        try {
            // By name, so it also removes what a failed or interrupted up left behind.
            Lab.down(paths, labName);
        } catch (LabException e) {
            throw new ClusterException(e.getMessage());
        }
    }

    /** The replicas' logs and final stats files (with the offloads' counters), before down deletes the state. */
    private static void keepLogs(Lab lab, Path logDir) {
        try {
            Files.createDirectories(logDir);
            for (Host host : lab.network().replicas()) {
                copyIfPresent(lab.state().log(host.name()), logDir.resolve(host.name() + ".log"));
                copyIfPresent(lab.state().stats(host.replicaId()), logDir.resolve(host.name() + ".stats.json"));
            }
        } catch (IOException e) {
            // Logs are a help, not a result: a failure to keep them must not fail the experiment.
        }
    }

    private static void copyIfPresent(Path from, Path to) throws IOException {
        if (Files.isRegularFile(from)) Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
    }

    private static long size(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static void copyFrom(Path from, long offset, Path to) {
        if (!Files.isRegularFile(from)) return;
        try (InputStream in = Files.newInputStream(from); OutputStream out = Files.newOutputStream(to)) {
            in.skipNBytes(Math.min(offset, Files.size(from)));
            in.transferTo(out);
        } catch (IOException e) {
            // As above: the client's output is a help; the run's figures are in run.json.
        }
    }
}

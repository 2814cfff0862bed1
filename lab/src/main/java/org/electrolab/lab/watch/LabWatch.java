package org.electrolab.lab.watch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

import org.electrolab.lab.netns.LabException;
import org.electrolab.lab.netns.Host;
import org.electrolab.lab.netns.Network;
import org.electrolab.lab.netns.Locations;
import org.electrolab.lab.netns.Processes;
import org.electrolab.lab.netns.StateDir;
import org.electrolab.lab.scenario.Scenario;
import org.electrolab.lab.scenario.ScenarioException;
import org.electrolab.lab.scenario.ScenarioFile;
import org.electrolab.replica.node.ReplicaView;

/**
 * Reads one lab's state directory into {@link Snapshot}s: the replicas' stats files and pid files,
 * the client's stats file and the fault window, nothing else (no port, no command inside the
 * lab's namespaces, no root needed). Successive {@link #sample}s give counter rates, the client's
 * series and the events; a lab that goes down and comes up again (an experiment's next cell) is
 * followed. Not thread-safe: one caller samples.
 */
public final class LabWatch {
    /** How far back the client's series and the fault windows go. */
    public static final int SERIES_SECONDS = 60;
    private static final int EVENTS_KEPT = 12;
    /** Rates are taken over readings at least this far apart. */
    private static final long RATE_WINDOW_MILLIS = 1000;

    private final StateDir state;
    private final String name;
    private final LongSupplier clock;
    private final Map<String, List<Reading>> readings = new HashMap<>();
    private final Deque<Snapshot.Point> series = new ArrayDeque<>();
    private final Map<Long, Snapshot.Fault> faults = new LinkedHashMap<>();
    private final Deque<Snapshot.Event> events = new ArrayDeque<>();
    private final Map<String, String> lastRoles = new HashMap<>();
    private long lastClientUpdate;
    private long lastView = -1;
    private StateDir.Record record;
    private Scenario scenario;

    private record Reading(long atMillis, Map<String, Long> counters) {}

    public LabWatch(Locations paths, String name, LongSupplier clockMillis) {
        Network.requireName(name);
        this.state = new StateDir(paths.stateDir(name));
        this.name = name;
        this.clock = clockMillis;
    }

    public static LabWatch of(Locations paths, String name) {
        return new LabWatch(paths, name, System::currentTimeMillis);
    }

    public String name() {
        return name;
    }

    /** The lab as its files say now. */
    public Snapshot sample() {
        long now = clock.getAsLong();
        Optional<StateDir.Record> found;
        try {
            found = state.read();
        } catch (LabException unreadable) {
            return notUp(now, unreadable.getMessage());
        }
        if (found.isEmpty()) {
            record = null;
            return notUp(now, "lab " + name + " is not up; waiting for `electrolab lab up --name " + name + "` (or an experiment's lab)");
        }
        if (!found.get().equals(record)) {
            record = found.get();
            scenario = readScenario();
            readings.clear();
        }
        Network network = Network.plan(name, record.replicas(), record.subnet());
        List<Snapshot.HostRow> hosts = new ArrayList<>();
        long view = -1;
        int leaderIndex = -1;
        for (Host host : network.replicas()) {
            Snapshot.HostRow h = host(host, now);
            hosts.add(h);
            if (h.running() && "NORMAL".equals(h.status()) && h.view() > view) {
                view = h.view();
                leaderIndex = h.leaderIndex();
            }
        }
        String leader = leaderIndex >= 0 && leaderIndex < hosts.size() ? hosts.get(leaderIndex).name() : null;
        noteChanges(now, hosts, view, leader);
        Snapshot.Client client = client(now);
        readFault();
        trim(now);
        return new Snapshot(name, true, "", now, scenario == null ? record.scenarioName() : scenario.name(), record.replicas(),
                scenario == null ? "?" : scenario.offloadArgument(), scenario == null ? "?" : scenario.app(), record.subnet(),
                view, leader, hosts, client, List.copyOf(series), List.copyOf(faults.values()), List.copyOf(events));
    }

    private Snapshot notUp(long now, String note) {
        trim(now);
        return new Snapshot(name, false, note, now, "", 0, "", "", -1, -1, null, List.of(), null, List.copyOf(series),
                List.copyOf(faults.values()), List.copyOf(events));
    }

    private Scenario readScenario() {
        try {
            return ScenarioFile.parse(Files.readString(state.scenarioCopy(), StandardCharsets.UTF_8), state.scenarioCopy().toString(),
                    record.scenarioName());
        } catch (IOException | ScenarioException e) {
            return null;
        }
    }

    private Snapshot.HostRow host(Host host, long now) {
        Optional<ProcessHandle> process = Processes.fromPidFile(state.pidFile(host.name()));
        Optional<ReplicaView> view = ReplicaView.read(state.stats(host.replicaId()));
        boolean running = process.isPresent();
        String role;
        if (!running) role = "down";
        else if (stopped(process.get().pid())) role = "paused";
        else if (view.isEmpty() || !view.get().running()) role = "starting";
        else role = switch (view.get().status()) {
            case "NORMAL" -> view.get().leader() == host.replicaId() ? "leader" : "follower";
            case "VIEW_CHANGE" -> "view-change";
            case "RECOVERING" -> "recovering";
            default -> view.get().status().toLowerCase();
        };
        if (view.isEmpty()) {
            return new Snapshot.HostRow(host.name(), host.replicaId(), host.address(), role, running, process.map(ProcessHandle::pid).orElse(0L),
                    -1, "", -1, 0, 0, "", "", 0, 0, 0, -1, List.of());
        }
        ReplicaView v = view.get();
        // A replica that was killed keeps the status it last wrote; one that exited says so in its last file.
        String status = v.running() ? v.status() : "EXITED";
        return new Snapshot.HostRow(host.name(), host.replicaId(), host.address(), role, running, process.map(ProcessHandle::pid).orElse(0L),
                v.view(), status, v.leader(), v.op(), v.commit(), v.offloadsLoaded(), v.path(), v.datagramsIn(), v.datagramsOut(),
                v.dropped(), v.updatedAtMillis() > 0 ? Math.max(0, now - v.updatedAtMillis()) : -1,
                counters(host.name(), v, running && !role.equals("paused")));
    }

    /**
     * The counters with their rates over the readings of about the last second (a restart resets
     * them); a replica that is not running counts nothing, whatever its last file said.
     */
    private List<Snapshot.Counter> counters(String host, ReplicaView view, boolean counting) {
        List<Reading> history = readings.computeIfAbsent(host, h -> new ArrayList<>());
        long at = view.updatedAtMillis();
        if (!history.isEmpty() && at < history.getLast().atMillis()) history.clear();
        if (history.isEmpty() || at > history.getLast().atMillis()) history.add(new Reading(at, view.kernel()));
        while (history.size() > 2 && history.get(1).atMillis() <= at - RATE_WINDOW_MILLIS) history.removeFirst();
        Reading oldest = history.getFirst();
        double seconds = (at - oldest.atMillis()) / 1000.0;
        List<Snapshot.Counter> counters = new ArrayList<>();
        view.kernel().forEach((counter, value) -> {
            long before = oldest.counters().getOrDefault(counter, value);
            double perSec = counting && seconds > 0 && value >= before ? (value - before) / seconds : 0;
            counters.add(new Snapshot.Counter(counter, value, perSec));
        });
        return counters;
    }

    /** Whether Linux says process {@code pid} is stopped (SIGSTOP): state T in /proc/PID/stat. */
    private static boolean stopped(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
            int close = stat.lastIndexOf(')');
            return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'T';
        } catch (IOException e) {
            return false;
        }
    }

    private void noteChanges(long now, List<Snapshot.HostRow> hosts, long view, String leader) {
        if (view > lastView && view >= 0) {
            if (lastView >= 0) event(now, "view " + view + ": " + leader + " leads");
            lastView = view;
        }
        for (Snapshot.HostRow host : hosts) {
            String before = lastRoles.put(host.name(), host.role());
            if (before == null || before.equals(host.role())) continue;
            if (host.role().equals("down") || host.role().equals("paused")) event(now, host.name() + " " + host.role());
            else if (before.equals("down") || before.equals("paused")) event(now, host.name() + " back (" + host.role() + ")");
        }
    }

    private void event(long now, String text) {
        events.addLast(new Snapshot.Event(now, text));
        while (events.size() > EVENTS_KEPT) events.removeFirst();
    }

    private Snapshot.Client client(long now) {
        Optional<ClientStats> read = ClientStats.read(state.dir().resolve(ClientStats.FILE));
        if (read.isEmpty()) return null;
        ClientStats c = read.get();
        if (c.running() && c.updatedAtMillis() > lastClientUpdate) {
            series.addLast(new Snapshot.Point(c.updatedAtMillis(), c.opsPerSec(), c.p99Micros(), c.phase()));
        }
        lastClientUpdate = Math.max(lastClientUpdate, c.updatedAtMillis());
        return new Snapshot.Client(c.running(), c.phase(), c.elapsedSeconds(), c.opsPerSec(), c.p50Micros(), c.p99Micros(),
                c.errors(), c.timeouts(), c.unknown(), c.view(), c.leader(), c.clients(), Math.max(0, now - c.updatedAtMillis()));
    }

    private void readFault() {
        FaultWindow.read(state.dir()).ifPresent(f ->
                faults.put(f.injectedAtMillis(), new Snapshot.Fault(f.fault(), f.what(), f.injectedAtMillis(), f.healedAtMillis())));
    }

    private void trim(long now) {
        long from = now - SERIES_SECONDS * 1000L;
        while (!series.isEmpty() && series.peekFirst().atMillis() < from) series.removeFirst();
        faults.values().removeIf(f -> !f.active() && f.toMillis() < from);
    }
}

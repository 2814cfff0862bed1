package org.electrolab.lab.faults;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.electrolab.lab.netns.Lab;
import org.electrolab.lab.netns.LabException;
import org.electrolab.lab.netns.Host;
import org.electrolab.lab.netns.LinkFaults;
import org.electrolab.replica.node.ReplicaView;

/**
 * Injects one {@link FaultKind} into a running lab and heals it. Healing always leaves every
 * replica running (killed ones started again, paused ones continued) and every link as it was.
 */
final class FaultInjector {
    private static final Duration EXIT_WAIT = Duration.ofSeconds(10);
    private static final double DUPLICATE = 0.20;
    private static final double REORDER = 0.20;
    /** How long {@link #leader()} waits for a view change in progress to end. */
    static final Duration LEADER_WAIT = Duration.ofSeconds(5);
    private static final Duration POLL = Duration.ofMillis(50);

    /** What a fault did: which replicas it hit, in words for the report. */
    record Injected(FaultKind kind, List<Host> hosts, String what) {}

    private final Lab lab;
    private final LinkFaults links;
    private final List<Host> killed = new ArrayList<>();
    private final List<ProcessHandle> paused = new ArrayList<>();
    private boolean linkFault;
    private Map<String, Map<String, Long>> linkBaseline = Map.of();

    FaultInjector(Lab lab, LinkFaults links) {
        this.lab = lab;
        this.links = links;
    }

    /**
     * The replica that leads the highest view any running replica is NORMAL in. A view change in
     * progress (no replica NORMAL) is waited out for up to {@link #LEADER_WAIT}.
     */
    Host leader() {
        long deadline = System.nanoTime() + LEADER_WAIT.toNanos();
        while (true) {
            Optional<Host> leader = currentLeader();
            if (leader.isPresent()) return leader.get();
            if (System.nanoTime() >= deadline) {
                throw new LabException("no replica was NORMAL for " + LEADER_WAIT.toSeconds() + " s; cannot tell the leader");
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LabException("interrupted while waiting for a NORMAL replica");
            }
        }
    }

    private Optional<Host> currentLeader() {
        ReplicaView best = null;
        for (Host host : lab.network().replicas()) {
            if (lab.replicaProcess(host).isEmpty()) continue;
            Optional<ReplicaView> view = lab.replicaView(host);
            if (view.isPresent() && view.get().isNormal() && (best == null || view.get().view() > best.view())) best = view.get();
        }
        return best == null ? Optional.empty() : Optional.of(lab.network().replicas().get(best.leader()));
    }

    private List<Host> followers(Host leader) {
        return lab.network().replicas().stream().filter(h -> !h.equals(leader)).toList();
    }

    Injected inject(FaultKind kind) {
        List<Host> replicas = lab.network().replicas();
        Host leader = leader();
        return switch (kind) {
            case LEADER_KILL -> {
                kill(leader);
                yield new Injected(kind, List.of(leader), "killed " + leader.name() + " (leader)");
            }
            case FOLLOWER_KILL -> {
                Host follower = followers(leader).getFirst();
                kill(follower);
                yield new Injected(kind, List.of(follower), "killed " + follower.name() + " (follower)");
            }
            case RESTART -> {
                kill(leader);
                killed.remove(leader);
                lab.restartReplica(leader);
                yield new Injected(kind, List.of(leader), "killed " + leader.name() + " (leader) and started it again");
            }
            case LEADER_PARTITION -> link(kind, List.of(leader), () -> links.partition(List.of(leader)),
                    "cut " + leader.name() + " (leader) off from the other replicas");
            case MINORITY_PARTITION -> {
                List<Host> side = followers(leader).subList(0, (replicas.size() - 1) / 2);
                yield link(kind, side, () -> links.partition(side), "cut " + names(side) + " (followers) off from the other replicas");
            }
            case LOSS_0, LOSS_1, LOSS_5, LOSS_10, LOSS_20 -> link(kind, replicas, () -> links.loss(kind.lossRate, replicas),
                    String.format(Locale.ROOT, "dropped %.0f%% of packets to every replica", 100 * kind.lossRate));
            case DUPLICATE -> link(kind, replicas, () -> links.duplicate(DUPLICATE, replicas), "duplicated 20% of packets to every replica");
            case REORDER -> link(kind, replicas, () -> links.slow(REORDER, replicas), "held back 20% of packets to every replica");
            case DELAY -> link(kind, replicas, () -> links.slow(1.0, replicas), "sent every packet to the replicas through the slow class");
            case LEADER_PAUSE -> {
                ProcessHandle process = lab.replicaProcess(leader)
                        .orElseThrow(() -> new LabException("leader " + leader.name() + " has no process to pause"));
                signal(process, "STOP");
                paused.add(process);
                yield new Injected(kind, List.of(leader), "paused " + leader.name() + " (leader) with SIGSTOP");
            }
        };
    }

    /**
     * What the link fault program counted on each replica's port since the fault was fully in
     * place; empty when no link fault is on. The ports are set one after another, so the counts
     * from before the last port was set are subtracted: they would understate the fault.
     */
    Map<String, Map<String, Long>> linkCounters() {
        if (!linkFault) return new LinkedHashMap<>();
        Map<String, Map<String, Long>> counters = rawLinkCounters();
        counters.forEach((host, now) -> {
            Map<String, Long> before = linkBaseline.getOrDefault(host, Map.of());
            now.replaceAll((name, value) -> value - before.getOrDefault(name, 0L));
        });
        return counters;
    }

    private Map<String, Map<String, Long>> rawLinkCounters() {
        Map<String, Map<String, Long>> counters = new LinkedHashMap<>();
        for (Host host : lab.network().replicas()) counters.put(host.name(), new LinkedHashMap<>(links.counters(host)));
        return counters;
    }

    private Injected link(FaultKind kind, List<Host> hosts, Runnable apply, String what) {
        linkFault = true;
        apply.run();
        linkBaseline = rawLinkCounters();
        return new Injected(kind, hosts, what);
    }

    /** Undoes every fault injected so far: links restored, paused replicas continued, killed ones started. */
    void heal() {
        RuntimeException failure = null;
        try {
            links.heal();
            linkFault = false;
        } catch (RuntimeException e) {
            failure = e;
        }
        for (ProcessHandle process : paused) {
            if (process.isAlive()) {
                try {
                    signal(process, "CONT");
                } catch (RuntimeException e) {
                    if (failure == null) failure = e;
                }
            }
        }
        paused.clear();
        for (Host host : List.copyOf(killed)) {
            try {
                if (lab.replicaProcess(host).isEmpty()) lab.restartReplica(host);
                killed.remove(host);
            } catch (RuntimeException e) {
                if (failure == null) failure = e;
            }
        }
        if (failure != null) throw failure;
    }

    /** Starts every replica that is not running (one that died of its own accord shows up here too). */
    List<Host> restartDead() {
        List<Host> started = new ArrayList<>();
        for (Host host : lab.network().replicas()) {
            if (lab.replicaProcess(host).isEmpty()) {
                lab.restartReplica(host);
                started.add(host);
            }
        }
        return started;
    }

    private void kill(Host host) {
        ProcessHandle process = lab.replicaProcess(host)
                .orElseThrow(() -> new LabException("replica " + host.name() + " has no process to kill"));
        process.destroyForcibly();
        killed.add(host);
        try {
            process.onExit().get(EXIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw new LabException("replica " + host.name() + " (pid " + process.pid() + ") survived SIGKILL for " + EXIT_WAIT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while killing " + host.name());
        }
    }

    private static void signal(ProcessHandle process, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).redirectErrorStream(true).start();
            String output = new String(kill.getInputStream().readAllBytes()).strip();
            if (kill.waitFor() != 0) throw new LabException("kill -" + signal + " " + process.pid() + " failed: " + output);
        } catch (IOException e) {
            throw new LabException("cannot run kill: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while sending SIG" + signal);
        }
    }

    private static String names(List<Host> hosts) {
        return String.join(", ", hosts.stream().sorted(Comparator.comparingInt(Host::replicaId)).map(Host::name).toList());
    }
}

package org.electrolab.lab.faults;

import org.electrolab.lab.pipeline.RunId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.electrolab.client.KvClient;
import org.electrolab.client.KvClient.Outcome;
import org.electrolab.client.history.Availability;
import org.electrolab.client.history.History;
import org.electrolab.client.history.History.Op;
import org.electrolab.client.history.HistoryFile;
import org.electrolab.client.history.LinearizabilityChecker;
import org.electrolab.client.history.LostWrites;
import org.electrolab.lab.ClientCommand;
import org.electrolab.lab.pipeline.ClusterException;
import org.electrolab.lab.pipeline.NetnsCluster;
import org.electrolab.lab.pipeline.OffloadSet;
import org.electrolab.lab.pipeline.Progress;
import org.electrolab.lab.netns.Lab;
import org.electrolab.lab.netns.LabException;
import org.electrolab.lab.netns.Host;
import org.electrolab.lab.netns.Locations;
import org.electrolab.lab.netns.Processes;
import org.electrolab.lab.netns.LinkFaults;
import org.electrolab.lab.scenario.Scenario;
import org.electrolab.lab.scenario.ClientLoad;
import org.electrolab.lab.watch.FaultWindow;
import org.electrolab.replica.node.ReplicaView;

/**
 * Runs a {@link Campaign} on the netns lab: one lab per size and offload set; in it, each run starts
 * the kv clients (recording a history), injects its fault after {@code before}, heals it after
 * {@code during}, lets the clients go on for {@code after}, then waits for the replicas to converge
 * and judges the history. Results go to {@link CampaignDir}; the report is {@link FaultReport}'s.
 */
public final class CampaignRunner {
    /** How long clients get after their load to finish final reads and exit. */
    static final Duration CLIENT_GRACE = Duration.ofSeconds(60);
    /** How long the replicas get to agree on view, commit and state after a run (a restarted replica fetches the log). */
    static final Duration CONVERGE_LIMIT = Duration.ofSeconds(60);
    /** How long the clients get to commit their first operations. */
    static final Duration PROGRESS_LIMIT = Duration.ofSeconds(30);
    static final Duration BUCKET = Duration.ofMillis(100);
    private static final int WARMUP_VALUE_BYTES = 16;
    private static final Duration POLL = Duration.ofMillis(50);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Locations paths;
    private final String labName;
    private final Campaign campaign;
    private final CampaignDir results;
    private final Progress progress;
    private volatile boolean stopRequested;

    /** {@code progress} shows the runs (experiment run's bar with its ETA), and notes such as a lab's warmup. */
    public CampaignRunner(Locations paths, String labName, Campaign campaign, CampaignDir results, Progress progress) {
        this.paths = paths;
        this.labName = labName;
        this.campaign = campaign;
        this.results = results;
        this.progress = progress;
    }

    /** Ctrl-C: the current run finishes, the lab goes down, the rest is not run. */
    public void requestStop() {
        stopRequested = true;
    }

    /** Every run's result in plan order; runs not reached after a stop are missing. */
    public List<FaultRun> run(Map<String, Object> environment) throws IOException {
        List<Campaign.Run> plan = campaign.plan();
        List<FaultRun> done = new ArrayList<>();
        Map<String, Object> labs = new LinkedHashMap<>();
        environment.put("labs", labs);
        int index = 0;
        while (index < plan.size() && !stopRequested) {
            Campaign.Run first = plan.get(index);
            List<Campaign.Run> group = new ArrayList<>();
            while (index < plan.size() && plan.get(index).size() == first.size() && plan.get(index).offloads().equals(first.offloads())) {
                group.add(plan.get(index++));
            }
            String key = RunId.cluster(first.size(), first.offloads());
            NetnsCluster cluster = new NetnsCluster(paths, labName);
            try {
                labs.put(key, cluster.up(scenario(first.size(), first.offloads()), results.logs().resolve(key)));
                if (!campaign.warmup().isZero()) {
                    progress.note("warming up lab " + key + " with " + campaign.warmup().toSeconds() + " s of kv load");
                    cluster.lab().runClient(new ClientLoad(campaign.clients(), Duration.ZERO, campaign.warmup(), WARMUP_VALUE_BYTES),
                            results.logs().resolve(key).resolve("warmup.json"));
                }
                runGroup(cluster.lab(), group, done);
            } catch (ClusterException | LabException e) {
                String why = "lab " + key + " failed: " + e.getMessage();
                for (Campaign.Run run : group) {
                    if (done.stream().noneMatch(r -> r.id().equals(run.id()))) record(done, FaultRun.failed(run, "", why));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopRequested = true;
            } finally {
                try {
                    cluster.down();
                } catch (ClusterException e) {
                    progress.note("electrolab experiment faults: " + e.getMessage());
                }
            }
            JSON.writeValue(results.environment().toFile(), environment);
        }
        return done;
    }

    private Scenario scenario(int size, OffloadSet offloads) {
        return new Scenario("faults-n" + size, size, offloads.offloads(), "kv", campaign.clusterId(), campaign.port(),
                new ClientLoad(campaign.clients(), Duration.ZERO, campaign.load(), 0));
    }

    private void runGroup(Lab lab, List<Campaign.Run> group, List<FaultRun> done) throws IOException, InterruptedException {
        FaultInjector injector = new FaultInjector(lab, LinkFaults.of(lab));
        for (Campaign.Run run : group) {
            if (stopRequested) return;
            progress.started(run.id());
            FaultRun result;
            try {
                result = runOne(lab, injector, run);
            } catch (LabException | IOException e) {
                result = FaultRun.failed(run, "", String.valueOf(e.getMessage()));
            } finally {
                heal(injector);
            }
            record(done, result);
        }
    }

    private void heal(FaultInjector injector) {
        try {
            injector.heal();
            injector.restartDead();
        } catch (RuntimeException e) {
            progress.note("electrolab experiment faults: healing failed: " + e.getMessage());
        }
    }

    private void record(List<FaultRun> done, FaultRun result) throws IOException {
        done.add(result);
        JSON.writeValue(results.runJson(result.id()).toFile(), result);
        progress.finished(FaultReport.line(result), !result.correct(), true);
    }

    private FaultRun runOne(Lab lab, FaultInjector injector, Campaign.Run run) throws IOException, InterruptedException {
        if (awaitConverged(lab) < 0) return FaultRun.failed(run, "", "replicas did not agree on a view before the run: " + positions(lab));
        long viewBefore = view(lab);
        Path history = results.history(run.id());
        List<String> args = List.of("--history", history.toAbsolutePath().toString(),
                "--clients", Integer.toString(campaign.clients()),
                "--warmup", "0s",
                "--duration", ClientLoad.argument(campaign.load()));
        Process client = lab.startClient(args, results.clientLog(run.id()));
        FaultInjector.Injected injected = null;
        Map<String, Map<String, Long>> links;
        long faultNanos;
        long healNanos;
        try {
            if (!awaitProgress(lab, injector, client)) {
                return FaultRun.failed(run, "", "the clients committed nothing within " + PROGRESS_LIMIT.toSeconds() + " s; see "
                        + results.clientLog(run.id()));
            }
            // The run's client is a new JVM: its first seconds are slower, and would make the reference a ramp.
            Thread.sleep(campaign.settle().plus(campaign.before()).toMillis());
            faultNanos = System.nanoTime();
            long injectedAtMillis = System.currentTimeMillis();
            injected = injector.inject(run.fault());
            FaultWindow window = FaultWindow.injected(run.fault().label, injected.what(), injectedAtMillis);
            showOnLivePage(lab, window);
            Thread.sleep(campaign.during().toMillis());
            healNanos = System.nanoTime();
            links = injector.linkCounters();
            injector.heal();
            showOnLivePage(lab, window.healed(System.currentTimeMillis()));
            long limit = campaign.load().plus(CLIENT_GRACE).toMillis();
            if (!client.waitFor(limit, TimeUnit.MILLISECONDS)) {
                return FaultRun.failed(run, injected.what(), "the clients did not finish within " + limit / 1000 + " s; see "
                        + results.clientLog(run.id()));
            }
            // A history with a violation is judged below like any other; the client says so in its exit code too.
            if (client.exitValue() != 0 && client.exitValue() != ClientCommand.EXIT_VIOLATION) {
                return FaultRun.failed(run, injected.what(), "the client exited with code " + client.exitValue() + "; see "
                        + results.clientLog(run.id()));
            }
        } finally {
            if (client.isAlive()) Processes.stop(List.of(client.toHandle()));
        }
        // Healing restarted what the fault killed: a replica not running now died on its own.
        List<String> crashed = lab.network().replicas().stream().filter(h -> lab.replicaProcess(h).isEmpty()).map(Host::name).toList();
        long converged = crashed.isEmpty() ? awaitConverged(lab) : -1;
        return judge(run, injected, HistoryFile.read(history), faultNanos, healNanos, campaign.before(), converged, commit(lab),
                viewBefore, view(lab), links, crashed);
    }

    /** The fault window in the lab's state directory, for `lab watch` to shade; a page is no reason to fail a run. */
    private void showOnLivePage(Lab lab, FaultWindow window) {
        try {
            window.write(lab.state().dir());
        } catch (IOException e) {
            progress.note("electrolab experiment faults: cannot write the fault window for the live page: " + e.getMessage());
        }
    }

    /** Waits until the leader's commit moves: the clients are running. False when they never do, or the client died. */
    private boolean awaitProgress(Lab lab, FaultInjector injector, Process client) throws InterruptedException {
        Host leader = injector.leader();
        long start = lab.replicaView(leader).map(ReplicaView::commit).orElse(0L);
        long deadline = System.nanoTime() + PROGRESS_LIMIT.toNanos();
        while (System.nanoTime() < deadline && client.isAlive()) {
            if (lab.replicaView(leader).map(ReplicaView::commit).orElse(0L) > start) return true;
            Thread.sleep(POLL.toMillis());
        }
        return false;
    }

    /**
     * Waits until every replica runs and is NORMAL in one view with one commit number and one state
     * digest; returns how long that took in ms, or -1 after {@link #CONVERGE_LIMIT}.
     */
    static long awaitConverged(Lab lab) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + CONVERGE_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (converged(lab)) return (System.nanoTime() - start) / 1_000_000;
            Thread.sleep(POLL.toMillis());
        }
        return -1;
    }

    private static boolean converged(Lab lab) {
        Set<String> positions = new LinkedHashSet<>();
        for (Host host : lab.network().replicas()) {
            if (lab.replicaProcess(host).isEmpty()) return false;
            Optional<ReplicaView> view = lab.replicaView(host);
            if (view.isEmpty() || !view.get().isNormal()) return false;
            positions.add(view.get().view() + "/" + view.get().commit() + "/" + view.get().stateDigest());
        }
        return positions.size() == 1;
    }

    private static String positions(Lab lab) {
        List<String> each = new ArrayList<>();
        for (Host host : lab.network().replicas()) {
            each.add(host.name() + " " + lab.replicaView(host).map(v -> v.status() + " view " + v.view() + " commit " + v.commit())
                    .orElse("no stats") + (lab.replicaProcess(host).isEmpty() ? " (not running)" : ""));
        }
        return String.join("; ", each);
    }

    /** The highest view any replica's stats file names. */
    private static long view(Lab lab) {
        return lab.network().replicas().stream().map(lab::replicaView).flatMap(Optional::stream)
                .mapToLong(ReplicaView::view).max().orElse(0);
    }

    private static long commit(Lab lab) {
        return lab.network().replicas().stream().map(lab::replicaView).flatMap(Optional::stream)
                .mapToLong(ReplicaView::commit).max().orElse(0);
    }

    static FaultRun judge(Campaign.Run run, FaultInjector.Injected injected, History history, long faultNanos, long healNanos,
                          Duration before, long convergedMillis, long commit, long viewBefore, long viewAfter,
                          Map<String, Map<String, Long>> links, List<String> crashed) {
        long ops = 0, ok = 0, fail = 0, unknown = 0;
        long first = Long.MAX_VALUE;
        long lastInvoke = Long.MIN_VALUE;
        for (Op op : history.ops()) {
            if (op.finalRead) continue;
            ops++;
            if (op.outcome() == Outcome.OK) ok++;
            else if (op.outcome() == Outcome.FAIL) fail++;
            else unknown++;
            first = Math.min(first, op.invokeNanos);
            lastInvoke = Math.max(lastInvoke, op.invokeNanos);
        }
        if (ops == 0) return FaultRun.failed(run, injected.what(), "the history holds no operation");
        LinearizabilityChecker.Result linearizable = new LinearizabilityChecker().check(history);
        LostWrites.Result lost = LostWrites.check(history);
        long end = Math.max(lastInvoke, faultNanos);
        double unavailable = Availability.unavailableNanos(history, faultNanos, end) / 1e6;
        List<Long> timeline = new ArrayList<>();
        for (long count : Availability.timeline(history, BUCKET.toNanos())) timeline.add(count);
        double faultAt = (faultNanos - first) / 1e9, healAt = (healNanos - first) / 1e9, bucket = BUCKET.toMillis() / 1000.0;
        double beforeSeconds = before.toMillis() / 1000.0;
        // The campaign's client gives up on a call after the kv client's default, as ClientCommand does.
        Goodput goodput = Goodput.of(timeline, bucket, faultAt, healAt, beforeSeconds,
                Goodput.p99Millis(history, faultNanos, healNanos, KvClient.Options.defaults().giveUpAfter().toNanos()));
        return new FaultRun(run.id(), run.size(), run.offloads().label(), run.fault().label, run.repeat(), FaultRun.OK, "",
                injected.what(), ops, ok, fail, unknown, linearizable.ok(), linearizable.ok() ? "" : linearizable.explanation(),
                lost.lost().size(), lost.unverified().size(), Math.round(unavailable * 10) / 10.0, convergedMillis, commit,
                viewBefore, viewAfter, faultAt, healAt, bucket, beforeSeconds, timeline, goodput, links, crashed);
    }
}

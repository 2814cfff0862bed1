package org.electrolab.lab;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.vertx.core.Vertx;
import org.electrolab.client.ClosedLoop;
import org.electrolab.client.ClusterEndpoints;
import org.electrolab.client.KvClient;
import org.electrolab.client.RunReport;
import org.electrolab.client.RunResult;
import org.electrolab.client.Workload;
import org.electrolab.client.history.CheckedWorkload;
import org.electrolab.client.history.History;
import org.electrolab.client.history.HistoryFile;
import org.electrolab.client.history.LinearizabilityChecker;
import org.electrolab.client.history.LostWrites;
import org.electrolab.lab.cli.InvokingUser;
import org.electrolab.lab.cli.UserError;
import org.electrolab.protocol.Wire;
import org.electrolab.protocol.config.ClusterConfig;
import org.electrolab.protocol.config.ConfigException;
import org.electrolab.protocol.config.OffloadChoice;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code electrolab client}: closed-loop load against a cluster, results in run.json and a table;
 * with {@code --history}, the recorded kv workload of {@link CheckedWorkload} instead, its history
 * written and judged. Exit 0 after a run, 1 when no replica ever answered (one line on stderr), 2 for
 * a user error, {@link #EXIT_VIOLATION} when the history is not linearizable or lost an acknowledged write.
 */
@Command(name = "client", mixinStandardHelpOptions = true,
        description = "Run closed-loop clients against the cluster in --config; write run.json and print a table, "
                + "or with --history record a checked kv workload and judge it.")
public final class ClientCommand implements Callable<Integer> {

    static final int EXIT_NO_ANSWER = 1;
    /** The recorded history shows a violation or a lost write; it was written and judged all the same. */
    public static final int EXIT_VIOLATION = 4;

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "cluster.yaml")
    Path config;

    @Option(names = "--clients", defaultValue = "8", description = "closed-loop clients (default ${DEFAULT-VALUE})")
    int clients;

    @Option(names = "--warmup", defaultValue = "5s", paramLabel = "DURATION",
            description = "time not measured, e.g. 500ms, 5s, 1m (default ${DEFAULT-VALUE})")
    String warmup;

    @Option(names = "--duration", defaultValue = "30s", paramLabel = "DURATION",
            description = "measured time after the warmup (default ${DEFAULT-VALUE})")
    String duration;

    @Option(names = "--timeout", defaultValue = "200ms", paramLabel = "DURATION",
            description = "the longest wait before a request is sent again, to every member; the wait adapts to the "
                    + "round trip measured, from 1 ms up to this (default ${DEFAULT-VALUE})")
    String timeout;

    @Option(names = "--out", defaultValue = "run.json", paramLabel = "FILE", description = "results (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--payload-bytes", defaultValue = "64", paramLabel = "N",
            description = "null app: request payload; kv: value size (default ${DEFAULT-VALUE})")
    int payloadBytes;

    @Option(names = "--keys", defaultValue = "1000", paramLabel = "N", description = "kv: keys to spread over (default ${DEFAULT-VALUE})")
    int keys;

    @Option(names = "--read-ratio", defaultValue = "0.5", paramLabel = "R",
            description = "kv: fraction of requests that are gets (default ${DEFAULT-VALUE})")
    double readRatio;

    @Option(names = "--bind", defaultValue = "0.0.0.0", paramLabel = "ADDRESS",
            description = "local address of the client socket (default ${DEFAULT-VALUE}: any)")
    String bind;

    @Option(names = "--offloads-label", paramLabel = "OFFLOADS",
            description = "what the replicas run (none, all, or a comma list), recorded in run.json; the client cannot see it")
    String offloadsLabel;

    @Option(names = "--history", paramLabel = "FILE",
            description = "kv: run the checked workload for --warmup + --duration instead, write every operation to FILE "
                    + "(JSON lines), and print whether it is linearizable and lost no acknowledged write; --out is not written")
    Path history;

    @Option(names = "--quiet", description = "no progress line each second (the interval log and stats file are still written)")
    boolean quiet;

    @Option(names = "--stats-file", paramLabel = "FILE",
            description = "rewrite this JSON file each second with the last interval's figures, for `lab watch` "
                    + "(default: client.stats.json beside --config when that is a lab's cluster.yaml)")
    Path statsFile;

    @Option(names = "--keys-active", defaultValue = "8", paramLabel = "N",
            description = "with --history: keys in use at a time (default ${DEFAULT-VALUE})")
    int keysActive;

    @Option(names = "--ops-per-key", defaultValue = "200", paramLabel = "N",
            description = "with --history: operations on a key before it is retired for a fresh one (default ${DEFAULT-VALUE})")
    int opsPerKey;

    /** How long a checked-workload call is retried before it is recorded UNKNOWN, unless --timeout is longer. */
    static final Duration GIVE_UP_AFTER = KvClient.Options.defaults().giveUpAfter();

    /** Final reads of one key until one is answered, and of all keys until this long: then they are unverified. */
    static final int FINAL_READ_ATTEMPTS = 5;
    static final Duration FINAL_READS_WITHIN = Duration.ofSeconds(30);

    /** Lost writes printed one by one; the count is always printed. */
    private static final int LOST_WRITES_SHOWN = 10;

    /** A {@link UserError} or {@link ConfigException} is one line on stderr and exit 2 ({@link Main}). */
    @Override
    public Integer call() throws ConfigException {
        Duration warmupTime = duration("--warmup", warmup, true);
        Duration measuredTime = duration("--duration", duration, false);
        Duration requestTimeout = duration("--timeout", timeout, false);
        if (clients < 1) throw new UserError("--clients " + clients + ": run at least 1 client");
        if (payloadBytes < 0 || payloadBytes > Wire.PAYLOAD_SIZE_MAX - 64) {
            throw new UserError("--payload-bytes " + payloadBytes + ": use 0.." + (Wire.PAYLOAD_SIZE_MAX - 64));
        }
        if (keys < 1) throw new UserError("--keys " + keys + ": use at least 1 key");
        if (!(readRatio >= 0 && readRatio <= 1)) throw new UserError("--read-ratio " + readRatio + ": use a fraction in 0..1");
        List<String> offloads = offloadsLabel == null ? List.of("unknown")
                : Arrays.asList(OffloadChoice.parse(offloadsLabel, false).names().split(","));
        ClusterConfig cluster = ClusterConfig.load(config);
        if (history != null) return checkedWorkload(cluster, warmupTime.plus(measuredTime), requestTimeout);
        checkWritable("--out", out);

        ClusterEndpoints endpoints = ClusterEndpoints.of((int) cluster.clusterId(),
                cluster.members().stream().map(a -> a.getHostAddress()).toList(), cluster.port());
        Workload workload = Workload.forApp(cluster.app(), payloadBytes, keys, readRatio, ThreadLocalRandom.current().nextLong());
        ClosedLoop.Spec load = new ClosedLoop.Spec(endpoints, clients, warmupTime, measuredTime, requestTimeout, bind, workload);
        String startedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();

        RunResult result = runLoad(load);
        if (result.answeredIncludingWarmup() == 0) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("electrolab client: no replica answered: sent to leader " + result.leader() + " (view "
                    + result.view() + ") and retried to all " + endpoints.size() + " members for "
                    + (warmupTime.plus(measuredTime).toMillis() / 1000.0) + "s; are the replicas of " + config
                    + " running (cluster-id " + cluster.clusterId() + ")?");
            err.flush();
            deleteIntervalLog(out);
            return EXIT_NO_ANSWER;
        }
        RunReport.Config summary = new RunReport.Config(config.toString(), (int) cluster.clusterId(), cluster.f(),
                cluster.app(), cluster.port(), cluster.members().stream().map(a -> a.getHostAddress()).toList());
        RunReport report = RunReport.of(result, load, summary, offloads, startedAt);
        try {
            report.write(out);
            InvokingUser.handOver(out);
            InvokingUser.handOver(ClientIntervals.intervalLogFor(out));
        } catch (IOException e) {
            throw new UserError("--out " + out + ": cannot write: " + e.getMessage() + "; choose a writable path");
        }
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.print(report.table());
        stdout.println("wrote " + out + " and " + ClientIntervals.intervalLogFor(out));
        stdout.flush();
        return 0;
    }

    private int checkedWorkload(ClusterConfig cluster, Duration runTime, Duration requestTimeout) {
        if (!cluster.app().equals("kv")) {
            throw new UserError("--history needs the kv app, but " + config + " runs app " + cluster.app() + "; set app: kv");
        }
        if (keysActive < 1) throw new UserError("--keys-active " + keysActive + ": use at least 1 key");
        if (opsPerKey < 1) throw new UserError("--ops-per-key " + opsPerKey + ": use at least 1");
        checkWritable("--history", history);
        ClusterEndpoints endpoints = ClusterEndpoints.of((int) cluster.clusterId(),
                cluster.members().stream().map(a -> a.getHostAddress()).toList(), cluster.port());
        KvClient.Options options = new KvClient.Options(requestTimeout,
                requestTimeout.compareTo(GIVE_UP_AFTER) > 0 ? requestTimeout : GIVE_UP_AFTER);
        CheckedWorkload.Spec workload = new CheckedWorkload.Spec(endpoints, bind, clients, runTime, options, keysActive, opsPerKey,
                CheckedWorkload.Mix.defaults(), FINAL_READ_ATTEMPTS, FINAL_READS_WITHIN, ThreadLocalRandom.current().nextLong());

        History recorded;
        Vertx vertx = Vertx.vertx();
        try (ClientIntervals intervals = intervals(history, true)) {
            recorded = CheckedWorkload.run(vertx, workload, intervals).join();
        } catch (CompletionException e) {
            throw new UserError("--bind " + bind + ": cannot open the client socket: " + e.getCause().getMessage()
                    + "; use an address of this host or 0.0.0.0");
        } finally {
            vertx.close().await();
        }
        try {
            HistoryFile.write(history, recorded);
            InvokingUser.handOver(history);
            InvokingUser.handOver(ClientIntervals.intervalLogFor(history));
        } catch (IOException e) {
            throw new UserError("--history " + history + ": cannot write: " + e.getMessage() + "; choose a writable path");
        }

        long ok = 0, fail = 0, unknown = 0, finalReads = 0;
        for (History.Op op : recorded.ops()) {
            if (op.finalRead) finalReads++;
            switch (op.outcome()) {
                case OK -> ok++;
                case FAIL -> fail++;
                case UNKNOWN -> unknown++;
            }
        }
        PrintWriter stdout = spec.commandLine().getOut();
        if (ok + fail == 0) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("electrolab client: no replica answered in " + (runTime.toMillis() / 1000.0) + "s; are the replicas of "
                    + config + " running (cluster-id " + cluster.clusterId() + ")? history written to " + history);
            err.flush();
            return EXIT_NO_ANSWER;
        }
        LinearizabilityChecker.Result linearizable = new LinearizabilityChecker().check(recorded);
        LostWrites.Result lost = LostWrites.check(recorded);
        stdout.println("operations: " + recorded.ops().size() + " (" + finalReads + " final reads): ok " + ok + ", fail " + fail
                + ", unknown " + unknown);
        if (linearizable.ok()) stdout.println("linearizable: yes");
        else stdout.println("VIOLATION: linearizable: NO: " + linearizable.explanation());
        if (lost.ok()) stdout.println("lost acknowledged writes: 0");
        else stdout.println("VIOLATION: lost acknowledged writes: " + lost.lost().size());
        lost.lost().stream().limit(LOST_WRITES_SHOWN).forEach(loss -> stdout.println("  " + loss));
        if (lost.lost().size() > LOST_WRITES_SHOWN) stdout.println("  ... " + (lost.lost().size() - LOST_WRITES_SHOWN) + " more");
        stdout.println("unverified acknowledged writes (no final read answered): " + lost.unverified().size());
        stdout.println("wrote " + history + " and " + ClientIntervals.intervalLogFor(history));
        stdout.flush();
        return linearizable.ok() && lost.ok() ? 0 : EXIT_VIOLATION;
    }

    /** A run nobody answered leaves no results, not even the interval log of its silence. */
    private static void deleteIntervalLog(Path results) {
        try {
            Files.deleteIfExists(ClientIntervals.intervalLogFor(results));
        } catch (IOException e) {
            // Nothing measured is lost; the empty log stays.
        }
    }

    private RunResult runLoad(ClosedLoop.Spec load) {
        Vertx vertx = Vertx.vertx();
        try (ClientIntervals intervals = intervals(out, false)) {
            return ClosedLoop.run(vertx, load, intervals).await();
        } catch (UserError e) {
            throw e;
        } catch (Exception e) {
            throw new UserError("--bind " + bind + ": cannot open the client socket: " + e.getMessage()
                    + "; use an address of this host or 0.0.0.0");
        } finally {
            vertx.close().await();
        }
    }

    /** Progress lines, the interval log beside {@code results} and the stats file, for one run. */
    private ClientIntervals intervals(Path results, boolean checked) {
        Path stats = statsFile != null ? statsFile : ClientIntervals.defaultStatsFile(config);
        if (statsFile != null) checkWritable("--stats-file", statsFile);
        return new ClientIntervals(spec.commandLine().getOut(), quiet, checked, clients, ClientIntervals.intervalLogFor(results), stats);
    }

    private static void checkWritable(String option, Path out) {
        Path parent = out.toAbsolutePath().getParent();
        try {
            if (parent != null) InvokingUser.createDirectories(parent);
        } catch (IOException e) {
            throw new UserError(option + " " + out + ": cannot create its directory (" + e.getMessage() + "); choose a writable path");
        }
        if (Files.isDirectory(out)) {
            String example = switch (option) {
                case "--out" -> "run.json";
                case "--history" -> "history.jsonl";
                default -> "client.stats.json";
            };
            throw new UserError(option + " " + out + ": is a directory; name a file, e.g. " + out.resolve(example));
        }
        if (parent != null && !Files.isWritable(parent)) throw new UserError(option + " " + out + ": directory not writable; choose a writable path");
    }

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

    /** Parses {@code 500ms}, {@code 5s}, {@code 1m}, {@code 1h}. */
    static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.strip());
        if (!m.matches()) return null;
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    private static Duration duration(String option, String text, boolean zeroAllowed) {
        Duration d = parseDuration(text);
        if (d == null) throw new UserError(option + " '" + text + "' is not a duration; write a whole number and a unit, e.g. 500ms, 5s or 1m");
        if (!zeroAllowed && d.toMillis() < 1) throw new UserError(option + " " + text + ": must be at least 1ms");
        return d;
    }
}

package org.electrolab.lab;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;

import org.electrolab.lab.cli.StatsFile;
import org.electrolab.lab.cli.UserError;
import org.electrolab.protocol.config.ClusterConfig;
import org.electrolab.protocol.config.ConfigException;
import org.electrolab.protocol.config.OffloadChoice;
import org.electrolab.replica.app.App;
import org.electrolab.replica.core.Options;
import org.electrolab.replica.core.Replica;
import org.electrolab.replica.offload.BpfException;
import org.electrolab.replica.offload.EbpfPath;
import org.electrolab.replica.offload.VerifierRefusal;
import org.electrolab.replica.transport.PacketPath;
import org.electrolab.replica.transport.ReplicaStats;
import org.electrolab.replica.transport.UdpReplica;
import org.electrolab.replica.transport.UserSpacePath;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code electrolab replica}: runs member {@code --id} of the cluster in {@code --config} until
 * SIGTERM or SIGINT, then prints a one-line counter summary. Exit 2 for a user error (one line on
 * stderr), 1 when the replica stopped itself because its core failed.
 */
@Command(name = "replica", mixinStandardHelpOptions = true,
        description = "Run one replica of the cluster in --config until SIGTERM/SIGINT; print its counters on exit.")
public final class ReplicaCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(ReplicaCommand.class);
    /** Four times a second: the live page shows a new leader within a second of the view change (docs/lab.md). */
    public static final long STATS_INTERVAL_MILLIS = 250;
    /**
     * Binding takes milliseconds; a starved machine (many JVMs starting on 2 cores, an emulated guest
     * of the kernel check) can take minutes. The lab's own readiness limit bounds a normal start.
     */
    private static final long DEPLOY_WAIT_SECONDS = 300;
    private static final long SHUTDOWN_WAIT_SECONDS = 3;

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "cluster.yaml")
    Path config;

    @Option(names = "--id", required = true, paramLabel = "N", description = "this replica's index in members, 0..2f")
    int id;

    @Option(names = "--offload", defaultValue = "none", paramLabel = "OFFLOADS",
            description = "none, all, or a comma list of tc-broadcast, fast-reply, quorum-prune (default ${DEFAULT-VALUE})")
    String offload;

    @Option(names = "--offload-required", description = "exit instead of running in user space when an offload cannot be loaded")
    boolean offloadRequired;

    @Option(names = "--stats-file", paramLabel = "FILE",
            description = "rewrite this JSON file four times a second with the replica's position and counters")
    Path statsFile;

    @Override
    public Integer call() throws ConfigException, InterruptedException {
        ClusterConfig cluster = ClusterConfig.load(config);
        if (id < 0 || id >= cluster.memberCount()) {
            throw new UserError("--id " + id + " is out of range: " + config + " has " + cluster.memberCount()
                    + " members, so use 0.." + (cluster.memberCount() - 1));
        }
        OffloadChoice offloads = OffloadChoice.parse(offload, offloadRequired);
        StatsFile stats = statsFile == null ? null : new StatsFile(statsFile);
        if (stats != null) stats.checkWritable();
        PacketPath path = openPath(cluster, offloads);

        Options options = Options.defaults();
        long seed = new SecureRandom().nextLong();
        Replica core = new Replica(id, cluster.memberCount(), App.named(cluster.app()), options, seed);
        UdpReplica replica = new UdpReplica(cluster, core, path, options.clientTableMax());
        log.debug("replica {}: core seed {}", id, seed);

        Vertx vertx = Vertx.vertx();
        try {
            vertx.deployVerticle(replica).await(DEPLOY_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            vertx.close();
            throw new UserError("replica " + id + ": did not start within " + DEPLOY_WAIT_SECONDS
                    + " s (is the machine overloaded?); try again");
        } catch (Exception e) {
            vertx.close();
            throw bindError(cluster, e);
        }
        String loaded = path instanceof EbpfPath ? offloads.names() : "none";
        Running running = new Running(vertx, replica, stats, offloads, loaded);
        Runtime.getRuntime().addShutdownHook(new Thread(running::shutdown, "electrolab-replica-shutdown"));
        running.writeStatsEverySecond();

        try {
            replica.halted().await();
            return 0;
        } catch (RuntimeException e) {
            // UdpReplica logged the cause; the shutdown hook prints the counters.
            return 1;
        }
    }

    /**
     * The packet path for the asked offloads: the eBPF programs attached to the interface of this
     * replica's member address, or, when they cannot be loaded, one line saying why and plain VR in
     * user space (unless --offload-required).
     */
    private PacketPath openPath(ClusterConfig cluster, OffloadChoice offloads) {
        if (offloads.isNone()) return new UserSpacePath();
        try {
            EbpfPath path = EbpfPath.open(cluster, id, offloads.requested());
            log.info("replica {}: offloads {} attached: {}", id, offloads.names(), path.attachModes());
            return path;
        } catch (BpfException | LinkageError e) {
            String line = "offload: " + offloads.names() + " not loaded: " + oneLine(e);
            if (e instanceof VerifierRefusal refusal) line += verifierLogNote(refusal);
            if (offloads.required()) throw new UserError(line + "; not starting because of --offload-required");
            PrintWriter err = spec.commandLine().getErr();
            err.println(line + "; running plain VR in user space");
            err.flush();
            return new UserSpacePath();
        }
    }

    /** Where the whole verifier log went: next to the stats file, else in the temporary directory. */
    private String verifierLogNote(VerifierRefusal refusal) {
        String file = "electrolab-r" + id + "-verifier-" + refusal.program() + ".log";
        Path target = statsFile != null && statsFile.toAbsolutePath().getParent() != null
                ? statsFile.toAbsolutePath().getParent().resolve(file)
                : Path.of(System.getProperty("java.io.tmpdir"), file);
        try {
            return "; the whole verifier log is in " + refusal.writeLog(target);
        } catch (IOException e) {
            return "";
        }
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof LinkageError) message = "libbpf.so.1 cannot be used (" + message + "); apt-get install libbpf1";
        return message.lines().findFirst().orElse(message);
    }

    private UserError bindError(ClusterConfig cluster, Exception failure) {
        InetSocketAddress address = cluster.member(id);
        String where = "replica " + id + ": cannot bind " + address.getAddress().getHostAddress() + ":" + address.getPort();
        Throwable cause = failure;
        while (cause != null && !(cause instanceof BindException) && cause.getCause() != null) cause = cause.getCause();
        String reason = String.valueOf(cause == null ? failure.getMessage() : cause.getMessage());
        if (reason.contains("Cannot assign requested address")) {
            return new UserError(where + ": this host has no such address; members[" + id + "] of " + config
                    + " must be one of this host's addresses (ip -brief addr), or run the replica whose address it is");
        }
        if (reason.contains("Address already in use")) {
            return new UserError(where + ": address already in use; is replica " + id
                    + " already running here? (ss -ulpn sport = :" + address.getPort() + ")");
        }
        if (reason.contains("Permission denied")) {
            return new UserError(where + ": permission denied; use a port >= 1024 in " + config + " or run as root");
        }
        return new UserError(where + ": " + reason.lines().findFirst().orElse("unknown error"));
    }

    /** A deployed replica: its stats timer and what runs at exit. */
    private record Running(Vertx vertx, UdpReplica replica, StatsFile stats, OffloadChoice offloads, String loadedOffloads) {

        void writeStatsEverySecond() {
            if (stats == null) return;
            writeStats();
            vertx.setPeriodic(STATS_INTERVAL_MILLIS, id -> writeStats());
        }

        private void writeStats() {
            replica.stats().compose(s -> vertx.<Void>executeBlocking(() -> {
                stats.write(s, offloads, loadedOffloads);
                return null;
            })).onFailure(e -> log.warn("cannot write stats file {}: {}", stats.path(), e.toString()));
        }

        /** On SIGTERM/SIGINT or exit: the summary line on stdout, the final stats file, then Vert.x closed. */
        void shutdown() {
            try {
                ReplicaStats last = replica.stats().await(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS);
                System.out.println(last.summaryLine());
                System.out.flush();
                if (stats != null) {
                    try {
                        stats.finish(last, offloads, loadedOffloads);
                    } catch (IOException e) {
                        log.warn("cannot write stats file {}: {}", stats.path(), e.toString());
                    }
                }
            } catch (Exception e) {
                log.warn("no counters at exit: the event loop did not answer within {} s", SHUTDOWN_WAIT_SECONDS);
            }
            try {
                vertx.close().await(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.warn("Vert.x did not close within {} s", SHUTDOWN_WAIT_SECONDS);
            }
        }
    }
}

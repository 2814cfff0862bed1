package org.electrolab.replica.node;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.vertx.core.Vertx;

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

/**
 * The replica process (docs/architecture.md, "Process model"): member {@code id} of the cluster in
 * a config file, with the packet path its offloads ask for, on Vert.x, until the process ends. What
 * {@code electrolab replica} runs once its flags are parsed; one per JVM, because it installs the
 * shutdown hook that prints the counter summary and writes the last stats file.
 */
public final class ReplicaNode {

    private static final Logger log = LoggerFactory.getLogger(ReplicaNode.class);
    /** Four times a second: the live page shows a new leader within a second of the view change (docs/lab.md). */
    public static final long STATS_INTERVAL_MILLIS = 250;
    /**
     * Binding takes milliseconds; a starved machine (many JVMs starting on 2 cores, an emulated guest
     * of the kernel check) can take minutes. The lab's own readiness limit bounds a normal start.
     */
    private static final long DEPLOY_WAIT_SECONDS = 300;
    private static final long SHUTDOWN_WAIT_SECONDS = 3;

    private final UdpReplica replica;

    private ReplicaNode(UdpReplica replica) {
        this.replica = replica;
    }

    /**
     * Loads {@code config} and starts member {@code id} of it: the packet path for {@code offloads}
     * (or, when they cannot be loaded, one line on {@code err} and user space), the replica deployed
     * on Vert.x, the stats file (when {@code statsFile} is not null) rewritten every {@link
     * #STATS_INTERVAL_MILLIS} and a last time at exit.
     *
     * @throws ConfigException when the config file is missing or invalid
     * @throws StartException for anything else the user can fix, in one line
     */
    public static ReplicaNode start(Path config, int id, OffloadChoice offloads, Path statsFile, PrintWriter err)
            throws ConfigException {
        ClusterConfig cluster = ClusterConfig.load(config);
        if (id < 0 || id >= cluster.memberCount()) {
            throw new StartException("--id " + id + " is out of range: " + config + " has " + cluster.memberCount()
                    + " members, so use 0.." + (cluster.memberCount() - 1));
        }
        StatsFile stats = statsFile == null ? null : new StatsFile(statsFile);
        if (stats != null) stats.checkWritable();
        PacketPath path = openPath(cluster, id, offloads, statsFile, err);

        Options options = Options.defaults();
        long seed = new SecureRandom().nextLong();
        Replica core = new Replica(id, cluster.memberCount(), App.named(cluster.app()), options, seed);
        UdpReplica replica = new UdpReplica(cluster, core, path, options.clientTableMax());
        log.debug("replica {}: core seed {}", id, seed);

        Vertx vertx = Vertx.vertx();
        try {
            vertx.deployVerticle(replica).await(DEPLOY_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            vertx.close();
            throw new StartException("replica " + id + ": did not start within " + DEPLOY_WAIT_SECONDS
                    + " s (is the machine overloaded?); try again");
        } catch (Exception e) {
            vertx.close();
            throw bindError(cluster, config, id, e);
        }
        String loaded = path instanceof EbpfPath ? offloads.names() : "none";
        Running running = new Running(vertx, replica, stats, offloads, loaded);
        Runtime.getRuntime().addShutdownHook(new Thread(running::shutdown, "electrolab-replica-shutdown"));
        running.writeStatsPeriodically();
        return new ReplicaNode(replica);
    }

    /**
     * Blocks until the replica stops itself: 1 when its core failed (UdpReplica logged the cause).
     * A replica that nothing stops runs until SIGTERM or SIGINT end the process.
     */
    public int awaitHalt() {
        try {
            replica.halted().await();
            return 0;
        } catch (RuntimeException e) {
            // The shutdown hook prints the counters.
            return 1;
        }
    }

    /**
     * The packet path for the asked offloads: the eBPF programs attached to the interface of this
     * replica's member address, or, when they cannot be loaded, one line saying why and plain VR in
     * user space (unless --offload-required).
     */
    private static PacketPath openPath(ClusterConfig cluster, int id, OffloadChoice offloads, Path statsFile, PrintWriter err) {
        if (offloads.isNone()) return new UserSpacePath();
        try {
            EbpfPath path = EbpfPath.open(cluster, id, offloads.requested());
            log.info("replica {}: offloads {} attached: {}", id, offloads.names(), path.attachModes());
            return path;
        } catch (BpfException | LinkageError e) {
            String line = "offload: " + offloads.names() + " not loaded: " + oneLine(e);
            if (e instanceof VerifierRefusal refusal) line += verifierLogNote(refusal, id, statsFile);
            if (offloads.required()) throw new StartException(line + "; not starting because of --offload-required");
            err.println(line + "; running plain VR in user space");
            err.flush();
            return new UserSpacePath();
        }
    }

    /** Where the whole verifier log went: next to the stats file, else in the temporary directory. */
    private static String verifierLogNote(VerifierRefusal refusal, int id, Path statsFile) {
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

    private static StartException bindError(ClusterConfig cluster, Path config, int id, Exception failure) {
        InetSocketAddress address = cluster.member(id);
        String where = "replica " + id + ": cannot bind " + address.getAddress().getHostAddress() + ":" + address.getPort();
        Throwable cause = failure;
        while (cause != null && !(cause instanceof BindException) && cause.getCause() != null) cause = cause.getCause();
        String reason = String.valueOf(cause == null ? failure.getMessage() : cause.getMessage());
        if (reason.contains("Cannot assign requested address")) {
            return new StartException(where + ": this host has no such address; members[" + id + "] of " + config
                    + " must be one of this host's addresses (ip -brief addr), or run the replica whose address it is");
        }
        if (reason.contains("Address already in use")) {
            return new StartException(where + ": address already in use; is replica " + id
                    + " already running here? (ss -ulpn sport = :" + address.getPort() + ")");
        }
        if (reason.contains("Permission denied")) {
            return new StartException(where + ": permission denied; use a port >= 1024 in " + config + " or run as root");
        }
        return new StartException(where + ": " + reason.lines().findFirst().orElse("unknown error"));
    }

    /** A deployed replica: its stats timer and what runs at exit. */
    private record Running(Vertx vertx, UdpReplica replica, StatsFile stats, OffloadChoice offloads, String loadedOffloads) {

        void writeStatsPeriodically() {
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

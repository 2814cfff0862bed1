package org.electrolab.replica.transport;

import java.net.InetSocketAddress;
import java.util.function.Supplier;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.SocketAddress;

import org.electrolab.protocol.Check;
import org.electrolab.protocol.Message;
import org.electrolab.protocol.MessageCodec;
import org.electrolab.protocol.Wire;
import org.electrolab.protocol.WireException;
import org.electrolab.protocol.config.ClusterConfig;
import org.electrolab.replica.core.Effects;
import org.electrolab.replica.core.Replica;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica on one event loop: binds its member address, decodes each datagram, checks where it
 * came from, feeds the core, ticks it, and applies the effects it returns. Nothing a datagram holds
 * can throw out of the handler; an exception from the core itself means an invariant broke, and the
 * replica stops (fail-stop, the failure model VR assumes) and fails {@link #halted()}.
 */
public final class UdpReplica extends VerticleBase {

    private static final Logger log = LoggerFactory.getLogger(UdpReplica.class);

    /**
     * Vert.x sets both SO_RCVBUF and the size of each datagram read from this one value. Netty's
     * own default read size, 2048 bytes, would cut a NewState or a large Prepare short; this is
     * more than {@link Wire#MESSAGE_SIZE_MAX} and about the kernel's default socket buffer, so a
     * burst of PrepareOKs at the leader is queued rather than lost.
     */
    static final int RECEIVE_BUFFER_BYTES = 256 * 1024;

    static {
        Check.that(RECEIVE_BUFFER_BYTES > Wire.MESSAGE_SIZE_MAX, "a read holds the largest message and shows a larger one");
    }

    private final ClusterConfig config;
    private final Replica core;
    private final PacketPath path;
    private final MessageCodec codec;
    private final SourceCheck sourceCheck;
    private final ClientAddresses clients;
    private final String[] memberHosts;
    private final TransportCounters counters = new TransportCounters();
    private final Promise<Void> halted = Promise.promise();

    private DatagramSocket socket;
    private Future<Void> socketClosed;
    private long tickTimer = -1;
    private boolean stopped;
    private Effects.KernelState lastLogged;

    /**
     * @param core a core not yet started, whose index and member count match {@code config}
     * @param clientAddressesMax clients whose reply address is remembered
     */
    public UdpReplica(ClusterConfig config, Replica core, PacketPath path, int clientAddressesMax) {
        Check.that(core.memberCount() == config.memberCount(), "core has %d members, config %d",
                core.memberCount(), config.memberCount());
        this.config = config;
        this.core = core;
        this.path = path;
        this.codec = config.codec();
        this.sourceCheck = new SourceCheck(config);
        this.clients = new ClientAddresses(clientAddressesMax);
        this.memberHosts = config.members().stream().map(a -> a.getHostAddress()).toArray(String[]::new);
    }

    /** The address this replica binds. */
    public InetSocketAddress address() {
        return config.member(core.myIndex());
    }

    /** Fails with the cause if the replica stopped itself; never completes otherwise. */
    public Future<Void> halted() {
        return halted.future();
    }

    /** A snapshot taken on the replica's event loop; callable from any thread once deployed. */
    public Future<ReplicaStats> stats() {
        Promise<ReplicaStats> snapshot = Promise.promise();
        context.runOnContext(v -> snapshot.complete(snapshotNow()));
        return snapshot.future();
    }

    @Override
    public Future<?> start() {
        socket = vertx.createDatagramSocket(new DatagramSocketOptions().setReceiveBufferSize(RECEIVE_BUFFER_BYTES));
        socket.handler(this::onDatagram);
        InetSocketAddress bind = address();
        return socket.listen(bind.getPort(), bind.getAddress().getHostAddress()).onSuccess(s -> {
            log.info("replica {} of {} listening on {}:{} (cluster {}, app {}, tick {} ms, path {})",
                    core.myIndex(), core.memberCount(), bind.getAddress().getHostAddress(), bind.getPort(),
                    config.clusterId(), config.app(), config.tickMillis(), path.name());
            path.start(() -> context.runOnContext(v -> step(false, () -> null)));
            step(true, core::start);
            tickTimer = vertx.setPeriodic(config.tickMillis(), id -> step(true, core::onTick));
        });
    }

    @Override
    public Future<?> stop() {
        stopped = true;
        if (tickTimer >= 0) vertx.cancelTimer(tickTimer);
        path.close();
        return closeSocket();
    }

    private Future<Void> closeSocket() {
        if (socketClosed == null) socketClosed = socket.close();
        return socketClosed;
    }

    private void onDatagram(DatagramPacket packet) {
        if (stopped) return;
        counters.datagramsIn++;
        Buffer data = packet.data();
        SocketAddress source = packet.sender();
        Message message;
        try {
            message = codec.decode(data.getBytes(), 0, data.length());
        } catch (WireException e) {
            counters.drop(DropReason.of(e.reason));
            log.debug("dropped datagram from {}: {}", source, e.getMessage());
            return;
        } catch (RuntimeException e) {
            // A codec bug, but the datagram is what triggered it: drop it and keep serving.
            counters.drop(DropReason.BAD_BODY);
            log.warn("dropped datagram from {}: decoder failed", source, e);
            return;
        }
        String host = source.hostAddress();
        DropReason refused = sourceCheck.check(message, host, source.port());
        if (refused != null) {
            counters.drop(refused);
            log.debug("dropped {} from {}: {}", message.type(), source, refused);
            return;
        }
        counters.received[message.type().code]++;
        if (message instanceof Message.Request r) clients.heard(r.clientId(), host, source.port());
        path.passedUp(message);
        step(PacketPath.isLogDecision(message, core.view()), () -> core.onMessage(message));
    }

    /**
     * One step of the core: first what the kernel handled on its own (the core must not decide on a
     * log that misses it), then {@code input} (null: nothing more). {@code logDecision}: the step
     * may make the core vouch for its log (see {@link PacketPath#drainRecorded}).
     */
    private void step(boolean logDecision, Supplier<Effects> input) {
        if (stopped) return;
        try {
            for (Message recorded : path.drainRecorded(logDecision)) {
                counters.recordedByKernel++;
                apply(core.onMessage(recorded));
            }
            Effects effects = input.get();
            if (effects != null) apply(effects);
        } catch (RuntimeException e) {
            halt(e);
        }
    }

    /** Applies effects in the order {@link Effects} documents: kernel state, then sends, then replies. */
    private void apply(Effects effects) {
        if (effects.kernelState != null) {
            path.mirror(effects.kernelState);
            logTransition(effects.kernelState);
        }
        for (Effects.Send send : effects.sends) {
            if (path.sentByKernel(send)) {
                counters.sentByKernel++;
                continue;
            }
            Message message = send.message();
            counters.sent[message.type().code]++;
            if (send.to() != Effects.BROADCAST) {
                sendTo(send.to(), codec.encode(message));
                continue;
            }
            int carrier = path.broadcastCarrier(message);
            if (carrier == PacketPath.EACH_MEMBER) {
                Buffer bytes = Buffer.buffer(codec.encode(message));
                for (int member = 0; member < memberHosts.length; member++) {
                    if (member != core.myIndex()) send(bytes, memberHosts[member], config.port());
                }
            } else {
                Check.that(carrier != core.myIndex() && carrier >= 0 && carrier < memberHosts.length,
                        "broadcast carrier %d is another member", carrier);
                sendTo(carrier, codec.encode(message, Wire.FLAG_BROADCAST));
            }
        }
        for (Effects.ClientReply reply : effects.replies) {
            ClientAddresses.Address client = clients.of(reply.clientId());
            if (client == null) {
                counters.repliesWithoutAddress++;
                continue;
            }
            counters.sent[reply.reply().type().code]++;
            send(Buffer.buffer(codec.encode(reply.reply())), client.host(), client.port());
        }
    }

    private void sendTo(int member, byte[] bytes) {
        send(Buffer.buffer(bytes), memberHosts[member], config.port());
    }

    private void send(Buffer bytes, String host, int port) {
        counters.datagramsOut++;
        socket.send(bytes, port, host).onFailure(e -> {
            if (counters.sendErrors++ == 0) log.warn("send to {}:{} failed (later failures only counted): {}", host, port, e.toString());
        });
    }

    private void logTransition(Effects.KernelState state) {
        if (lastLogged == null || lastLogged.view() != state.view() || lastLogged.status() != state.status()) {
            log.info("replica {}: view {} {}, leader {}, op {}, commit {}", state.myIndex(), state.view(),
                    state.status().name().toLowerCase(), state.leader(), state.op(), state.commit());
        }
        lastLogged = state;
    }

    /**
     * Fail-stop: nothing more is sent or acknowledged, the kernel's fast path included (its programs
     * would otherwise answer Prepares for a core that no longer takes them until the process exits).
     */
    private void halt(RuntimeException cause) {
        log.error("replica {}: stopping (fail-stop) after an error in the core or the packet path", core.myIndex(), cause);
        stopped = true;
        if (tickTimer >= 0) vertx.cancelTimer(tickTimer);
        try {
            path.close();
        } catch (RuntimeException e) {
            log.error("replica {}: closing the packet path failed", core.myIndex(), e);
        }
        closeSocket();
        halted.tryFail(cause);
    }

    private ReplicaStats snapshotNow() {
        return new ReplicaStats(core.myIndex(), core.memberCount(), core.view(), core.status(), core.leader(),
                core.op(), core.commit(), path.name(), counters.datagramsIn, counters.datagramsOut,
                counters.dropsTotal(), counters.dropsByReason(), TransportCounters.byType(counters.received),
                TransportCounters.byType(counters.sent), counters.sendErrors, counters.repliesWithoutAddress,
                counters.sentByKernel, counters.recordedByKernel, path.counters(),
                String.format("%016x", core.appDigest()));
    }
}

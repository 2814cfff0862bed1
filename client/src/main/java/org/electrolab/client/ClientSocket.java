package org.electrolab.client;

import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.SocketAddress;
import org.electrolab.protocol.Check;
import org.electrolab.protocol.Message;
import org.electrolab.protocol.Message.Reply;
import org.electrolab.protocol.Message.Request;
import org.electrolab.protocol.MessageCodec;
import org.electrolab.protocol.Wire;
import org.electrolab.protocol.WireException;

/**
 * The UDP socket that the logical clients of one process share, and the client's idea of who leads.
 *
 * <p>One socket for all clients, on one Vert.x event loop: every Reply carries its client id, so
 * demultiplexing is one map lookup; with a single loop the sessions, counters and the latency
 * histogram need no locks; and the client count is not bounded by ports or file descriptors. What a
 * run measures is the replicas, and one loop drives far more requests per second than one VR
 * leader commits. Everything here runs on {@link #context()}.
 */
public final class ClientSocket {

    /**
     * Vert.x uses this both as SO_RCVBUF and as the size of the buffer each datagram is read into (by
     * default 2048 bytes, which would cut a large kv result), so it must hold the largest message
     * and stay small enough to allocate per read; 64 KiB also lets a burst of replies after a view
     * change wait in the kernel instead of being dropped.
     */
    static final int RECEIVE_BUFFER_BYTES = 64 * 1024;

    static {
        Check.that(RECEIVE_BUFFER_BYTES >= Wire.MESSAGE_SIZE_MAX, "a read holds the largest message");
    }

    private final Vertx vertx;
    private final Context context;
    private final DatagramSocket socket;
    private final ClusterEndpoints cluster;
    private final MessageCodec codec;
    private final Map<Long, Session> sessions = new HashMap<>();
    private final SplittableRandom clientIds = new SplittableRandom(new SecureRandom().nextLong());
    private long view;
    private long undecodable;
    private long retransmissions;
    private long answered;

    private ClientSocket(Vertx vertx, Context context, DatagramSocket socket, ClusterEndpoints cluster) {
        this.vertx = vertx;
        this.context = context;
        this.socket = socket;
        this.cluster = cluster;
        this.codec = new MessageCodec(cluster.clusterId());
    }

    /** Binds a socket on {@code bindHost} (any free port) on a new or the caller's event-loop context. */
    public static Future<ClientSocket> open(Vertx vertx, ClusterEndpoints cluster, String bindHost) {
        Context context = vertx.getOrCreateContext();
        Promise<ClientSocket> opened = Promise.promise();
        context.runOnContext(v -> {
            DatagramSocket socket = vertx.createDatagramSocket(new DatagramSocketOptions().setReceiveBufferSize(RECEIVE_BUFFER_BYTES));
            ClientSocket client = new ClientSocket(vertx, context, socket, cluster);
            socket.handler(client::onPacket);
            socket.listen(0, bindHost).map(s -> client).onComplete(opened);
        });
        return opened.future();
    }

    public Vertx vertx() {
        return vertx;
    }

    public Context context() {
        return context;
    }

    public ClusterEndpoints cluster() {
        return cluster;
    }

    public SocketAddress localAddress() {
        return socket.localAddress();
    }

    /** The highest view an accepted reply named (0 until one arrives). */
    public long view() {
        return view;
    }

    public int leader() {
        return cluster.leaderOf(view);
    }

    public SocketAddress leaderAddress() {
        return cluster.member(leader());
    }

    /** Datagrams that did not decode as a Reply of this cluster, since the socket opened. */
    public long undecodable() {
        return undecodable;
    }

    /** Requests sent again (to every member) because their reply did not come in time. */
    public long retransmissions() {
        return retransmissions;
    }

    /** Replies accepted by a session (right client id, the outstanding request number). */
    public long answered() {
        return answered;
    }

    /**
     * A random 64-bit client id not used on this socket. Random, not counted from 1, because client
     * processes do not coordinate and a restarted one must not reuse the ids of its predecessor,
     * whose request numbers the replicas' client table still holds.
     */
    long freshClientId() {
        long id;
        do id = clientIds.nextLong(); while (id == 0 || sessions.containsKey(id));
        return id;
    }

    void register(Session session) {
        Check.that(sessions.putIfAbsent(session.clientId(), session) == null, "client id %d is unique", session.clientId());
    }

    void unregister(Session session) {
        sessions.remove(session.clientId(), session);
    }

    /**
     * A first attempt goes to the leader we know of; a retry goes to every member, because followers
     * ignore requests and only the current leader answers, so a reply tells us who that is.
     */
    void send(Request request, boolean toEveryMember) {
        Buffer datagram = Buffer.buffer(codec.encode(request));
        if (toEveryMember) {
            retransmissions++;
            for (SocketAddress member : cluster.members()) socket.send(datagram, member.port(), member.host());
        } else {
            SocketAddress leader = leaderAddress();
            socket.send(datagram, leader.port(), leader.host());
        }
    }

    public Future<Void> close() {
        return socket.close();
    }

    private void onPacket(DatagramPacket packet) {
        Message message;
        try {
            message = codec.decode(packet.data().getBytes());
        } catch (WireException e) {
            undecodable++;
            return;
        }
        if (!(message instanceof Reply reply)) {
            undecodable++;
            return;
        }
        Session session = sessions.get(reply.clientId());
        if (session == null || !session.awaits(reply)) return;
        answered++;
        // Before the session completes: its next request must already go to the leader this reply names.
        view = Math.max(view, reply.view());
        session.complete(reply);
    }
}

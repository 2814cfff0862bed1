package org.electrolab.client;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.SocketAddress;
import org.electrolab.protocol.Message;
import org.electrolab.protocol.Message.Reply;
import org.electrolab.protocol.Message.Request;
import org.electrolab.protocol.MessageCodec;
import org.electrolab.protocol.WireException;

/** A stand-in for one replica: a UDP socket that records the Requests it gets and answers as told. */
final class FakeMember implements AutoCloseable {

    /** How the member answers a request; {@code out} sends datagrams back to the requester. */
    interface Behaviour {
        void onRequest(Request request, int copiesSeen, Responder out);
    }

    interface Responder {
        void reply(long view, byte[] result);

        void raw(byte[] datagram);

        /** Replies after {@code millis}, from a timer. */
        void replyLater(long millis, long view, byte[] result);
    }

    static final Behaviour SILENT = (request, copies, out) -> { };

    private final Vertx vertx;
    private final DatagramSocket socket;
    private final MessageCodec codec;
    private final int index;
    private final Map<List<Long>, Integer> copies = new ConcurrentHashMap<>();
    final List<Request> received = new CopyOnWriteArrayList<>();
    /** What the client sent that a replica would have dropped; a test expects none. */
    final List<String> problems = new CopyOnWriteArrayList<>();

    private FakeMember(Vertx vertx, DatagramSocket socket, MessageCodec codec, int index) {
        this.vertx = vertx;
        this.socket = socket;
        this.codec = codec;
        this.index = index;
    }

    static FakeMember start(Vertx vertx, int clusterId, int index, String host, Behaviour behaviour) throws Exception {
        // Read buffers as large as the client's: Netty's default of 2048 bytes would cut large requests.
        DatagramSocket socket = vertx.createDatagramSocket(new DatagramSocketOptions().setReceiveBufferSize(ClientSocket.RECEIVE_BUFFER_BYTES));
        FakeMember member = new FakeMember(vertx, socket, new MessageCodec(clusterId), index);
        socket.handler(packet -> member.onPacket(packet.data().getBytes(), packet.sender(), behaviour));
        socket.listen(0, host).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        return member;
    }

    static ClusterEndpoints endpoints(int clusterId, FakeMember... members) {
        return new ClusterEndpoints(clusterId, java.util.Arrays.stream(members).map(FakeMember::address).toList());
    }

    SocketAddress address() {
        return socket.localAddress();
    }

    List<Long> requestNumbers() {
        return received.stream().map(Request::requestNumber).toList();
    }

    private void onPacket(byte[] data, SocketAddress from, Behaviour behaviour) {
        Message message;
        try {
            message = codec.decode(data);
        } catch (WireException e) {
            problems.add("undecodable datagram: " + e.getMessage());
            return;
        }
        if (!(message instanceof Request request)) {
            problems.add("not a request: " + message);
            return;
        }
        received.add(request);
        int seen = copies.merge(List.of(request.clientId(), request.requestNumber()), 1, Integer::sum);
        behaviour.onRequest(request, seen, new Responder() {
            public void reply(long view, byte[] result) {
                raw(codec.encode(new Reply(view, index, request.clientId(), request.requestNumber(), result)));
            }

            public void raw(byte[] datagram) {
                socket.send(Buffer.buffer(datagram), from.port(), from.host());
            }

            public void replyLater(long millis, long view, byte[] result) {
                vertx.setTimer(millis, id -> reply(view, result));
            }
        });
    }

    @Override
    public void close() throws Exception {
        socket.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
}

package org.electrolab.client;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.electrolab.protocol.Check;
import org.electrolab.protocol.Kv;
import org.electrolab.protocol.Message;

/**
 * An asynchronous client of the kv app: one client id, one request in flight, the others queued in
 * call order. Callable from any thread; the work runs on the socket's event loop.
 *
 * <p>Every call completes normally with a {@link Call} that holds its invoke and completion times and
 * outcome, which is what a linearizability history records: {@code OK} took effect, {@code FAIL}
 * did not (a CAS that found another value, a request the app rejected), {@code UNKNOWN} got no reply
 * before {@code giveUpAfter} and may still take effect.
 */
public final class KvClient implements AutoCloseable {

    public enum Outcome { OK, FAIL, UNKNOWN }

    /**
     * One finished call. {@code result} is null when the outcome is UNKNOWN.
     *
     * @param requestNumber the number its request carried (the client's 1, 2, 3, ...)
     * @param invokeNanos {@link System#nanoTime()} when the call was made
     * @param completeNanos {@link System#nanoTime()} when the reply came or the client gave up
     * @param view the view of the leader that answered; -1 when the outcome is UNKNOWN
     */
    public record Call(long clientId, long requestNumber, Kv.Command command, long invokeNanos, long completeNanos,
                       Outcome outcome, Kv.Result result, long view) {}

    /**
     * @param timeout the longest wait for a reply before the request is sent again to every member: the
     *     wait adapts to the round trips measured, from 1 ms up to this ({@link RetryTimeout})
     * @param giveUpAfter stop retrying after this long and report the call UNKNOWN
     */
    public record Options(Duration timeout, Duration giveUpAfter) {
        public Options {
            Check.that(timeout.toMillis() >= 1 && giveUpAfter.compareTo(timeout) >= 0, "1 ms <= timeout <= giveUpAfter");
        }

        public static Options defaults() {
            return new Options(Duration.ofMillis(200), Duration.ofSeconds(3));
        }
    }

    private record Pending(Kv.Command command, long invokeNanos, CompletableFuture<Call> call) {}

    private final ClientSocket socket;
    private final boolean ownsSocket;
    private final Options options;
    private final Session session;
    private final Queue<Pending> queue = new ArrayDeque<>();
    private boolean closed;

    private KvClient(ClientSocket socket, boolean ownsSocket, Options options) {
        this.socket = socket;
        this.ownsSocket = ownsSocket;
        this.options = options;
        this.session = new Session(socket, socket.freshClientId(), options.timeout());
    }

    /** A client on its own socket, bound on {@code bindHost}. */
    public static Future<KvClient> connect(Vertx vertx, ClusterEndpoints cluster, String bindHost, Options options) {
        return ClientSocket.open(vertx, cluster, bindHost).map(socket -> new KvClient(socket, true, options));
    }

    /** A client sharing {@code socket} (and its idea of the leader) with other clients. */
    public static Future<KvClient> on(ClientSocket socket, Options options) {
        return Future.future(p -> socket.context().runOnContext(v -> p.complete(new KvClient(socket, false, options))));
    }

    public long clientId() {
        return session.clientId();
    }

    public CompletableFuture<Call> get(String key) {
        return call(new Kv.Get(key));
    }

    public CompletableFuture<Call> put(String key, String value) {
        return call(new Kv.Put(key, value));
    }

    /** Sets {@code value} if the key holds {@code expected} (null: the key is absent). */
    public CompletableFuture<Call> cas(String key, String expected, String value) {
        return call(new Kv.Cas(key, expected, value));
    }

    public CompletableFuture<Call> call(Kv.Command command) {
        Pending pending = new Pending(command, System.nanoTime(), new CompletableFuture<>());
        socket.context().runOnContext(v -> {
            if (closed) {
                pending.call.completeExceptionally(new IllegalStateException("kv client " + clientId() + " is closed"));
                return;
            }
            queue.add(pending);
            if (!session.busy()) sendNext();
        });
        return pending.call;
    }

    private void sendNext() {
        if (closed) return;
        Pending pending = queue.poll();
        if (pending == null) return;
        Future<Message.Reply> answer = session.submit(Kv.encode(pending.command), options.giveUpAfter());
        long requestNumber = session.lastRequestNumber();
        answer.onComplete(reply -> {
            long now = System.nanoTime();
            Call call;
            if (reply.failed()) {
                call = new Call(clientId(), requestNumber, pending.command, pending.invokeNanos, now, Outcome.UNKNOWN, null, -1);
            } else {
                Kv.Result result = decode(reply.result().result());
                boolean ok = result.status() == Kv.Status.OK || result.status() == Kv.Status.NOT_FOUND;
                call = new Call(clientId(), requestNumber, pending.command, pending.invokeNanos, now,
                        ok ? Outcome.OK : Outcome.FAIL, result, reply.result().view());
            }
            pending.call.complete(call);
            sendNext();
        });
    }

    /** A reply the client cannot read is reported as the app's BAD_REQUEST: it did not do what was asked. */
    private static Kv.Result decode(byte[] result) {
        try {
            return Kv.decodeResult(result);
        } catch (IllegalArgumentException e) {
            return new Kv.Result(Kv.Status.BAD_REQUEST, null);
        }
    }

    /**
     * A call in flight completes UNKNOWN (its request may still take effect); queued calls, never
     * sent, complete exceptionally. A socket of its own is closed.
     */
    @Override
    public void close() {
        socket.context().runOnContext(v -> {
            if (closed) return;
            closed = true;
            session.close();
            IllegalStateException e = new IllegalStateException("kv client " + clientId() + " closed");
            queue.forEach(p -> p.call.completeExceptionally(e));
            queue.clear();
            if (ownsSocket) socket.close();
        });
    }
}

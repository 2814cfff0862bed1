package org.electrolab.client;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.electrolab.protocol.Check;
import org.electrolab.protocol.Message.Reply;
import org.electrolab.protocol.Message.Request;

/**
 * One logical client: its id, its request numbers 1, 2, 3, ... and at most one outstanding request,
 * retransmitted under the same number until answered, after a wait its {@link RetryTimeout} tunes
 * to the round trips it measures. Replicas answer a retransmitted request from their client table,
 * so a request takes effect at most once whatever the retries. Runs on the socket's context only.
 */
final class Session {

    /** Give-up delay meaning: retry until answered or closed. */
    static final Duration NEVER = Duration.ofNanos(Long.MAX_VALUE);

    private final ClientSocket socket;
    private final long clientId;
    private final RetryTimeout retryTimeout;
    private long lastRequestNumber;
    private Outstanding outstanding;

    private static final class Outstanding {
        final Request request;
        final long giveUpAtNanos;
        final boolean neverGiveUp;
        final Promise<Reply> answer = Promise.promise();
        final long sentNanos = System.nanoTime();
        long timerId;
        int transmissions = 1;

        Outstanding(Request request, long giveUpAtNanos, boolean neverGiveUp) {
            this.request = request;
            this.giveUpAtNanos = giveUpAtNanos;
            this.neverGiveUp = neverGiveUp;
        }
    }

    /** @param timeout the longest wait before a retransmission ({@link RetryTimeout}'s ceiling) */
    Session(ClientSocket socket, long clientId, Duration timeout) {
        Check.that(timeout.toMillis() >= 1, "a request timeout of at least 1 ms, not %s", timeout);
        this.socket = socket;
        this.clientId = clientId;
        this.retryTimeout = new RetryTimeout(timeout);
        socket.register(this);
    }

    long clientId() {
        return clientId;
    }

    /** The number of the latest request submitted, 0 before the first. */
    long lastRequestNumber() {
        return lastRequestNumber;
    }

    boolean busy() {
        return outstanding != null;
    }

    /**
     * Sends {@code payload} as the next request. The future completes with its reply, or fails with
     * {@link TimeoutException} when no reply came within {@code giveUpAfter} (the request may still
     * take effect later), or with {@link IllegalStateException} when the session is closed.
     */
    Future<Reply> submit(byte[] payload, Duration giveUpAfter) {
        Check.that(outstanding == null, "client %d has one outstanding request at most", clientId);
        Request request = new Request(clientId, ++lastRequestNumber, payload);
        boolean never = giveUpAfter.equals(NEVER);
        Outstanding o = new Outstanding(request, never ? 0 : System.nanoTime() + giveUpAfter.toNanos(), never);
        outstanding = o;
        socket.send(request, false);
        armTimer(o);
        return o.answer.future();
    }

    boolean awaits(Reply reply) {
        return outstanding != null && reply.requestNumber() == outstanding.request.requestNumber();
    }

    void complete(Reply reply) {
        Outstanding o = outstanding;
        outstanding = null;
        socket.vertx().cancelTimer(o.timerId);
        // Karn: the reply to a retransmitted request may answer any of its copies, so it measures nothing.
        if (o.transmissions == 1) retryTimeout.sample(System.nanoTime() - o.sentNanos);
        o.answer.complete(reply);
    }

    /** Stops retrying; an outstanding request fails. */
    void close() {
        socket.unregister(this);
        Outstanding o = outstanding;
        if (o == null) return;
        outstanding = null;
        socket.vertx().cancelTimer(o.timerId);
        o.answer.fail(new IllegalStateException("client " + clientId + " closed"));
    }

    private void onTimeout(Outstanding o) {
        if (outstanding != o) return;
        if (!o.neverGiveUp && System.nanoTime() - o.giveUpAtNanos >= 0) {
            outstanding = null;
            o.answer.fail(new TimeoutException("no reply to request " + o.request.requestNumber() + " of client "
                    + clientId + " after " + o.transmissions + " transmissions"));
            return;
        }
        o.transmissions++;
        socket.send(o.request, true);
        armTimer(o);
    }

    /** The wait after transmission number {@code o.transmissions}, in whole milliseconds (Vert.x timers' unit), rounded up. */
    private void armTimer(Outstanding o) {
        long nanos = retryTimeout.timeoutNanos(o.transmissions - 1);
        o.timerId = socket.vertx().setTimer(Math.max(1, (nanos + 999_999) / 1_000_000), id -> onTimeout(o));
    }

    /** This client's retry timeout, for tests and reports. */
    RetryTimeout retryTimeout() {
        return retryTimeout;
    }
}

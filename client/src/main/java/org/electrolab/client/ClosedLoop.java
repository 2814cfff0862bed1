package org.electrolab.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.HdrHistogram.Histogram;
import org.electrolab.protocol.Check;
import org.electrolab.protocol.Message.Reply;

/**
 * The closed-loop load generator: {@code clients} logical clients, each sending its next request as
 * soon as the previous one is answered. Requests completed during the warmup are not measured; the
 * measured window is the {@code duration} after it.
 */
public final class ClosedLoop {

    /**
     * @param timeout the longest a request waits for its reply before it is sent again (to every member);
     *     the wait adapts to the round trips measured, from 1 ms up to this ({@link RetryTimeout})
     * @param bindHost local address of the client socket ({@code 0.0.0.0}: any)
     */
    public record Spec(ClusterEndpoints cluster, int clients, Duration warmup, Duration duration, Duration timeout,
                       String bindHost, Workload workload) {
        public Spec {
            Check.that(clients >= 1, "at least one client, not %d", clients);
            Check.that(!warmup.isNegative(), "warmup is not negative");
            Check.that(duration.toMillis() >= 1, "a run measures at least 1 ms");
            Check.that(timeout.toMillis() >= 1, "a request timeout is at least 1 ms");
        }
    }

    private final Spec spec;
    private final ClientSocket socket;
    private final List<Session> sessions = new ArrayList<>();
    private final Histogram latencyMicros = new Histogram(3);
    private final Promise<RunResult> done = Promise.promise();
    private final Consumer<Intervals.Interval> onInterval;
    private Intervals intervals;
    private long measureFromNanos;
    private long measureUntilNanos;
    private boolean running;
    private long completed;
    private long appErrors;
    private long undecodableAtWarmupEnd;
    private long retransmissionsAtWarmupEnd;

    private ClosedLoop(Spec spec, ClientSocket socket, Consumer<Intervals.Interval> onInterval) {
        this.spec = spec;
        this.socket = socket;
        this.onInterval = onInterval;
    }

    /** Runs the load for warmup plus duration, then closes its socket; fails only when the socket cannot bind. */
    public static Future<RunResult> run(Vertx vertx, Spec spec) {
        return run(vertx, spec, Intervals.IGNORED);
    }

    /**
     * The same, handing every {@link Intervals.Interval} of warmup and measured window to
     * {@code onInterval} as it ends, on the socket's event loop (so it must not block).
     */
    public static Future<RunResult> run(Vertx vertx, Spec spec, Consumer<Intervals.Interval> onInterval) {
        return ClientSocket.open(vertx, spec.cluster(), spec.bindHost()).compose(socket -> {
            ClosedLoop loop = new ClosedLoop(spec, socket, onInterval);
            socket.context().runOnContext(v -> loop.start());
            return loop.done.future();
        });
    }

    private void start() {
        running = true;
        long now = System.nanoTime();
        measureFromNanos = now + spec.warmup().toNanos();
        measureUntilNanos = measureFromNanos + spec.duration().toNanos();
        intervals = Intervals.of(socket, now, measureFromNanos, measureUntilNanos, onInterval);
        Vertx vertx = socket.vertx();
        if (spec.warmup().toMillis() >= 1) vertx.setTimer(spec.warmup().toMillis(), id -> endWarmup());
        else endWarmup();
        vertx.setTimer(Math.max(1, (measureUntilNanos - now) / 1_000_000), id -> finish());
        for (int i = 0; i < spec.clients(); i++) {
            Session session = new Session(socket, socket.freshClientId(), spec.timeout());
            sessions.add(session);
            issue(session);
        }
    }

    private void endWarmup() {
        undecodableAtWarmupEnd = socket.undecodable();
        retransmissionsAtWarmupEnd = socket.retransmissions();
    }

    private void issue(Session session) {
        byte[] request = spec.workload().nextRequest();
        long sentNanos = System.nanoTime();
        session.submit(request, Session.NEVER).onSuccess(reply -> {
            if (!running) return;
            answered(request, reply, sentNanos, System.nanoTime());
            issue(session);
        });
    }

    private void answered(byte[] request, Reply reply, long sentNanos, long answeredNanos) {
        if (answeredNanos - measureUntilNanos >= 0) return;
        boolean error = spec.workload().isError(request, reply.result());
        long micros = (answeredNanos - sentNanos) / 1_000;
        if (error) intervals.error(answeredNanos);
        else intervals.completed(answeredNanos, micros);
        if (answeredNanos - measureFromNanos < 0) return;
        if (error) {
            appErrors++;
        } else {
            completed++;
            latencyMicros.recordValue(micros);
        }
    }

    private void finish() {
        running = false;
        intervals.finish(measureUntilNanos);
        sessions.forEach(Session::close);
        long undecodable = socket.undecodable() - undecodableAtWarmupEnd;
        RunResult result = new RunResult(completed, appErrors + undecodable, socket.retransmissions() - retransmissionsAtWarmupEnd,
                undecodable, spec.duration().toNanos() / 1e9, latencyMicros, socket.answered(), socket.view(),
                ClusterEndpoints.describe(socket.leaderAddress()));
        socket.close().onComplete(closed -> done.complete(result));
    }
}

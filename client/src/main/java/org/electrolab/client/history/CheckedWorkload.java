package org.electrolab.client.history;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.electrolab.client.ClientSocket;
import org.electrolab.client.ClusterEndpoints;
import org.electrolab.client.Intervals;
import org.electrolab.client.KvClient;
import org.electrolab.client.KvClient.Call;
import org.electrolab.client.KvClient.Outcome;
import org.electrolab.protocol.Check;
import org.electrolab.protocol.Kv;

/**
 * A recorded kv workload, Jepsen style: {@code clients} closed-loop {@link KvClient}s on one shared
 * socket send gets, puts and compare-and-sets for {@code duration}, and every call goes into a
 * {@link History} for {@link LinearizabilityChecker}, {@link LostWrites} and {@link Availability}.
 *
 * <p>Only {@code activeKeys} keys are in use at a time, and each is retired after {@code opsPerKey}
 * operations and replaced by a fresh one: the linearizability search is per key and exponential in
 * the concurrency on a key, so keys must stay short. Every written value is unique
 * ({@code <tag>c<client>-<n>}), so a read tells which write it saw. Keys and values carry a random
 * run tag, so that two workloads on one cluster never touch each other's keys.
 *
 * <p>After the duration no new operation starts; once every call in flight has finished (answered,
 * or given up on after {@link KvClient.Options#giveUpAfter()}: UNKNOWN), every key ever written is
 * read once more ({@link History.Op#finalRead}), retried until a read is answered or
 * {@code finalReadAttempts} reads were made. No final read starts after {@code finalReadsWithin}
 * (a cluster that stays down would otherwise cost every key all its attempts); the writes of keys
 * left unread are unverified. Everything runs on the socket's event loop.
 */
public final class CheckedWorkload {

    /** Percentages of each kind of operation; they add up to 100. */
    public record Mix(int getPercent, int putPercent, int casPercent) {
        public Mix {
            Check.that(getPercent >= 0 && putPercent >= 0 && casPercent >= 0 && getPercent + putPercent + casPercent == 100,
                    "get/put/cas percentages are >= 0 and add up to 100, not %d/%d/%d", getPercent, putPercent, casPercent);
        }

        public static Mix defaults() {
            return new Mix(50, 30, 20);
        }
    }

    /**
     * @param bindHost local address of the client socket ({@code 0.0.0.0}: any)
     * @param seed picks keys, kinds of operation and the run tag
     */
    public record Spec(ClusterEndpoints cluster, String bindHost, int clients, Duration duration, KvClient.Options options,
                       int activeKeys, int opsPerKey, Mix mix, int finalReadAttempts, Duration finalReadsWithin, long seed) {
        public Spec {
            Check.that(clients >= 1, "at least one client, not %d", clients);
            Check.that(duration.toMillis() >= 1, "a workload runs at least 1 ms");
            Check.that(activeKeys >= 1, "at least one active key, not %d", activeKeys);
            Check.that(opsPerKey >= 1, "at least one op per key, not %d", opsPerKey);
            Check.that(finalReadAttempts >= 1, "at least one final read attempt, not %d", finalReadAttempts);
            Check.that(!finalReadsWithin.isNegative(), "a final read phase is not negative");
        }

        /**
         * 8 active keys of 200 ops each, the default mix, default client timeouts, up to 5 final
         * reads per key within 30 s.
         */
        public static Spec of(ClusterEndpoints cluster, String bindHost, int clients, Duration duration, long seed) {
            return new Spec(cluster, bindHost, clients, duration, KvClient.Options.defaults(), 8, 200, Mix.defaults(), 5,
                    Duration.ofSeconds(30), seed);
        }
    }

    private record Recorded(Call call, boolean finalRead) {}

    private final Spec spec;
    private final ClientSocket socket;
    private final List<KvClient> clients;
    private final SplittableRandom random;
    private final String tag;
    private final String[] activeKey;
    private final int[] opsOnActiveKey;
    private int keysCreated;
    /** Keys some put or cas was sent to, in first-write order: what the final reads cover. */
    private final Set<String> written = new LinkedHashSet<>();
    /** The last value seen per key, by any client: what a cas expects, so that some succeed. */
    private final Map<String, String> lastSeen = new HashMap<>();
    private final List<Recorded> recorded = new ArrayList<>();
    private final int[] valuesWritten;
    private final CompletableFuture<History> done = new CompletableFuture<>();
    private final Consumer<Intervals.Interval> onInterval;
    private Intervals intervals;
    private boolean stopping;
    private boolean finalPhase;
    private long finalReadsUntilNanos;
    private int busy;

    private CheckedWorkload(Spec spec, ClientSocket socket, List<KvClient> clients, Consumer<Intervals.Interval> onInterval) {
        this.spec = spec;
        this.onInterval = onInterval;
        this.socket = socket;
        this.clients = clients;
        this.random = new SplittableRandom(spec.seed());
        // 40 random bits: a fault campaign runs dozens of workloads on one cluster, and two with the
        // same tag would share keys and be judged against each other's writes.
        this.tag = Long.toString(random.nextLong() >>> 24, 36);
        this.activeKey = new String[spec.activeKeys()];
        this.opsOnActiveKey = new int[spec.activeKeys()];
        this.valuesWritten = new int[spec.clients()];
        for (int slot = 0; slot < activeKey.length; slot++) activeKey[slot] = freshKey();
    }

    /**
     * Runs the workload and its final reads; the history completes when the last final read has
     * finished. Fails only when the socket cannot bind or a client breaks.
     */
    public static CompletableFuture<History> run(Vertx vertx, Spec spec) {
        return run(vertx, spec, Intervals.IGNORED);
    }

    /**
     * The same, handing every {@link Intervals.Interval} to {@code onInterval} as it ends (calls
     * answered OK or FAIL are its completed ones), on the socket's event loop: it must not block.
     */
    public static CompletableFuture<History> run(Vertx vertx, Spec spec, Consumer<Intervals.Interval> onInterval) {
        CompletableFuture<History> result = new CompletableFuture<>();
        ClientSocket.open(vertx, spec.cluster(), spec.bindHost()).compose(socket -> {
            List<Future<KvClient>> opening = new ArrayList<>();
            for (int i = 0; i < spec.clients(); i++) opening.add(KvClient.on(socket, spec.options()));
            return Future.all(opening).map(all -> new CheckedWorkload(spec, socket, opening.stream().map(Future::result).toList(),
                    onInterval));
        }).onSuccess(workload -> {
            workload.socket.context().runOnContext(v -> workload.start());
            workload.done.whenComplete((history, failure) -> {
                if (failure != null) result.completeExceptionally(failure);
                else result.complete(history);
            });
        }).onFailure(result::completeExceptionally);
        return result;
    }

    private String freshKey() {
        return tag + "-k" + keysCreated++;
    }

    private void start() {
        long now = System.nanoTime();
        // After the duration, the calls in flight finish and the final reads run: intervals of final reads.
        intervals = Intervals.of(socket, now, now, now + spec.duration().toNanos(), onInterval);
        socket.vertx().setTimer(spec.duration().toMillis(), id -> stopping = true);
        for (int c = 0; c < clients.size(); c++) next(c);
    }

    /** Client {@code c} is idle: its next operation, or, when stopping and nobody is busy, the final reads. */
    private void next(int c) {
        if (stopping) {
            if (busy == 0 && !finalPhase) finalReads();
            return;
        }
        int slot = random.nextInt(activeKey.length);
        String key = activeKey[slot];
        if (++opsOnActiveKey[slot] >= spec.opsPerKey()) {
            activeKey[slot] = freshKey();
            opsOnActiveKey[slot] = 0;
        }
        int kind = random.nextInt(100);
        Kv.Command command;
        if (kind < spec.mix().getPercent()) {
            command = new Kv.Get(key);
        } else {
            String value = tag + "c" + c + "-" + ++valuesWritten[c];
            written.add(key);
            command = kind < spec.mix().getPercent() + spec.mix().putPercent() ? new Kv.Put(key, value)
                    : new Kv.Cas(key, random.nextInt(8) == 0 ? null : lastSeen.get(key), value);
        }
        busy++;
        clients.get(c).call(command).whenComplete((call, failure) -> socket.context().runOnContext(v -> {
            busy--;
            if (failure != null) {
                fail(failure);
                return;
            }
            recorded.add(new Recorded(call, false));
            count(call);
            learn(call);
            next(c);
        }));
    }

    private void count(Call call) {
        if (call.outcome() == Outcome.UNKNOWN) intervals.unknown(call.completeNanos());
        else intervals.completed(call.completeNanos(), (call.completeNanos() - call.invokeNanos()) / 1_000);
    }

    private void learn(Call call) {
        if (call.outcome() == Outcome.UNKNOWN) return;
        String key = call.command().key();
        switch (call.command()) {
            case Kv.Get g -> lastSeen.put(key, call.result().value());
            case Kv.Put p -> lastSeen.put(key, p.value());
            case Kv.Cas s -> lastSeen.put(key, call.result().status() == Kv.Status.OK ? s.value() : call.result().value());
        }
    }

    /** Every written key is read, spread over the clients, each key until one read is answered. */
    private void finalReads() {
        finalPhase = true;
        finalReadsUntilNanos = System.nanoTime() + spec.finalReadsWithin().toNanos();
        List<String> keys = new ArrayList<>(written);
        int[] nextKey = {0};
        int[] reading = {clients.size()};
        for (KvClient client : clients) readNext(client, keys, nextKey, reading);
    }

    private void readNext(KvClient client, List<String> keys, int[] nextKey, int[] reading) {
        if (nextKey[0] == keys.size() || System.nanoTime() - finalReadsUntilNanos > 0) {
            if (--reading[0] == 0) finish();
            return;
        }
        read(client, keys.get(nextKey[0]++), 1, () -> readNext(client, keys, nextKey, reading));
    }

    private void read(KvClient client, String key, int attempt, Runnable then) {
        client.get(key).whenComplete((call, failure) -> socket.context().runOnContext(v -> {
            if (failure != null) {
                fail(failure);
                return;
            }
            recorded.add(new Recorded(call, true));
            count(call);
            boolean late = System.nanoTime() - finalReadsUntilNanos > 0;
            if (call.outcome() == Outcome.OK || attempt == spec.finalReadAttempts() || late) then.run();
            else read(client, key, attempt + 1, then);
        }));
    }

    private void finish() {
        History history = new History();
        recorded.sort(Comparator.comparingLong(r -> r.call.invokeNanos()));
        for (Recorded r : recorded) history.record(r.call, r.finalRead);
        close();
        done.complete(history);
    }

    private void fail(Throwable failure) {
        close();
        done.completeExceptionally(failure);
    }

    private void close() {
        intervals.finish(System.nanoTime());
        clients.forEach(KvClient::close);
        socket.close();
    }
}

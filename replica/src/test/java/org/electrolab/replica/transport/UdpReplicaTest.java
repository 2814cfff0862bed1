package org.electrolab.replica.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.Predicate;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.junit5.VertxExtension;

import org.electrolab.client.ClusterEndpoints;
import org.electrolab.client.KvClient;
import org.electrolab.protocol.Kv;
import org.electrolab.protocol.Message;
import org.electrolab.protocol.Message.PrepareOk;
import org.electrolab.protocol.Message.Reply;
import org.electrolab.protocol.Message.Request;
import org.electrolab.protocol.MessageCodec;
import org.electrolab.protocol.MessageType;
import org.electrolab.protocol.config.ClusterConfig;
import org.electrolab.replica.app.App;
import org.electrolab.replica.core.Effects;
import org.electrolab.replica.core.Options;
import org.electrolab.replica.core.Replica;
import org.electrolab.replica.core.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Three replicas over real UDP on loopback addresses, in one JVM. VertxExtension closes the Vert.x
 * instance after each test, which undeploys the replicas and closes every socket.
 */
@ExtendWith(VertxExtension.class)
class UdpReplicaTest {

    private static final long TIMEOUT_SECONDS = 15;
    private static final long CLIENT_ID = 42;

    @Test
    void servesKvRequestsFromAClient(Vertx vertx) throws Exception {
        Cluster cluster = Cluster.start(vertx, i -> new UserSpacePath());
        Client client = Client.open(vertx, cluster.config);

        Kv.Result put = client.call(1, new Kv.Put("colour", "blue"));
        assertThat(put.status()).isEqualTo(Kv.Status.OK);
        Kv.Result get = client.call(2, new Kv.Get("colour"));
        assertThat(get).isEqualTo(new Kv.Result(Kv.Status.OK, "blue"));
        // Larger than Netty's default 2048-byte datagram read: Prepare, PrepareOK path and Reply must carry it whole.
        String large = "x".repeat(6000);
        assertThat(client.call(3, new Kv.Put("large", large)).status()).isEqualTo(Kv.Status.OK);
        assertThat(client.call(4, new Kv.Get("large"))).isEqualTo(new Kv.Result(Kv.Status.OK, large));
        assertThat(client.unexpected).isEmpty();

        int leaderIndex = cluster.replicas.get(0).stats().await(TIMEOUT_SECONDS, TimeUnit.SECONDS).leader();
        ReplicaStats leader = cluster.replicas.get(leaderIndex).stats().await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertThat(leader.status()).isEqualTo(Status.NORMAL);
        assertThat(leader.commit()).isGreaterThanOrEqualTo(4);
        assertThat(leader.received().get(MessageType.REQUEST)).isGreaterThanOrEqualTo(4);
        assertThat(leader.sent().get(MessageType.REPLY)).isGreaterThanOrEqualTo(4);
        assertThat(leader.dropped()).isZero();
    }

    // At most once (VR Revisited, section 4.1, step 2): the client sends a request whose reply was lost
    // again, under the same number, after its adaptive retry timeout; the leader answers it from the
    // client table. Were a retry executed again, the compare-and-set would find its own value and fail.
    @Test
    void aRequestWhoseReplyWasLostIsSentAgainAndAnsweredOnceFromTheClientTable(Vertx vertx) throws Exception {
        Cluster cluster = Cluster.start(vertx, i -> new UserSpacePath());
        Relay relay = Relay.start(vertx, cluster.config);
        KvClient kv = KvClient.connect(vertx, relay.endpoints(), "127.0.0.1",
                new KvClient.Options(Duration.ofMillis(100), Duration.ofSeconds(TIMEOUT_SECONDS)))
                .await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        try {
            String value = null;
            for (int i = 1; i <= 5; i++) {
                KvClient.Call call = kv.cas("k", value, "v" + i).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                assertThat(call.outcome()).as("cas %d", i).isEqualTo(KvClient.Outcome.OK);
                value = "v" + i;
            }
            assertThat(relay.repliesDropped()).isEqualTo(5);
            assertThat(relay.requestsForwarded()).isGreaterThanOrEqualTo(10);
            int leaderIndex = cluster.replicas.get(0).stats().await(TIMEOUT_SECONDS, TimeUnit.SECONDS).leader();
            assertThat(cluster.replicas.get(leaderIndex).stats().await(TIMEOUT_SECONDS, TimeUnit.SECONDS).commit())
                    .as("one op per request, none for its retries").isEqualTo(5);
            assertThat(kv.get("k").get(TIMEOUT_SECONDS, TimeUnit.SECONDS).result()).isEqualTo(new Kv.Result(Kv.Status.OK, "v5"));
        } finally {
            kv.close();
        }
    }

    @Test
    void dropsAndCountsForeignGarbageAndSpoofedDatagramsWithoutAnswering(Vertx vertx) throws Exception {
        Cluster cluster = Cluster.start(vertx, i -> new UserSpacePath());
        Client client = Client.open(vertx, cluster.config);
        assertThat(client.call(1, new Kv.Put("k", "v")).status()).isEqualTo(Kv.Status.OK);

        UdpReplica target = cluster.replicas.get(1);
        MessageCodec foreign = new MessageCodec((int) cluster.config.clusterId() + 1);
        client.sendRaw(1, foreign.encode(new Request(CLIENT_ID, 2, Kv.encode(new Kv.Get("k")))));
        client.sendRaw(1, "not a message".getBytes());
        byte[] badMagic = new byte[64];
        client.sendRaw(1, badMagic);
        // The client's address is no member's, so a PrepareOK from it must not reach the core.
        client.sendRaw(1, cluster.config.codec().encode(new PrepareOk(0, 0, 1, 0)));

        ReplicaStats stats = awaitStats(vertx, target, s -> s.dropped() >= 4);
        assertThat(stats.drops()).containsEntry(DropReason.FOREIGN_CLUSTER, 1L)
                .containsEntry(DropReason.TRUNCATED, 1L).containsEntry(DropReason.BAD_MAGIC, 1L)
                .containsEntry(DropReason.NON_MEMBER_SOURCE, 1L).containsEntry(DropReason.SENDER_MISMATCH, 0L);
        assertThat(stats.dropped()).isEqualTo(4);
        long delivered = stats.received().values().stream().mapToLong(Long::longValue).sum();
        assertThat(stats.datagramsIn()).as("every datagram is dropped or delivered").isEqualTo(stats.dropped() + delivered);
        assertThat(stats.summaryLine())
                .contains("dropped 4 (TRUNCATED 1, BAD_MAGIC 1, FOREIGN_CLUSTER 1, NON_MEMBER_SOURCE 1)");

        // A round trip after the bad datagrams: any answer to them would have arrived before its reply.
        assertThat(client.call(3, new Kv.Get("k"))).isEqualTo(new Kv.Result(Kv.Status.OK, "v"));
        assertThat(client.unexpected).isEmpty();
        for (UdpReplica replica : cluster.replicas) {
            assertThat(replica.stats().await(TIMEOUT_SECONDS, TimeUnit.SECONDS).sendErrors()).isZero();
        }
    }

    @Test
    void mirrorsTheNewStateBeforeSendingInIt(Vertx vertx) throws Exception {
        List<RecordingPath> paths = new ArrayList<>();
        Cluster cluster = Cluster.start(vertx, i -> add(paths, new RecordingPath()));
        Client client = Client.open(vertx, cluster.config);
        assertThat(client.call(1, new Kv.Put("k", "v")).status()).isEqualTo(Kv.Status.OK);

        RecordingPath leaderPath = paths.get(cluster.replicas.get(0).stats().await(TIMEOUT_SECONDS, TimeUnit.SECONDS).leader());
        assertThat(leaderPath.sendsInView).isNotEmpty();
        for (Map.Entry<Effects.Send, Effects.KernelState> sent : leaderPath.sendsInView.entrySet()) {
            Message m = sent.getKey().message();
            if (m.type() == MessageType.PREPARE || m.type() == MessageType.COMMIT) {
                assertThat(sent.getValue().status()).as("mirrored before %s", m).isEqualTo(Status.NORMAL);
                assertThat(sent.getValue().view()).as("mirrored before %s", m).isEqualTo(m.view());
            }
        }
    }

    @Test
    void feedsWhatTheKernelRecordedToTheCore(Vertx vertx) throws Exception {
        List<InjectingPath> paths = new ArrayList<>();
        Cluster cluster = Cluster.start(vertx, i -> add(paths, new InjectingPath()));
        Client client = Client.open(vertx, cluster.config);
        assertThat(client.call(1, new Kv.Put("k", "v")).status()).isEqualTo(Kv.Status.OK);
        int leader = cluster.replicas.get(0).stats().await(TIMEOUT_SECONDS, TimeUnit.SECONDS).leader();

        // As if the fast path had consumed a client's Request: the core still executes it, but the
        // transport never saw where it came from, so the reply has nowhere to go.
        paths.get(leader).record(new Request(77, 1, Kv.encode(new Kv.Put("k", "w"))));
        ReplicaStats stats = awaitStats(vertx, cluster.replicas.get(leader), s -> s.repliesWithoutAddress() == 1);
        assertThat(stats.recordedByKernel()).isEqualTo(1);
        assertThat(client.call(2, new Kv.Get("k"))).isEqualTo(new Kv.Result(Kv.Status.OK, "w"));
    }

    @Test
    void stopsWhenAStepFails(Vertx vertx) throws Exception {
        List<InjectingPath> paths = new ArrayList<>();
        Cluster cluster = Cluster.start(vertx, i -> add(paths, new InjectingPath()));
        Client client = Client.open(vertx, cluster.config);
        assertThat(client.call(1, new Kv.Put("k", "v")).status()).isEqualTo(Kv.Status.OK);
        // A view change needs f+1 = 2 normal replicas besides the failed leader: wait for all three.
        List<ReplicaStats> normal = new ArrayList<>();
        for (UdpReplica replica : cluster.replicas) {
            normal.add(awaitStats(vertx, replica, s -> s.status() == Status.NORMAL && s.commit() >= 1));
        }
        ReplicaStats before = normal.getLast();
        assertThat(normal).extracting(ReplicaStats::view).containsOnly(before.view());
        UdpReplica leader = cluster.replicas.get(before.leader());

        paths.get(before.leader()).failNextDrain(new IllegalStateException("invariant violated: test"));
        Throwable cause = leader.halted().transform(r -> Future.succeededFuture(r.cause()))
                .await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertThat(cause).hasMessage("invariant violated: test");
        assertThat(paths.get(before.leader()).closed).as("the kernel path stopped with the replica, not at process exit").isTrue();
        long receivedAtHalt = leader.stats().await(TIMEOUT_SECONDS, TimeUnit.SECONDS).datagramsIn();
        // The followers stop hearing the leader and move to a later view; the stopped replica hears nothing.
        UdpReplica follower = cluster.replicas.get((before.leader() + 1) % cluster.replicas.size());
        awaitStats(vertx, follower, s -> s.view() > before.view());
        assertThat(leader.stats().await(TIMEOUT_SECONDS, TimeUnit.SECONDS).datagramsIn()).isEqualTo(receivedAtHalt);
    }

    private static <T> T add(List<? super T> list, T item) {
        list.add(item);
        return item;
    }

    private static ReplicaStats awaitStats(Vertx vertx, UdpReplica replica, Predicate<ReplicaStats> condition)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (true) {
            ReplicaStats stats = replica.stats().await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (condition.test(stats)) return stats;
            assertThat(System.nanoTime()).as("waiting for stats, last: %s", stats.summaryLine()).isLessThan(deadline);
            vertx.timer(10).await();
        }
    }

    /** A packet path that records which kernel state was last mirrored when each message went out. */
    private static final class RecordingPath implements PacketPath {
        final Map<Effects.Send, Effects.KernelState> sendsInView = new ConcurrentHashMap<>();
        private volatile Effects.KernelState mirrored;

        @Override public String name() { return "recording"; }
        @Override public void start(Runnable recordedReady) {}
        @Override public void mirror(Effects.KernelState state) { mirrored = state; }
        @Override public List<Message> drainRecorded(boolean beforeLogDecision) { return List.of(); }
        @Override public int broadcastCarrier(Message message) { return EACH_MEMBER; }
        @Override public Map<String, Long> counters() { return Map.of(); }
        @Override public void close() {}

        @Override
        public boolean sentByKernel(Effects.Send send) {
            sendsInView.putIfAbsent(send, mirrored);
            return false;
        }
    }

    /** A packet path a test can make record messages "in the kernel" or fail. */
    private static final class InjectingPath implements PacketPath {
        private final java.util.Queue<Message> recorded = new java.util.concurrent.ConcurrentLinkedQueue<>();
        private volatile RuntimeException failure;
        private volatile Runnable recordedReady;
        volatile boolean closed;

        void record(Message message) {
            recorded.add(message);
            recordedReady.run();
        }

        void failNextDrain(RuntimeException e) {
            failure = e;
            recordedReady.run();
        }

        @Override public String name() { return "injecting"; }
        @Override public void start(Runnable recordedReady) { this.recordedReady = recordedReady; }
        @Override public void mirror(Effects.KernelState state) {}
        @Override public int broadcastCarrier(Message message) { return EACH_MEMBER; }
        @Override public boolean sentByKernel(Effects.Send send) { return false; }
        @Override public Map<String, Long> counters() { return Map.of("injecting.recorded", 0L); }
        @Override public void close() { closed = true; }

        @Override
        public List<Message> drainRecorded(boolean beforeLogDecision) {
            RuntimeException e = failure;
            if (e != null) {
                failure = null;
                throw e;
            }
            List<Message> drained = new ArrayList<>();
            for (Message m; (m = recorded.poll()) != null; ) drained.add(m);
            return drained;
        }
    }

    private record Cluster(ClusterConfig config, List<UdpReplica> replicas) {

        /** Deploys three replicas on 127.0.0.21-23, on another random port when one is taken. */
        static Cluster start(Vertx vertx, IntFunction<PacketPath> paths) throws Exception {
            Random random = new Random();
            for (int attempt = 1; ; attempt++) {
                ClusterConfig config = new ClusterConfig(7, 1, "kv", 20000 + random.nextInt(40000),
                        List.of(loopback(21), loopback(22), loopback(23)), ClusterConfig.TICK_MILLIS_DEFAULT);
                List<UdpReplica> replicas = new ArrayList<>();
                List<Future<String>> deployments = new ArrayList<>();
                for (int i = 0; i < config.memberCount(); i++) {
                    Replica core = new Replica(i, config.memberCount(), App.named(config.app()), Options.defaults(), i);
                    UdpReplica replica = new UdpReplica(config, core, paths.apply(i), 1024);
                    replicas.add(replica);
                    deployments.add(vertx.deployVerticle(replica));
                }
                Future.join(deployments).otherwiseEmpty().await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                Throwable failure = deployments.stream().map(Future::cause).filter(c -> c != null).findFirst().orElse(null);
                if (failure == null) return new Cluster(config, replicas);
                for (Future<String> d : deployments) {
                    if (d.succeeded()) vertx.undeploy(d.result()).await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                }
                if (!(failure instanceof BindException) || attempt == 5) throw new AssertionError("deploy failed", failure);
            }
        }

        private static Inet4Address loopback(int last) throws Exception {
            return (Inet4Address) InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
        }
    }

    /**
     * A UDP relay in front of each member, on 127.0.0.31.., that passes every datagram on and drops
     * the first Reply to each request: as a lossy link would, after the request took effect.
     */
    private static final class Relay {
        private final List<DatagramSocket> sockets = new ArrayList<>();
        private final Map<List<Long>, Boolean> replied = new ConcurrentHashMap<>();
        private final java.util.concurrent.atomic.AtomicLong repliesDropped = new java.util.concurrent.atomic.AtomicLong();
        private final java.util.concurrent.atomic.AtomicLong requestsForwarded = new java.util.concurrent.atomic.AtomicLong();
        private final int clusterId;
        private volatile io.vertx.core.net.SocketAddress client;

        private Relay(int clusterId) {
            this.clusterId = clusterId;
        }

        static Relay start(Vertx vertx, ClusterConfig config) throws Exception {
            Relay relay = new Relay((int) config.clusterId());
            MessageCodec codec = config.codec();
            for (int i = 0; i < config.memberCount(); i++) {
                String member = config.members().get(i).getHostAddress();
                DatagramSocket socket = vertx.createDatagramSocket(new DatagramSocketOptions().setReceiveBufferSize(1 << 16));
                socket.handler(packet -> {
                    if (packet.sender().host().equals(member) && packet.sender().port() == config.port()) {
                        Message m;
                        try {
                            m = codec.decode(packet.data().getBytes());
                        } catch (org.electrolab.protocol.WireException e) {
                            throw new AssertionError("a member sent what does not decode", e);
                        }
                        if (m instanceof Reply r && relay.replied.putIfAbsent(List.of(r.clientId(), r.requestNumber()), true) == null) {
                            relay.repliesDropped.incrementAndGet();
                            return;
                        }
                        socket.send(packet.data(), relay.client.port(), relay.client.host());
                    } else {
                        relay.client = packet.sender();
                        relay.requestsForwarded.incrementAndGet();
                        socket.send(packet.data(), config.port(), member);
                    }
                });
                socket.listen(0, "127.0.0." + (31 + i)).await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                relay.sockets.add(socket);
            }
            return relay;
        }

        ClusterEndpoints endpoints() {
            return new ClusterEndpoints(clusterId, sockets.stream().map(DatagramSocket::localAddress).toList());
        }

        long repliesDropped() {
            return repliesDropped.get();
        }

        long requestsForwarded() {
            return requestsForwarded.get();
        }
    }

    /** A kv client on a raw datagram socket that sends each request to every member until one replies. */
    private static final class Client {
        final List<String> unexpected = new CopyOnWriteArrayList<>();
        private final Map<Long, Promise<Reply>> pending = new ConcurrentHashMap<>();
        private final Vertx vertx;
        private final ClusterConfig config;
        private final MessageCodec codec;
        private final DatagramSocket socket;

        private Client(Vertx vertx, ClusterConfig config, DatagramSocket socket) {
            this.vertx = vertx;
            this.config = config;
            this.codec = config.codec();
            this.socket = socket;
        }

        static Client open(Vertx vertx, ClusterConfig config) throws Exception {
            DatagramSocket socket = vertx.createDatagramSocket(new DatagramSocketOptions().setReceiveBufferSize(1 << 16));
            Client client = new Client(vertx, config, socket);
            socket.handler(packet -> client.onDatagram(packet.data()));
            socket.listen(0, "127.0.0.1").await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return client;
        }

        Kv.Result call(long requestNumber, Kv.Command command) throws Exception {
            Request request = new Request(CLIENT_ID, requestNumber, Kv.encode(command));
            Promise<Reply> reply = Promise.promise();
            pending.put(requestNumber, reply);
            // Until the cluster has started view 0, requests go unanswered; resending is the client's job.
            long timer = vertx.setPeriodic(1, 50, id -> {
                for (int i = 0; i < config.memberCount(); i++) sendRaw(i, codec.encode(request));
            });
            try {
                return Kv.decodeResult(reply.future().await(TIMEOUT_SECONDS, TimeUnit.SECONDS).result());
            } finally {
                vertx.cancelTimer(timer);
            }
        }

        void sendRaw(int member, byte[] bytes) {
            socket.send(Buffer.buffer(bytes), config.port(), config.members().get(member).getHostAddress());
        }

        private void onDatagram(Buffer data) {
            try {
                Message m = codec.decode(data.getBytes(), 0, data.length());
                Promise<Reply> waiting = m instanceof Reply r && r.clientId() == CLIENT_ID ? pending.get(r.requestNumber()) : null;
                if (waiting == null) unexpected.add(m.toString());
                else waiting.tryComplete((Reply) m);
            } catch (Exception e) {
                unexpected.add(e.toString());
            }
        }
    }
}

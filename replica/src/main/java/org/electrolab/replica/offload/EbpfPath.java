package org.electrolab.replica.offload;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

import org.electrolab.protocol.Message;
import org.electrolab.protocol.MessageCodec;
import org.electrolab.protocol.Wire;
import org.electrolab.protocol.config.ClusterConfig;
import org.electrolab.protocol.config.Offload;
import org.electrolab.replica.core.Effects;
import org.electrolab.replica.transport.PacketPath;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The eBPF packet path: the requested offloads attached to the interface that holds this member's
 * address. While the replica follows in normal status, a core step that may vouch for the log or
 * leave the view (a tick; a StartViewChange, DoViewChange or StartView; any message of a later
 * view: {@link PacketPath#isLogDecision}) runs with fast_reply paused: {@link #drainRecorded}
 * pauses it and drains every Prepare it acknowledged, and a task queued on the replica's context
 * resumes it after the step. So the core never decides (a DoViewChange, say) on a log that misses
 * an op the kernel acknowledged, nor leaves a view with such an op still in the ring; Prepares that
 * arrive meanwhile go up the socket and the core answers them itself. Every other step (the
 * Prepares and Commits of normal operation) drains what is recorded without pausing, so the fast
 * path keeps answering while user space works. {@link FastReplyProtocol} makes these decisions
 * (the simulator runs the same class against its kernel model).
 *
 * <p>Where fast_reply's answers cannot arrive (an XDP_TX on a veth whose peer has no XDP program is
 * dropped) the leader resends every op the kernel answered; {@link ReplyDelivery} tells that from
 * loss, and this path then turns fast_reply off for a while (tried again after pauses that double),
 * says so in one line naming the fix, and shows it in its {@link #name} (the replica's stats and
 * {@code electrolab status}).
 */
public final class EbpfPath implements PacketPath {

    private static final Logger LOG = LoggerFactory.getLogger(EbpfPath.class);
    /** How long a Prepare the kernel acknowledged may take to appear in the ring: microseconds in practice. */
    private static final Duration RECORD_WAIT = Duration.ofSeconds(1);
    /** How often {@link ReplyDelivery} is fed. */
    private static final long DELIVERY_WINDOW_NANOS = Duration.ofSeconds(1).toNanos();

    private final LoadedPrograms offloads;
    private final String interfaceName;
    private final int myIndex;
    private final int memberCount;
    /** The largest message one unfragmented datagram on the interface carries (MTU - IPv4 - UDP headers). */
    private final int datagramMax;
    private final boolean fastReply;
    private final boolean broadcast;
    private final Object wake = new Object();
    private volatile boolean running;
    private boolean drainedSinceWake;
    private Thread notifier;
    private Context context;
    private final FastReplyProtocol protocol;
    private boolean paused;
    private boolean resumeQueued;
    private boolean closed;
    /** The counters as they were when the programs were unloaded: still shown after a fail-stop, and at exit. */
    private volatile Map<String, Long> countersAtClose;
    private int lastCarrier;
    private final ReplyDelivery delivery = new ReplyDelivery();
    private long resentAfterAnswer;
    private long deliveryWindowStart = System.nanoTime();
    /** fast_reply's answers were judged lost (at {@link #answersLostSince}): it is off until it is tried again. */
    private volatile boolean answersLost;
    private long answersLostSince;

    private EbpfPath(LoadedPrograms offloads, String interfaceName, int mtu, int myIndex, int memberCount) {
        this.offloads = offloads;
        this.interfaceName = interfaceName;
        this.datagramMax = mtu - 20 - 8;
        this.myIndex = myIndex;
        this.memberCount = memberCount;
        this.fastReply = offloads.enabled().contains(Offload.FAST_REPLY);
        this.broadcast = offloads.enabled().contains(Offload.TC_BROADCAST);
        this.lastCarrier = myIndex;
        this.protocol = new FastReplyProtocol(myIndex);
    }

    /**
     * Loads {@code requested} and attaches them to the interface holding member {@code myIndex}'s
     * address, in the calling thread's network namespace. Throws a BpfException whose message is one
     * line saying why when they cannot be loaded (no root, no libbpf, loopback address, ...).
     */
    public static EbpfPath open(ClusterConfig cluster, int myIndex, Set<Offload> requested) {
        if (requested.isEmpty()) throw new IllegalArgumentException("no offload requested");
        InetAddress address = cluster.members().get(myIndex);
        NetworkInterface nif = interfaceOf(address);
        if (requested.contains(Offload.TC_BROADCAST) && !forwarding(nif.getName())) {
            throw new BpfException("tc-broadcast needs IPv4 forwarding on " + nif.getName() + " (bpf_fib_lookup, which finds each "
                    + "follower's MAC, refuses otherwise): sysctl -w net.ipv4.conf." + nif.getName() + ".forwarding=1");
        }
        LoadedPrograms offloads = LoadedPrograms.load(ElConfig.of(cluster, myIndex), EnumSet.copyOf(requested));
        try {
            offloads.attach(nif.getIndex());
            return new EbpfPath(offloads, nif.getName(), nif.getMTU(), myIndex, cluster.memberCount());
        } catch (SocketException e) {
            offloads.close();
            throw new BpfException("cannot read the MTU of " + nif.getName() + ": " + e.getMessage());
        } catch (RuntimeException e) {
            offloads.close();
            throw e;
        }
    }

    private static NetworkInterface interfaceOf(InetAddress address) {
        if (address.isLoopbackAddress()) {
            // 127.0.0.0/8 answers on lo without being listed on it, so no interface "holds" it.
            throw new BpfException(address.getHostAddress() + " is on loopback lo: offloads need the member address"
                    + " on a NIC or veth (use the netns lab)");
        }
        NetworkInterface nif;
        try {
            nif = NetworkInterface.getByInetAddress(address);
        } catch (SocketException e) {
            throw new BpfException("cannot list network interfaces: " + e.getMessage());
        }
        if (nif == null) {
            throw new BpfException("no interface holds " + address.getHostAddress() + ": run the replica on the host of its member address");
        }
        try {
            if (nif.isLoopback()) {
                throw new BpfException(address.getHostAddress() + " is on loopback " + nif.getName()
                        + ": offloads need the member address on a NIC or veth (use the netns lab)");
            }
        } catch (SocketException e) {
            throw new BpfException("cannot read interface " + nif.getName() + ": " + e.getMessage());
        }
        return nif;
    }

    private static boolean forwarding(String interfaceName) {
        try {
            return Files.readString(Path.of("/proc/sys/net/ipv4/conf", interfaceName, "forwarding")).strip().equals("1");
        } catch (IOException e) {
            return false;
        }
    }

    /** The offloads behind this path (counters, state, programs). */
    public LoadedPrograms offloads() {
        return offloads;
    }

    @Override
    public String name() {
        return "ebpf:" + offloads.enabled().stream().sorted().map(o -> o.cliName).collect(Collectors.joining(","))
                + "@" + interfaceName + " (" + attachModes() + ")"
                + (answersLost ? " fast-reply off: its XDP_TX answers did not arrive" : "");
    }

    /** How the programs are attached, e.g. {@code xdp native, tc tcx-link}: what experiments record. */
    public String attachModes() {
        List<String> modes = new ArrayList<>();
        if (offloads.xdp() != null) modes.add("xdp " + offloads.xdp().mode().name().toLowerCase(Locale.ROOT));
        if (offloads.tc() != null) modes.add("tc " + offloads.tc().kind().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        return String.join(", ", modes);
    }

    @Override
    public void start(Runnable recordedReady) {
        context = Vertx.currentContext();
        if (context == null) throw new IllegalStateException("EbpfPath.start must run on the replica's Vert.x context");
        if (!fastReply) return;
        running = true;
        notifier = Thread.ofPlatform().name("electrolab-fast-reply-ring").daemon().start(() -> wakeOnRecords(recordedReady));
    }

    /** Wakes the replica when the ring holds records, then waits until it drained them. */
    private void wakeOnRecords(Runnable recordedReady) {
        try {
            while (running) {
                if (!offloads.ring().awaitRecords(Duration.ofMillis(200))) continue;
                synchronized (wake) {
                    drainedSinceWake = false;
                }
                recordedReady.run();
                synchronized (wake) {
                    while (running && !drainedSinceWake) wake.wait(200);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (running) LOG.error("fast-reply ring notifier stopped; recorded Prepares are drained only at the next step", e);
        }
    }

    @Override
    public void mirror(Effects.KernelState state) {
        offloads.mirror(state, paused);
        protocol.mirrored(state);
    }

    @Override
    public List<Message> drainRecorded(boolean beforeLogDecision) {
        synchronized (wake) {
            drainedSinceWake = true;
            wake.notifyAll();
        }
        if (!fastReply) return List.of();
        List<Message.Prepare> prepares;
        if (protocol.mustDrainAll(beforeLogDecision)) {
            if (!paused) {
                offloads.pauseFastReply();
                paused = true;
            }
            prepares = offloads.drainAllPrepares(RECORD_WAIT);
            if (!resumeQueued) {
                resumeQueued = true;
                context.runOnContext(v -> resume());
            }
        } else {
            prepares = offloads.drainPrepares();
        }
        return new ArrayList<>(protocol.recorded(prepares));
    }

    /**
     * Counts the leader's resends of ops the kernel answered and, once a window, asks
     * {@link ReplyDelivery} whether the answers arrive; when they do not, turns fast_reply off for
     * {@link ReplyDelivery#offFor} and says so (one line the first time): the core answers every
     * Prepare meanwhile, through the socket. Then fast_reply is tried again.
     */
    @Override
    public void passedUp(Message message) {
        if (!fastReply || closed) return;
        long now = System.nanoTime();
        if (answersLost) {
            if (now - answersLostSince < delivery.offFor().toNanos()) return;
            answersLost = false;
            paused = false;
            offloads.resumeFastReply();
            delivery.retry(answered(), resentAfterAnswer);
            deliveryWindowStart = now;
            return;
        }
        if (message instanceof Message.Prepare p && protocol.resentAfterAnswer(p)) resentAfterAnswer++;
        if (now - deliveryWindowStart < DELIVERY_WINDOW_NANOS) return;
        deliveryWindowStart = now;
        long answered = answered();
        if (!delivery.window(answered, resentAfterAnswer)) return;
        answersLost = true;
        answersLostSince = now;
        paused = true;
        offloads.pauseFastReply();
        if (delivery.judgements() == 1) {
            LOG.warn(ReplyDelivery.message(myIndex, interfaceName, answered, resentAfterAnswer, delivery.offFor()));
        } else {
            LOG.info(ReplyDelivery.stillLost(myIndex, interfaceName, delivery.offFor()));
        }
    }

    private long answered() {
        return offloads.counters(Offload.FAST_REPLY).getOrDefault("fast_replied", 0L);
    }

    /** The step is over: fast_reply may act again (unless its answers were judged lost). */
    private void resume() {
        resumeQueued = false;
        if (!paused || closed || answersLost) return;
        paused = false;
        offloads.resumeFastReply();
    }

    @Override
    public int broadcastCarrier(Message message) {
        if (!broadcast || memberCount < 2 || !(message instanceof Message.Prepare || message instanceof Message.Commit)) {
            return EACH_MEMBER;
        }
        // A fragmented datagram is not recognised at TC egress: only whole ones are cloned.
        if (Wire.HEADER_SIZE + MessageCodec.bodySize(message) > datagramMax) return EACH_MEMBER;
        // Round robin: each follower also gets datagrams from user space, which keeps its neighbour
        // entry resolved for bpf_fib_lookup.
        do {
            lastCarrier = (lastCarrier + 1) % memberCount;
        } while (lastCarrier == myIndex);
        return lastCarrier;
    }

    @Override
    public boolean sentByKernel(Effects.Send send) {
        return protocol.sentByKernel(send);
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> last = countersAtClose;
        return last != null ? last : offloads.counters();
    }

    /**
     * Stops the programs at once (a state in which they act on nothing), then detaches and unloads
     * them; {@link #counters} keeps answering with their last values.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        running = false;
        try {
            offloads.stop();
        } catch (RuntimeException e) {
            LOG.warn("could not stop the offloads before detaching them: {}", e.toString());
        }
        if (notifier != null) {
            synchronized (wake) {
                wake.notifyAll();
            }
            try {
                notifier.join(Duration.ofSeconds(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            countersAtClose = Map.copyOf(offloads.counters());
        } catch (RuntimeException e) {
            countersAtClose = Map.of();
        }
        offloads.close();
    }
}

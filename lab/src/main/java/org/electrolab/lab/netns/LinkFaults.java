package org.electrolab.lab.netns;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.electrolab.replica.offload.BpfException;
import org.electrolab.replica.offload.BpfMap;
import org.electrolab.replica.offload.BpfObject;
import org.electrolab.replica.offload.BpfProgInfo;
import org.electrolab.replica.offload.FaultConfig;
import org.electrolab.replica.offload.FaultCounter;
import org.electrolab.replica.offload.NetworkNamespace;
import org.electrolab.replica.offload.TcEgress;

/**
 * Link faults between the hosts of a netns lab: loss, duplication, delay with reordering, and
 * partitions between replicas. This kernel has no netem, so the faults come from
 * {@code bpf/fault_inject.bpf.c} at TC egress of the bridge ports in the lab's switch namespace
 * (one copy per port, so it acts on every frame delivered to that port's host) plus, for delay, an
 * HTB qdisc on the port with one rate-limited class. See docs/lab.md, "Link faults".
 *
 * <p>The program is loaded, attached and its maps written through the FFM libbpf layer
 * (org.electrolab.replica.offload), with the struct layouts of bpf/fault_inject.h; only the HTB
 * qdisc, which is not eBPF, goes through {@code tc}. Only IPv4 UDP is impaired; ARP and ICMP always
 * pass. The state lives in the kernel (the program's maps), not in this object: the program is a
 * cls_bpf filter that no process owns, so a fault set by one {@code LinkFaults} is seen, changed
 * and healed by any other on the same lab, in this process or another. Not thread-safe.
 * <pre>
 *   LinkFaults faults = LinkFaults.of(lab);
 *   faults.loss(0.2, lab.network().replicas());     // 20% of the datagrams to every replica lost
 *   faults.partition(List.of(leader));                // leader cut off from the other replicas
 *   faults.heal();                                    // ports as lab up left them
 * </pre>
 */
public final class LinkFaults {
    /** The program ({@code bpf/fault_inject.bpf.c}) and its maps, as the kernel names them. */
    static final String PROGRAM = "fault_inject";
    static final String CONFIG_MAP = "fault_config";
    static final String BLOCKED_MAP = "fault_blocked";
    static final String COUNTERS_MAP = "fault_counters";
    /** The counters of a port, in the order of enum fault_counter. */
    public static final List<String> COUNTERS = Arrays.stream(FaultCounter.values()).map(FaultCounter::label).toList();
    /**
     * The rate of the slow class. A 200-byte datagram is a 242-byte frame: 1.9 ms of the class's
     * time, so each slowed frame waits about 2 ms for every slowed frame queued ahead of it.
     */
    public static final long SLOW_RATE_BITS_PER_SECOND = 1_000_000;
    /** Bytes the slow class may send at once after an idle period: about one small datagram. */
    static final int SLOW_BURST_BYTES = 256;
    /** Frames the slow class queues; more are dropped by the qdisc (not counted by the program). */
    static final int SLOW_QUEUE_FRAMES = 1000;
    /** HTB 1: on the port, slow class 1:1 (what the program writes to skb->priority), its FIFO 2:. */
    static final String HTB_HANDLE = "1:";
    static final String SLOW_CLASS = "1:1";
    static final int SLOW_CLASSID = 0x0001_0001;
    private static final String SLOW_QUEUE_HANDLE = "2:";
    /**
     * The program's filter on a port's clsact qdisc: fixed, so that any LinkFaults finds it again.
     * Nothing else attaches at egress of the bridge ports.
     */
    static final int FILTER_HANDLE = 1;
    static final int FILTER_PRIORITY = 1;
    private static final int PPM = 1_000_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The program on one port: its id and its maps' ids by name. */
    private record Attached(String port, int programId, Map<String, Integer> maps) {
        int map(String name) {
            Integer id = maps.get(name);
            if (id == null) throw new LabException("program " + programId + " on port " + port + " has no map " + name + "; its maps: " + maps.keySet());
            return id;
        }
    }

    private final Network network;
    private final Netns sw;
    /** Map ids by program id: a loaded program keeps its maps, and the kernel does not reuse an id soon. */
    private final Map<Integer, Map<String, Integer>> mapsByProgram = new HashMap<>();

    private LinkFaults(Network network, CommandRunner runner) {
        this.network = network;
        this.sw = new Netns(network.switchNetns(), runner);
    }

    /** The link faults of {@code lab} (up, or built by {@link Lab#create}); needs root, libbpf and tc. */
    public static LinkFaults of(Lab lab) {
        Privileges.requireRoot();
        Privileges.requireTool("tc", "iproute2");
        return new LinkFaults(lab.network(), lab.runner());
    }

    /** Drops {@code fraction} (0..1) of the UDP datagrams delivered to each host of {@code to}; 0 stops it. */
    public void loss(double fraction, Collection<Host> to) {
        int ppm = ppm("loss", fraction);
        for (Host host : hosts(to)) changeConfig(attach(host), c -> c.withLossPpm(ppm));
    }

    /** Delivers {@code fraction} (0..1) of the UDP datagrams to each host of {@code to} twice; 0 stops it. */
    public void duplicate(double fraction, Collection<Host> to) {
        int ppm = ppm("duplicate", fraction);
        for (Host host : hosts(to)) changeConfig(attach(host), c -> c.withDuplicatePpm(ppm));
    }

    /**
     * Sends {@code fraction} (0..1) of the UDP datagrams to each host of {@code to} through a class
     * limited to {@link #SLOW_RATE_BITS_PER_SECOND}, the rest past it: a slowed datagram waits for
     * the slowed ones queued ahead of it (about 2 ms per 200-byte datagram) while unslowed ones
     * overtake it. It is a queue, not netem's fixed delay: a lone datagram after a quiet spell is not
     * delayed, the delay grows with the slowed traffic, and past {@link #SLOW_QUEUE_FRAMES} queued
     * frames the queue drops. 0 stops it.
     */
    public void slow(double fraction, Collection<Host> to) {
        int ppm = ppm("slow", fraction);
        for (Host host : hosts(to)) {
            Attached attached = attach(host);
            if (ppm > 0) addSlowClass(host.bridgePort());
            changeConfig(attached, c -> c.withSlow(ppm, ppm > 0 ? SLOW_CLASSID : 0));
        }
    }

    /**
     * Cuts the replicas in {@code side} off from the other replicas, both ways: no UDP datagram
     * from one group is delivered to the other. The client reaches every replica, and replicas
     * within a group reach each other. Replaces an earlier partition; an empty side, or one with
     * every replica, ends it.
     */
    public void partition(Collection<Host> side) {
        Set<Host> inside = hosts(side);
        for (Host host : inside) {
            if (!host.isReplica()) {
                throw new LabException("partition: " + host.name() + " is not a replica; a partition splits the replicas"
                        + " and the client always reaches them, so name only replicas (r0, r1, ...)");
            }
        }
        for (Host replica : network.replicas()) {
            Set<Integer> blocked = new LinkedHashSet<>();
            for (Host other : network.replicas()) {
                if (inside.contains(other) != inside.contains(replica)) blocked.add(sourceKey(other.address()));
            }
            Optional<Attached> attached = blocked.isEmpty() ? find(replica.bridgePort()) : Optional.of(attach(replica));
            if (attached.isPresent()) setBlocked(attached.get(), blocked);
        }
    }

    /**
     * What the program did on {@code host}'s port, by {@link #COUNTERS} name: frames seen (IPv4 UDP,
     * duplicates not included), dropped for loss or partition, duplicated, slowed. All zero when no
     * fault was set on that port since the last {@link #heal}.
     */
    public Map<String, Long> counters(Host host) {
        Map<String, Long> counters = new LinkedHashMap<>();
        for (String name : COUNTERS) counters.put(name, 0L);
        String port = ours(host).bridgePort();
        Optional<Attached> attached = find(port);
        if (attached.isEmpty()) return counters;
        withMap(attached.get(), COUNTERS_MAP, map -> {
            for (FaultCounter counter : FaultCounter.values()) {
                counters.put(counter.label(), ByteBuffer.wrap(map.lookup(counter.index())).order(ByteOrder.nativeOrder()).getLong());
            }
            return null;
        });
        return counters;
    }

    /**
     * Removes every fault from every port of the lab: the clsact qdisc (and with it the program and
     * its maps) and the HTB qdisc, leaving each port as lab up made it (XDP_PASS only). Idempotent;
     * does nothing on ports without faults, or when the lab is down.
     */
    public void heal() {
        if (!sw.exists()) return;
        for (Host host : network.hosts()) {
            String port = host.bridgePort();
            for (JsonNode qdisc : qdiscs(port)) {
                String kind = qdisc.path("kind").asText();
                if (kind.equals("clsact")) inSwitch(port, () -> TcEgress.removeClsact(NetworkNamespace.interfaceIndex(port)));
                else if (kind.equals("htb") && qdisc.path("root").asBoolean()) tc("qdisc", "del", "dev", port, "root");
            }
        }
    }

    private static int ppm(String what, double fraction) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new LabException(what + ": fraction " + fraction + " is out of range; use 0..1 (0.2 = 20% of the datagrams)");
        }
        return (int) Math.round(fraction * PPM);
    }

    /** The hosts of this lab among {@code hosts}, in order; another lab's host is an error. */
    private Set<Host> hosts(Collection<Host> hosts) {
        Set<Host> ours = new LinkedHashSet<>();
        for (Host host : hosts) ours.add(ours(host));
        return ours;
    }

    private Host ours(Host host) {
        if (!network.hosts().contains(host)) {
            throw new LabException("host " + host.name() + " (" + host.netns() + ") is not in lab " + network.labName()
                    + "; take hosts from this lab's network()");
        }
        return host;
    }

    /** The program on {@code host}'s port, loaded and attached when it is not there yet. */
    private Attached attach(Host host) {
        String port = host.bridgePort();
        Optional<Attached> found = find(port);
        if (found.isPresent()) return found.get();
        // Once attached, the filter holds the program and the program its maps: the object may go.
        int programId = inSwitch(port, () -> {
            try (BpfObject object = BpfObject.openResource(PROGRAM)) {
                object.load();
                return TcEgress.attachFilter(object.program(PROGRAM), NetworkNamespace.interfaceIndex(port), FILTER_HANDLE, FILTER_PRIORITY);
            }
        });
        return attached(port, programId);
    }

    /** The program on {@code port}'s TC egress, if loaded. */
    private Optional<Attached> find(String port) {
        OptionalInt programId = inSwitch(port, () ->
                TcEgress.filterProgramId(NetworkNamespace.interfaceIndex(port), FILTER_HANDLE, FILTER_PRIORITY));
        return programId.isPresent() ? Optional.of(attached(port, programId.getAsInt())) : Optional.empty();
    }

    private Attached attached(String port, int programId) {
        return new Attached(port, programId, mapsByProgram.computeIfAbsent(programId, id -> maps(port, id)));
    }

    private static Map<String, Integer> maps(String port, int programId) {
        BpfProgInfo program = libbpf(port, () -> BpfProgInfo.ofId(programId)).orElseThrow(() ->
                new LabException("the program on port " + port + " (id " + programId + ") was unloaded meanwhile; try again"));
        if (!program.name().equals(PROGRAM)) {
            throw new LabException("port " + port + " has program " + program.name() + " (id " + programId + ") where " + PROGRAM
                    + " belongs; run `electrolab lab down` and up again");
        }
        Map<String, Integer> maps = new LinkedHashMap<>();
        for (int mapId : program.mapIds()) {
            try (BpfMap map = libbpf(port, () -> BpfMap.openById(mapId))) {
                maps.put(map.name(), mapId);
            }
        }
        return maps;
    }

    /** HTB at the root of {@code port}, with the slow class the program sends slowed frames to; kept when there. */
    private void addSlowClass(String port) {
        boolean present = qdiscs(port).stream().anyMatch(q -> q.path("kind").asText().equals("htb") && q.path("root").asBoolean());
        if (present) return;
        // No default class: frames the program leaves alone go to HTB's direct queue, unshaped.
        tc("qdisc", "add", "dev", port, "root", "handle", HTB_HANDLE, "htb");
        String rate = SLOW_RATE_BITS_PER_SECOND + "bit";
        String burst = SLOW_BURST_BYTES + "b";
        tc("class", "add", "dev", port, "parent", HTB_HANDLE, "classid", SLOW_CLASS, "htb", "rate", rate, "ceil", rate,
                "burst", burst, "cburst", burst, "quantum", Integer.toString(Network.MTU + 16));
        tc("qdisc", "add", "dev", port, "parent", SLOW_CLASS, "handle", SLOW_QUEUE_HANDLE, "pfifo",
                "limit", Integer.toString(SLOW_QUEUE_FRAMES));
    }

    /** Rewrites the port's struct fault_config with {@code change} applied to what it holds. */
    private void changeConfig(Attached attached, UnaryOperator<FaultConfig> change) {
        withMap(attached, CONFIG_MAP, map -> {
            map.update(0, change.apply(FaultConfig.fromBytes(map.lookup(0))).toBytes());
            return null;
        });
    }

    private void setBlocked(Attached attached, Set<Integer> sources) {
        withMap(attached, BLOCKED_MAP, map -> {
            Set<Integer> missing = new LinkedHashSet<>(sources);
            for (int key : map.keys()) {
                if (!missing.remove(key)) map.delete(key);
            }
            for (int key : missing) map.update(key, new byte[] {1});
            return null;
        });
    }

    /** Runs {@code work} on map {@code name} of the attached program, opened by its id. */
    private static <T> T withMap(Attached attached, String name, Function<BpfMap, T> work) {
        int id = attached.map(name);
        return libbpf(attached.port(), () -> {
            try (BpfMap map = BpfMap.openById(id)) {
                return work.apply(map);
            }
        });
    }

    /** fault_blocked's key for a source address: its four bytes as they sit in the IPv4 header. */
    private static int sourceKey(String address) {
        return ByteBuffer.wrap(ipv4(address)).order(ByteOrder.nativeOrder()).getInt();
    }

    private List<JsonNode> qdiscs(String port) {
        List<JsonNode> qdiscs = new ArrayList<>();
        json(tc("-j", "qdisc", "show", "dev", port)).forEach(qdiscs::add);
        return qdiscs;
    }

    /** Runs {@code work} in the switch namespace, where the bridge ports are (a netlink socket, an interface index). */
    private <T> T inSwitch(String port, Callable<T> work) {
        return libbpf(port, () -> NetworkNamespace.call(sw.name(), work));
    }

    /** A libbpf or kernel failure as a one-line LabException that names the port. */
    private static <T> T libbpf(String port, Callable<T> work) {
        try {
            return work.call();
        } catch (BpfException e) {
            throw new LabException("link faults on port " + port + ": " + e.getMessage());
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs tc inside the switch namespace: the HTB qdisc of slow, which is not eBPF. */
    private String tc(String... args) {
        List<String> command = new ArrayList<>(List.of("tc"));
        command.addAll(List.of(args));
        return sw.exec(command.toArray(String[]::new));
    }

    private static JsonNode json(String text) {
        if (text.isBlank()) return JSON.createArrayNode();
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new LabException("unreadable JSON from tc (" + e.getOriginalMessage() + "): " + LabException.oneLine(text));
        }
    }

    private static byte[] ipv4(String address) {
        try {
            return ((Inet4Address) InetAddress.getByName(address)).getAddress();
        } catch (UnknownHostException | ClassCastException e) {
            throw new LabException("lab host address " + address + " is not IPv4");
        }
    }
}

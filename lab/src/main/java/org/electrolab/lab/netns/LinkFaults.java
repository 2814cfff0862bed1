package org.electrolab.lab.netns;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Link faults between the hosts of a netns lab: loss, duplication, delay with reordering, and
 * partitions between replicas. This kernel has no netem, so the faults come from
 * {@code bpf/fault_inject.bpf.c} at TC egress of the bridge ports in the lab's switch namespace
 * (one copy per port, so it acts on every frame delivered to that port's host) plus, for delay, an
 * HTB qdisc on the port with one rate-limited class. See docs/lab.md, "Link faults".
 *
 * <p>Only IPv4 UDP is impaired; ARP and ICMP always pass. The state lives in the kernel (the
 * program's maps), not in this object: a fault set by one {@code LinkFaults} is seen, changed and
 * healed by any other on the same lab. Not thread-safe.
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
    public static final List<String> COUNTERS = List.of("seen", "dropped_loss", "dropped_partition", "duplicated", "slowed");
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
    private static final int PPM = 1_000_000;
    /** Byte offsets of struct fault_config's fields. */
    private static final int LOSS_OFFSET = 0;
    private static final int DUPLICATE_OFFSET = 4;
    private static final int SLOW_OFFSET = 8;
    private static final int SLOW_CLASSID_OFFSET = 12;
    private static final int CONFIG_SIZE = 16;
    private static final byte[] ZERO_KEY = new byte[4];

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The program on one port: its id and its maps' ids by name. */
    private record Attached(String port, long programId, Map<String, Long> maps) {
        long map(String name) {
            Long id = maps.get(name);
            if (id == null) throw new LabException("program " + programId + " on port " + port + " has no map " + name + "; its maps: " + maps.keySet());
            return id;
        }
    }

    private final LabNetwork network;
    private final Netns sw;
    private final CommandRunner runner;
    private final Path object;
    /** Map ids by program id: a loaded program keeps its maps, and the kernel does not reuse an id soon. */
    private final Map<Long, Map<String, Long>> mapsByProgram = new HashMap<>();

    private LinkFaults(LabNetwork network, CommandRunner runner, Path object) {
        this.network = network;
        this.sw = new Netns(network.switchNetns(), runner);
        this.runner = runner;
        this.object = object;
    }

    /** The link faults of {@code lab} (up, or built by {@link Lab#create}); needs root, tc and bpftool. */
    public static LinkFaults of(Lab lab) {
        Privileges.requireRoot();
        Privileges.requireTool("tc", "iproute2");
        Privileges.requireTool("bpftool", "bpftool");
        return new LinkFaults(lab.network(), lab.runner(), lab.bpfObject(PROGRAM));
    }

    /** Drops {@code fraction} (0..1) of the UDP datagrams delivered to each host of {@code to}; 0 stops it. */
    public void loss(double fraction, Collection<LabHost> to) {
        setField("loss", fraction, LOSS_OFFSET, to);
    }

    /** Delivers {@code fraction} (0..1) of the UDP datagrams to each host of {@code to} twice; 0 stops it. */
    public void duplicate(double fraction, Collection<LabHost> to) {
        setField("duplicate", fraction, DUPLICATE_OFFSET, to);
    }

    /**
     * Sends {@code fraction} (0..1) of the UDP datagrams to each host of {@code to} through a class
     * limited to {@link #SLOW_RATE_BITS_PER_SECOND}, the rest past it: a slowed datagram waits for
     * the slowed ones queued ahead of it (about 2 ms per 200-byte datagram) while unslowed ones
     * overtake it. It is a queue, not netem's fixed delay: a lone datagram after a quiet spell is not
     * delayed, the delay grows with the slowed traffic, and past {@link #SLOW_QUEUE_FRAMES} queued
     * frames the queue drops. 0 stops it.
     */
    public void slow(double fraction, Collection<LabHost> to) {
        int ppm = ppm("slow", fraction);
        for (LabHost host : hosts(to)) {
            Attached attached = attach(host);
            if (ppm > 0) addSlowClass(host.bridgePort());
            byte[] config = config(attached);
            ByteBuffer.wrap(config).order(ByteOrder.LITTLE_ENDIAN)
                    .putInt(SLOW_OFFSET, ppm).putInt(SLOW_CLASSID_OFFSET, ppm > 0 ? SLOW_CLASSID : 0);
            update(attached.map(CONFIG_MAP), ZERO_KEY, config);
        }
    }

    /**
     * Cuts the replicas in {@code side} off from the other replicas, both ways: no UDP datagram
     * from one group is delivered to the other. The client reaches every replica, and replicas
     * within a group reach each other. Replaces an earlier partition; an empty side, or one with
     * every replica, ends it.
     */
    public void partition(Collection<LabHost> side) {
        Set<LabHost> inside = hosts(side);
        for (LabHost host : inside) {
            if (!host.isReplica()) {
                throw new LabException("partition: " + host.name() + " is not a replica; a partition splits the replicas"
                        + " and the client always reaches them, so name only replicas (r0, r1, ...)");
            }
        }
        for (LabHost replica : network.replicas()) {
            Set<String> blocked = new LinkedHashSet<>();
            for (LabHost other : network.replicas()) {
                if (inside.contains(other) != inside.contains(replica)) blocked.add(other.address());
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
    public Map<String, Long> counters(LabHost host) {
        Map<String, Long> counters = new LinkedHashMap<>();
        for (String name : COUNTERS) counters.put(name, 0L);
        Optional<Attached> attached = find(ours(host).bridgePort());
        if (attached.isEmpty()) return counters;
        for (JsonNode entry : json(runner.run("bpftool", "-j", "map", "dump", "id", Long.toString(attached.get().map(COUNTERS_MAP))))) {
            int index = (int) littleEndian(bytes(entry.path("key")));
            if (index < COUNTERS.size()) counters.put(COUNTERS.get(index), littleEndian(bytes(entry.path("value"))));
        }
        return counters;
    }

    /**
     * Removes every fault from every port of the lab: the clsact qdisc (and with it the program and
     * its maps) and the HTB qdisc, leaving each port as lab up made it (XDP_PASS only). Idempotent;
     * does nothing on ports without faults, or when the lab is down.
     */
    public void heal() {
        if (!sw.exists()) return;
        for (LabHost host : network.hosts()) {
            String port = host.bridgePort();
            for (JsonNode qdisc : qdiscs(port)) {
                String kind = qdisc.path("kind").asText();
                if (kind.equals("clsact")) tc("qdisc", "del", "dev", port, "clsact");
                else if (kind.equals("htb") && qdisc.path("root").asBoolean()) tc("qdisc", "del", "dev", port, "root");
            }
        }
    }

    private void setField(String what, double fraction, int offset, Collection<LabHost> to) {
        int ppm = ppm(what, fraction);
        for (LabHost host : hosts(to)) {
            Attached attached = attach(host);
            byte[] config = config(attached);
            ByteBuffer.wrap(config).order(ByteOrder.LITTLE_ENDIAN).putInt(offset, ppm);
            update(attached.map(CONFIG_MAP), ZERO_KEY, config);
        }
    }

    private static int ppm(String what, double fraction) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new LabException(what + ": fraction " + fraction + " is out of range; use 0..1 (0.2 = 20% of the datagrams)");
        }
        return (int) Math.round(fraction * PPM);
    }

    /** The hosts of this lab among {@code hosts}, in order; another lab's host is an error. */
    private Set<LabHost> hosts(Collection<LabHost> hosts) {
        Set<LabHost> ours = new LinkedHashSet<>();
        for (LabHost host : hosts) ours.add(ours(host));
        return ours;
    }

    private LabHost ours(LabHost host) {
        if (!network.hosts().contains(host)) {
            throw new LabException("host " + host.name() + " (" + host.netns() + ") is not in lab " + network.labName()
                    + "; take hosts from this lab's network()");
        }
        return host;
    }

    /** The program on {@code host}'s port, loaded (with a clsact qdisc) when it is not there yet. */
    private Attached attach(LabHost host) {
        String port = host.bridgePort();
        Optional<Attached> found = find(port);
        if (found.isPresent()) return found.get();
        if (qdiscs(port).stream().noneMatch(q -> q.path("kind").asText().equals("clsact"))) tc("qdisc", "add", "dev", port, "clsact");
        tc("filter", "add", "dev", port, "egress", "bpf", "direct-action", "obj", object.toString(), "sec", "tc");
        return find(port).orElseThrow(() -> new LabException("tc loaded " + object + " on port " + port + " in " + sw
                + " but `tc filter show dev " + port + " egress` does not list program " + PROGRAM));
    }

    /** The program on {@code port}'s TC egress, if loaded. */
    private Optional<Attached> find(String port) {
        for (JsonNode filter : json(tc("-j", "filter", "show", "dev", port, "egress"))) {
            JsonNode program = filter.path("options").path("prog");
            if (program.path("name").asText().equals(PROGRAM)) {
                long id = program.path("id").asLong();
                return Optional.of(new Attached(port, id, mapsByProgram.computeIfAbsent(id, this::maps)));
            }
        }
        return Optional.empty();
    }

    private Map<String, Long> maps(long programId) {
        Map<String, Long> maps = new LinkedHashMap<>();
        for (JsonNode mapId : json(runner.run("bpftool", "-j", "prog", "show", "id", Long.toString(programId))).path("map_ids")) {
            JsonNode map = json(runner.run("bpftool", "-j", "map", "show", "id", mapId.asText()));
            maps.put(map.path("name").asText(), map.path("id").asLong());
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
                "burst", burst, "cburst", burst, "quantum", Integer.toString(LabNetwork.MTU + 16));
        tc("qdisc", "add", "dev", port, "parent", SLOW_CLASS, "handle", SLOW_QUEUE_HANDLE, "pfifo",
                "limit", Integer.toString(SLOW_QUEUE_FRAMES));
    }

    private byte[] config(Attached attached) {
        JsonNode entry = json(runner.run(bpftoolMap("lookup", attached.map(CONFIG_MAP), ZERO_KEY, null)));
        byte[] value = bytes(entry.path("value"));
        if (value.length != CONFIG_SIZE) {
            throw new LabException("map " + CONFIG_MAP + " of program " + attached.programId() + " holds " + value.length
                    + " bytes, not " + CONFIG_SIZE + ": the jar's " + PROGRAM + ".bpf.o and LinkFaults disagree; rebuild");
        }
        return value;
    }

    private void setBlocked(Attached attached, Set<String> addresses) {
        long map = attached.map(BLOCKED_MAP);
        Set<String> keys = new LinkedHashSet<>();
        for (String address : addresses) keys.add(HexFormat.of().formatHex(ipv4(address)));
        for (JsonNode entry : json(runner.run("bpftool", "-j", "map", "dump", "id", Long.toString(map)))) {
            byte[] key = bytes(entry.path("key"));
            if (!keys.remove(HexFormat.of().formatHex(key))) runner.run(bpftoolMap("delete", map, key, null));
        }
        for (String key : keys) update(map, HexFormat.of().parseHex(key), new byte[] {1});
    }

    private void update(long map, byte[] key, byte[] value) {
        runner.run(bpftoolMap("update", map, key, value));
    }

    /** {@code bpftool -j map VERB id MAP key hex ... [value hex ...]}. */
    private static List<String> bpftoolMap(String verb, long map, byte[] key, byte[] value) {
        List<String> command = new ArrayList<>(List.of("bpftool", "-j", "map", verb, "id", Long.toString(map), "key", "hex"));
        for (byte b : key) command.add(HexFormat.of().toHexDigits(b));
        if (value != null) {
            command.addAll(List.of("value", "hex"));
            for (byte b : value) command.add(HexFormat.of().toHexDigits(b));
        }
        return command;
    }

    private List<JsonNode> qdiscs(String port) {
        List<JsonNode> qdiscs = new ArrayList<>();
        json(tc("-j", "qdisc", "show", "dev", port)).forEach(qdiscs::add);
        return qdiscs;
    }

    /** Runs tc inside the switch namespace, where the bridge ports are. */
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
            throw new LabException("unreadable JSON from tc or bpftool (" + e.getOriginalMessage() + "): " + LabException.oneLine(text));
        }
    }

    /** bpftool's bytes: an array of "0x.." strings. */
    private static byte[] bytes(JsonNode array) {
        byte[] bytes = new byte[array.size()];
        for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) Integer.parseInt(array.get(i).asText().substring(2), 16);
        return bytes;
    }

    private static long littleEndian(byte[] bytes) {
        long value = 0;
        for (int i = bytes.length - 1; i >= 0; i--) value = value << 8 | (bytes[i] & 0xff);
        return value;
    }

    private static byte[] ipv4(String address) {
        try {
            return ((Inet4Address) InetAddress.getByName(address)).getAddress();
        } catch (UnknownHostException | ClassCastException e) {
            throw new LabException("lab host address " + address + " is not IPv4");
        }
    }
}

package org.electrolab.lab.netns;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.electrolab.protocol.Wire;

/**
 * The network of one netns lab named L: a namespace per host ({@code el-L-r0 .. el-L-r<N-1>},
 * {@code el-L-client}) and a switch namespace {@code el-L-sw} holding the bridge, one veth pair per
 * host (host end {@code eth0} in the host, peer end attached to the bridge). Nothing lives in the
 * root namespace, so deleting the lab's namespaces deletes every link it made.
 *
 * <p>Addresses come from the RFC 2544 benchmarking range 198.18.0.0/15: host h of the lab with
 * subnet number n is 198.18.n.h/24 (replica i at .i+1, the client at .100); see docs/lab.md.
 */
public final class Network {
    public static final String PREFIX = "el-";
    /** Lab names: short (interface and namespace names stay readable) and without '-' so one lab's prefix never matches another's. */
    public static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]{0,11}");
    public static final String HOST_INTERFACE = "eth0";
    public static final String BRIDGE = "br0";
    public static final String CLIENT = "client";
    public static final int SUBNET_MAX = 255;
    public static final int CLIENT_HOST = 100;
    /**
     * veth MTU. Native XDP on a veth refuses a peer MTU above one page less XDP headroom and
     * skb_shared_info: 3506 on kernel 6.18 with 4 KiB pages (measured: 3507 is rejected); 3498 leaves
     * room for kernels whose skb_shared_info is larger.
     */
    public static final int MTU = 3498;
    /**
     * Queues per veth end, equal on both ends (native XDP on a veth needs at least as many rx queues
     * as its peer has tx queues). One: a veth picks the receive queue from the sender's queue
     * mapping, so with several, TC's clones and the socket's own datagrams to one follower could be
     * received on different queues and overtake each other, which VR sees as gaps. A NIC hashes a
     * flow to one queue; one queue per veth keeps that order.
     */
    public static final int VETH_QUEUES = 1;

    private final String labName;
    private final int subnet;
    private final List<Host> hosts;

    private Network(String labName, int subnet, List<Host> hosts) {
        this.labName = labName;
        this.subnet = subnet;
        this.hosts = List.copyOf(hosts);
    }

    /** The layout of lab {@code labName} with {@code replicas} replica hosts and one client host. */
    public static Network plan(String labName, int replicas, int subnet) {
        requireName(labName);
        if (replicas < 1 || replicas > Wire.REPLICAS_MAX) {
            throw new LabException("replicas: " + replicas + " is out of range; use 1.." + Wire.REPLICAS_MAX);
        }
        if (subnet < 0 || subnet > SUBNET_MAX) {
            throw new LabException("subnet: " + subnet + " is out of range; use 0.." + SUBNET_MAX);
        }
        List<Host> hosts = new ArrayList<>();
        for (int id = 0; id < replicas; id++) hosts.add(host(labName, subnet, "r" + id, id, id + 1));
        hosts.add(host(labName, subnet, CLIENT, -1, CLIENT_HOST));
        return new Network(labName, subnet, hosts);
    }

    private static Host host(String labName, int subnet, String name, int replicaId, int hostNumber) {
        return new Host(name, replicaId, PREFIX + labName + "-" + name, "198.18." + subnet + "." + hostNumber,
                String.format("02:00:c6:12:%02x:%02x", subnet, hostNumber), name);
    }

    public static void requireName(String labName) {
        if (labName == null || !NAME.matcher(labName).matches()) {
            throw new LabException("--name: '" + labName + "' is not a lab name; use 1-12 lower-case letters"
                    + " and digits starting with a letter, e.g. lab or t42");
        }
    }

    /** The prefix of every namespace of lab {@code labName}; no other lab's names start with it. */
    public static String namespacePrefix(String labName) {
        return PREFIX + labName + "-";
    }

    public String labName() {
        return labName;
    }

    public int subnet() {
        return subnet;
    }

    public List<Host> hosts() {
        return hosts;
    }

    public List<Host> replicas() {
        return hosts.stream().filter(Host::isReplica).toList();
    }

    public Host client() {
        return hosts.getLast();
    }

    public Host host(String name) {
        return hosts.stream().filter(h -> h.name().equals(name)).findFirst()
                .orElseThrow(() -> new LabException("no host " + name + " in lab " + labName));
    }

    public String switchNetns() {
        return namespacePrefix(labName) + "sw";
    }

    /** Every namespace of this lab, hosts first, switch last. */
    public List<String> namespaces() {
        List<String> names = new ArrayList<>(hosts.stream().map(Host::netns).toList());
        names.add(switchNetns());
        return names;
    }

    /**
     * Hook for the XDP offloads: host name to the bridge-side veth peer of that host's interface,
     * which lives in {@link #switchNetns()}. An XDP_TX from a host's {@code eth0} is dropped unless this
     * peer has an XDP program, so the offload attaches an XDP_PASS program on it.
     */
    public Map<String, String> bridgePortsByHost() {
        Map<String, String> ports = new LinkedHashMap<>();
        for (Host host : hosts) ports.put(host.name(), host.bridgePort());
        return ports;
    }

    /**
     * Attaches the XDP_PASS program in {@code object} (bpf/xdp_pass.bpf.c, compiled) to every
     * bridge-side port, in native mode, so that fast-reply's XDP_TX from a host reaches the bridge.
     * Attached through netlink, not a link: it stays as long as the port, and goes with the switch
     * namespace when the lab goes down, whichever process brought the lab up.
     */
    public void attachXdpPass(CommandRunner runner, Path object) {
        Netns sw = new Netns(switchNetns(), runner);
        for (String port : bridgePortsByHost().values()) {
            sw.ip("link", "set", "dev", port, "xdpdrv", "obj", object.toString(), "sec", "xdp");
        }
    }

    /**
     * Creates the namespaces, bridge and cables. The caller records {@link #namespaces()} first: every
     * link lives inside one of them, so deleting them undoes whatever part of this ran.
     */
    public void create(CommandRunner runner) {
        Netns sw = new Netns(switchNetns(), runner);
        sw.add();
        sw.ip("link", "set", "lo", "up");
        // New namespaces start with bridge-nf-call-* = 1 when br_netfilter is loaded: bridged frames
        // would then traverse the host's iptables, which a lab switch must not do.
        sw.sysctlIfPresent("net.bridge.bridge-nf-call-iptables=0", "net.bridge.bridge-nf-call-ip6tables=0",
                "net.bridge.bridge-nf-call-arptables=0");
        sw.ip("link", "add", BRIDGE, "type", "bridge", "stp_state", "0", "forward_delay", "0");
        sw.ip("link", "set", BRIDGE, "up");
        for (Host host : hosts) cable(runner, sw, host);
    }

    private void cable(CommandRunner runner, Netns sw, Host host) {
        Netns ns = new Netns(host.netns(), runner);
        String queues = Integer.toString(VETH_QUEUES);
        String mtu = Integer.toString(MTU);
        ns.add();
        ns.ip("link", "set", "lo", "up");
        ns.ip("link", "add", HOST_INTERFACE, "mtu", mtu, "address", host.mac(),
                "numtxqueues", queues, "numrxqueues", queues, "type", "veth",
                "peer", "name", host.bridgePort(), "netns", sw.name(), "mtu", mtu,
                "numtxqueues", queues, "numrxqueues", queues);
        sw.ip("link", "set", host.bridgePort(), "master", BRIDGE);
        sw.ip("link", "set", host.bridgePort(), "up");
        ns.ip("addr", "add", host.address() + "/24", "dev", HOST_INTERFACE);
        // bpf_fib_lookup answers BPF_FIB_LKUP_RET_FWD_DISABLED on an interface without forwarding.
        // IPv6 is off so the offloads' counters see only the lab's IPv4 traffic, not ND/MLD chatter.
        ns.sysctl("net.ipv4.conf." + HOST_INTERFACE + ".forwarding=1", "net.ipv6.conf.all.disable_ipv6=1",
                "net.ipv6.conf.default.disable_ipv6=1");
        // A wire carries full checksums; with tx offload on, a veth hands XDP and TC programs UDP
        // packets whose checksum field holds only the pseudo-header sum.
        ns.exec("ethtool", "-K", HOST_INTERFACE, "tx", "off");
        ns.ip("link", "set", HOST_INTERFACE, "up");
    }

    /**
     * Deletes every namespace of lab {@code labName} found by prefix, plus {@code alsoNamespaces}
     * (names a state file recorded). Processes inside must be gone first: a namespace a process still
     * holds outlives its name, with its links.
     */
    public static void deleteNamespaces(CommandRunner runner, String labName, List<String> alsoNamespaces) {
        List<String> names = new ArrayList<>(Netns.list(runner, namespacePrefix(labName)));
        for (String recorded : alsoNamespaces) if (!names.contains(recorded)) names.add(recorded);
        for (String name : names) new Netns(name, runner).deleteIfExists();
    }
}

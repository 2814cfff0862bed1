package org.electrolab.replica.offload;

import java.util.ArrayList;
import java.util.List;

/**
 * Test namespaces: {@code nodes} hosts (eth0 = 10.9.0.(i+1)/24, kernel-chosen MACs) whose veth
 * peers v0, v1, ... sit on bridge br0 in a namespace of its own. Everything is removed on close.
 */
final class BridgeLab implements AutoCloseable {

    final Netns bridge;
    final List<Netns> nodes = new ArrayList<>();

    private BridgeLab(Netns bridge) {
        this.bridge = bridge;
    }

    static BridgeLab create(String tag, int hosts) {
        BridgeLab lab = new BridgeLab(Netns.create(tag + "-br"));
        try {
            // A namespace may start with bridge-nf-call-iptables=1 (br_netfilter): bridged frames must not meet iptables.
            lab.bridge.exec("sh", "-c", "f=/proc/sys/net/bridge/bridge-nf-call-iptables; [ ! -e $f ] || echo 0 > $f");
            lab.bridge.ip("link", "add", "br0", "type", "bridge");
            lab.bridge.ip("link", "set", "br0", "up");
            for (int i = 0; i < hosts; i++) {
                Netns node = Netns.create(tag + "-n" + i);
                lab.nodes.add(node);
                Netns.ipRoot("link", "add", "eth0", "netns", node.name, "type", "veth", "peer", "name", "v" + i,
                        "netns", lab.bridge.name);
                lab.bridge.ip("link", "set", "v" + i, "master", "br0");
                lab.bridge.ip("link", "set", "v" + i, "up");
                node.ip("addr", "add", "10.9.0." + (i + 1) + "/24", "dev", "eth0");
                node.ip("link", "set", "eth0", "up");
            }
            return lab;
        } catch (RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    Netns node(int i) {
        return nodes.get(i);
    }

    /**
     * Makes {@code from} resolve the MAC of every other host (a datagram to the discard port, then
     * waiting for the neighbour entries), as a host that talks to its peers has.
     */
    void resolveNeighbours(int from, TestCluster cluster) {
        Netns ns = node(from);
        ns.call(() -> {
            try (var socket = new java.net.DatagramSocket()) {
                for (int i = 0; i < nodes.size(); i++) {
                    if (i == from) continue;
                    socket.send(new java.net.DatagramPacket(new byte[1], 1, cluster.members.get(i), 9));
                }
            }
            return null;
        });
        long deadline = System.nanoTime() + 5_000_000_000L;
        for (int i = 0; i < nodes.size(); i++) {
            if (i == from) continue;
            String address = cluster.members.get(i).getHostAddress();
            while (!ns.ip("neigh", "show", address, "dev", "eth0").contains("lladdr")) {
                if (System.nanoTime() > deadline) throw new IllegalStateException(ns.name + " did not resolve " + address);
                java.util.concurrent.locks.LockSupport.parkNanos(20_000_000); // between polls of the neighbour table
            }
        }
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (Netns node : nodes) {
            try {
                node.close();
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
        }
        try {
            bridge.close();
        } catch (RuntimeException e) {
            if (first == null) first = e;
        }
        if (first != null) throw first;
    }
}

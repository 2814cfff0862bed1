package org.electrolab.lab.netns;

/**
 * One host of a netns lab: a namespace with one interface ({@link Network#HOST_INTERFACE}) cabled
 * by a veth pair to the lab's bridge.
 *
 * @param name short host name: {@code r<id>} for replica {@code id}, or {@code client}
 * @param replicaId the replica's member index, or -1 for the client
 * @param netns the host's namespace, {@code el-<lab>-<name>}
 * @param address the IPv4 address of the host's interface
 * @param mac the fixed MAC of the host's interface (so a run is reproducible and a config can name it)
 * @param bridgePort the veth peer in the switch namespace, attached to the bridge
 */
public record Host(String name, int replicaId, String netns, String address, String mac, String bridgePort) {
    public boolean isReplica() {
        return replicaId >= 0;
    }
}

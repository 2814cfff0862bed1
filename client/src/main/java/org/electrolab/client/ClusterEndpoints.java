package org.electrolab.client;

import java.util.List;

import io.vertx.core.net.SocketAddress;
import org.electrolab.protocol.Check;
import org.electrolab.protocol.Wire;

/**
 * Where a client finds the cluster: its id (carried in every packet) and the UDP address of each
 * member, by member index. The leader of view {@code v} is member {@code v % members}.
 */
public record ClusterEndpoints(int clusterId, List<SocketAddress> members) {

    public ClusterEndpoints {
        members = List.copyOf(members);
        Check.that(!members.isEmpty() && members.size() <= Wire.REPLICAS_MAX, "1 to %d members, not %d",
                Wire.REPLICAS_MAX, members.size());
    }

    /** Every member on the same {@code port}, as cluster.yaml describes them. */
    public static ClusterEndpoints of(int clusterId, List<String> hosts, int port) {
        return new ClusterEndpoints(clusterId, hosts.stream().map(h -> SocketAddress.inetSocketAddress(port, h)).toList());
    }

    public int size() {
        return members.size();
    }

    public int leaderOf(long view) {
        return (int) Long.remainderUnsigned(view, members.size());
    }

    public SocketAddress member(int index) {
        return members.get(index);
    }

    /** {@code host:port} of a member, for messages and run.json. */
    public static String describe(SocketAddress address) {
        return address.host() + ":" + address.port();
    }
}

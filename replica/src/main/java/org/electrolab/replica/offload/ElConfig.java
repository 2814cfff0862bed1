package org.electrolab.replica.offload;

import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import org.electrolab.protocol.Wire;
import org.electrolab.protocol.config.ClusterConfig;

/**
 * What the offload programs must know of the cluster, from cluster.yaml: nothing of it is compiled
 * into the programs.
 *
 * @param clusterId carried in every packet; others are dropped
 * @param port the UDP port every member listens on
 * @param members member IPv4 addresses by member index
 * @param f members = 2f + 1
 * @param myIndex this replica's member index
 * @param cloneMark skb->mark tc_broadcast gives its clones (must differ from marks the host uses)
 * @param ringBytes size of the fast-reply ring buffer (a power of two, multiple of the page size)
 */
public record ElConfig(int clusterId, int port, List<Inet4Address> members, int f, int myIndex,
                            int cloneMark, int ringBytes) {

    public static final int DEFAULT_CLONE_MARK = 0x454c4142; // "ELAB"
    /** 16 MiB: about 2,000 records, which at 10 ms ticks outlasts 100,000 fast-replied ops per second. */
    public static final int DEFAULT_RING_BYTES = 1 << 24;

    public ElConfig {
        members = List.copyOf(members);
        require(port > 0 && port < 65536, "port " + port + " is not a UDP port (1-65535)");
        require(f >= 0 && members.size() == 2 * f + 1, members.size() + " members with f=" + f + ": members must be 2f+1");
        require(members.size() <= Wire.REPLICAS_MAX, members.size() + " members: at most " + Wire.REPLICAS_MAX);
        require(myIndex >= 0 && myIndex < members.size(), "my index " + myIndex + " is not a member index (0-" + (members.size() - 1) + ")");
        require(cloneMark != 0, "clone mark 0 cannot tell clones apart: use a nonzero mark");
        require(ringBytes >= 1 << 16 && Integer.bitCount(ringBytes) == 1, "ring of " + ringBytes + " bytes: use a power of two >= 65536");
    }

    /** This member's view of {@code cluster}, with the default clone mark and ring size. */
    public static ElConfig of(ClusterConfig cluster, int myIndex) {
        return new ElConfig((int) cluster.clusterId(), cluster.port(), cluster.members(), cluster.f(), myIndex);
    }

    /** The defaults for the clone mark and ring size. */
    public ElConfig(int clusterId, int port, List<Inet4Address> members, int f, int myIndex) {
        this(clusterId, port, members, f, myIndex, DEFAULT_CLONE_MARK, DEFAULT_RING_BYTES);
    }

    private static void require(boolean condition, String message) {
        if (!condition) throw new IllegalArgumentException("offload config: " + message);
    }

    /** struct el_config, the programs' read-only data. */
    byte[] readOnlyData() {
        return ByteBuffer.allocate(16).order(ByteOrder.nativeOrder())
                .putInt(clusterId).putInt(port).putInt(cloneMark).putInt(0).array();
    }
}

package org.electrolab.replica.transport;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.electrolab.protocol.MessageType;
import org.electrolab.replica.core.Status;

/**
 * A consistent snapshot of one running replica: the core's position and what its transport and
 * packet path counted. Taken on the replica's event loop by {@link UdpReplica#stats()}.
 *
 * @param dropped all datagrams dropped, the sum of {@code drops}
 * @param repliesWithoutAddress replies not sent because the client's address was unknown or forgotten
 * @param sentByKernel messages the core produced that the kernel had already sent
 * @param recordedByKernel messages the kernel handled and user space drained into the core
 * @param kernel the packet path's own counters (eBPF programs), by name
 * @param stateDigest the app state after executing ops 1..commit ({@code App.digest}, 16 hex digits):
 *     replicas with equal commit and digest hold the same state
 */
public record ReplicaStats(int replica, int members, long view, Status status, int leader, long op, long commit,
                           String path, long datagramsIn, long datagramsOut, long dropped, Map<DropReason, Long> drops,
                           Map<MessageType, Long> received, Map<MessageType, Long> sent, long sendErrors,
                           long repliesWithoutAddress, long sentByKernel, long recordedByKernel, Map<String, Long> kernel, String stateDigest) {

    public ReplicaStats {
        drops = sorted(drops);
        received = sorted(received);
        sent = sorted(sent);
        kernel = sorted(kernel);
    }

    /** One line for a human: position, datagram counts, and every counter that is not zero. */
    public String summaryLine() {
        StringBuilder line = new StringBuilder()
                .append("replica ").append(replica).append(": view ").append(view).append(' ')
                .append(status.name().toLowerCase()).append(", leader ").append(leader)
                .append(", op ").append(op).append(", commit ").append(commit)
                .append("; datagrams in ").append(datagramsIn).append(", out ").append(datagramsOut)
                .append("; dropped ").append(dropped).append(dropped == 0 ? "" : " (" + nonZero(drops).strip() + ")")
                .append("; received").append(nonZero(received))
                .append("; sent").append(nonZero(sent));
        if (sendErrors > 0) line.append("; send errors ").append(sendErrors);
        if (repliesWithoutAddress > 0) line.append("; replies without address ").append(repliesWithoutAddress);
        line.append("; path ").append(path);
        if (sentByKernel > 0 || recordedByKernel > 0) {
            line.append(" (kernel sent ").append(sentByKernel).append(", recorded ").append(recordedByKernel).append(')');
        }
        if (!kernel.isEmpty()) line.append("; kernel").append(nonZero(kernel));
        return line.toString();
    }

    /** Keys in their natural order (enums: declaration order), so the stats file reads the same way each time. */
    private static <K extends Comparable<K>> Map<K, Long> sorted(Map<K, Long> counts) {
        return Collections.unmodifiableMap(new TreeMap<>(counts));
    }

    private static <K extends Comparable<K>> String nonZero(Map<K, Long> counts) {
        String listed = counts.entrySet().stream().filter(e -> e.getValue() != 0)
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
        return listed.isEmpty() ? " none" : " " + listed;
    }
}

package org.electrolab.replica.transport;

import java.util.EnumMap;
import java.util.Map;

import org.electrolab.protocol.MessageType;

/** What the transport counted; written only on the replica's event loop. */
final class TransportCounters {

    long datagramsIn;
    long datagramsOut;
    long sendErrors;
    long repliesWithoutAddress;
    long sentByKernel;
    long recordedByKernel;
    final long[] drops = new long[DropReason.values().length];
    final long[] received = new long[MessageType.MAX + 1];
    final long[] sent = new long[MessageType.MAX + 1];

    void drop(DropReason reason) {
        drops[reason.ordinal()]++;
    }

    long dropsTotal() {
        long total = 0;
        for (long d : drops) total += d;
        return total;
    }

    Map<DropReason, Long> dropsByReason() {
        Map<DropReason, Long> map = new EnumMap<>(DropReason.class);
        for (DropReason r : DropReason.values()) map.put(r, drops[r.ordinal()]);
        return map;
    }

    static Map<MessageType, Long> byType(long[] counts) {
        Map<MessageType, Long> map = new EnumMap<>(MessageType.class);
        for (MessageType t : MessageType.values()) map.put(t, counts[t.code]);
        return map;
    }
}

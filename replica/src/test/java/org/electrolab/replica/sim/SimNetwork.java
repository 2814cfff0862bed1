package org.electrolab.replica.sim;

import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * An in-memory datagram network between nodes 0..nodes-1 (replicas first, then clients), driven
 * by the simulation's one random source. Each datagram may be dropped, duplicated, delayed by a
 * variable number of ticks (which reorders them), or blocked by a one-way link cut. Datagrams are
 * bytes: what a node sends is encoded and what it receives decoded, as on a real network.
 */
final class SimNetwork {

    record Packet(long deliverTick, long seq, int from, int to, byte[] datagram) implements Comparable<Packet> {
        /** Delivery tick, then send order. */
        @Override
        public int compareTo(Packet o) {
            return deliverTick != o.deliverTick ? Long.compare(deliverTick, o.deliverTick) : Long.compare(seq, o.seq);
        }
    }

    /** What happened to a datagram handed to {@link #send}. */
    enum Fate { QUEUED, DUPLICATED, DROPPED, CUT }

    private final SplittableRandom random;
    private final boolean[][] cut;
    private final PriorityQueue<Packet> inFlight = new PriorityQueue<>();
    private long seq;

    double dropRate;
    double duplicateRate;
    int delayMaxTicks;
    double delaySpikeRate;
    int delaySpikeMaxTicks;

    long sent;

    SimNetwork(SplittableRandom random, int nodes) {
        this.random = random;
        this.cut = new boolean[nodes][nodes];
    }

    Fate send(int from, int to, byte[] datagram, long now) {
        sent++;
        if (cut[from][to]) return Fate.CUT;
        if (dropRate > 0 && random.nextDouble() < dropRate) return Fate.DROPPED;
        queue(from, to, datagram, now);
        if (duplicateRate > 0 && random.nextDouble() < duplicateRate) {
            queue(from, to, datagram, now);
            return Fate.DUPLICATED;
        }
        return Fate.QUEUED;
    }

    private void queue(int from, int to, byte[] datagram, long now) {
        int delay = delaySpikeRate > 0 && random.nextDouble() < delaySpikeRate
                ? random.nextInt(delaySpikeMaxTicks + 1)
                : random.nextInt(delayMaxTicks + 1);
        inFlight.add(new Packet(now + delay, seq++, from, to, datagram));
    }

    /** The next datagram due at or before {@code now}, or null. */
    Packet poll(long now) {
        Packet p = inFlight.peek();
        if (p == null || p.deliverTick > now) return null;
        return inFlight.poll();
    }

    void cut(int from, int to) {
        cut[from][to] = true;
    }

    void healLinks() {
        for (boolean[] row : cut) java.util.Arrays.fill(row, false);
    }
}

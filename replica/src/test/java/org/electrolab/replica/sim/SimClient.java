package org.electrolab.replica.sim;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

import org.electrolab.client.history.History;
import org.electrolab.protocol.Kv;

/**
 * A closed-loop kv client inside the simulation: one outstanding request, numbered 1, 2, 3, ...;
 * sent to the leader it believes in (view mod members, learned from replies), and after a timeout
 * sent again with the same request number to every member. The simulation drives it.
 */
final class SimClient {

    final int index;
    final int node;
    final long clientId;
    final int timeoutTicks;
    /** The auditor issues only the scripted final reads. */
    final ArrayDeque<Kv.Command> script = new ArrayDeque<>();
    final boolean auditor;
    /** Last value this client saw per key: what its compare-and-sets expect. */
    final Map<String, String> seen = new HashMap<>();

    long requestNumber;
    History.Op outstanding;
    long invokeTick;
    byte[] payload;
    long sentTick;
    int retries;
    int believedLeader;
    long idleUntilTick;
    boolean issuing = true;
    int completedSinceHeal;

    SimClient(int index, int node, long clientId, int timeoutTicks, boolean auditor) {
        this.index = index;
        this.node = node;
        this.clientId = clientId;
        this.timeoutTicks = timeoutTicks;
        this.auditor = auditor;
    }

    String name() {
        return auditor ? "audit" : "c" + index;
    }

    @Override
    public String toString() {
        return name() + "(id " + clientId + ", n=" + requestNumber + (outstanding == null ? ", idle" : ", waiting since tick "
                + invokeTick + ", " + retries + " retries") + ", leader r" + believedLeader + ")";
    }
}

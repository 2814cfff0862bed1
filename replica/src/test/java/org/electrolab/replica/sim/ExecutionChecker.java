package org.electrolab.replica.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the replicas' apps executed, from {@code Effects.executed}:
 * <ul>
 * <li>every replica process executes ops in increasing order, and for each op the same requests
 *     with the same results as every other process (state machine replication);</li>
 * <li>at most once: no process executes a (client id, request number) twice, and no request is
 *     executed as part of two different ops;</li>
 * <li>a reply a client receives carries the result the request was executed with.</li>
 * </ul>
 * A restarted replica is a new process with an empty app; it executes the log again from op 1.
 */
public final class ExecutionChecker {

    private record RequestId(long clientId, long requestNumber) {}

    private record Execution(RequestId request, byte[] result) {
        @Override public boolean equals(Object o) {
            return o instanceof Execution e && e.request.equals(request) && Arrays.equals(e.result, result);
        }
        @Override public int hashCode() { return request.hashCode(); }
        @Override public String toString() {
            return "client " + request.clientId + " n=" + request.requestNumber + " -> " + Arrays.toString(result);
        }
    }

    private record Executed(long op, byte[] result, String by) {}

    private static final class Process {
        final String name;
        long op;
        List<Execution> current = new ArrayList<>();
        final Set<RequestId> executed = new HashSet<>();

        Process(String name) {
            this.name = name;
        }
    }

    /** Index op - 1: what op executed, once some process moved past it. */
    private final List<List<Execution>> byOp = new ArrayList<>();
    private final List<String> firstExecutor = new ArrayList<>();
    private final Map<RequestId, Executed> byRequest = new HashMap<>();
    private final Map<String, Process> processes = new HashMap<>();

    /** Process {@code process} executed request (clientId, requestNumber) as part of op {@code op}. */
    public void executed(String process, long op, long clientId, long requestNumber, byte[] result) {
        Process p = processes.computeIfAbsent(process, Process::new);
        if (op < p.op || op < 1) {
            throw new Violation("execution order", p.name + " executed op " + op + " after op " + p.op);
        }
        if (op > p.op) {
            finishOp(p);
            // Ops between the last one and this one executed nothing here: they held only duplicates.
            for (long skipped = p.op + 1; skipped < op; skipped++) agree(p, skipped, List.of());
            p.op = op;
        }
        RequestId id = new RequestId(clientId, requestNumber);
        if (!p.executed.add(id)) {
            throw new Violation("at-most-once", p.name + " executed client " + clientId + " request " + requestNumber
                    + " twice (again in op " + op + ")");
        }
        Executed before = byRequest.get(id);
        if (before != null && before.op != op) {
            throw new Violation("at-most-once", "client " + clientId + " request " + requestNumber + " executed in op "
                    + op + " by " + p.name + " and in op " + before.op + " by " + before.by);
        }
        if (before == null) byRequest.put(id, new Executed(op, result, p.name));
        p.current.add(new Execution(id, result));
    }

    /** The process ended (crash, or end of run): its last op is complete. */
    public void finish(String process) {
        Process p = processes.remove(process);
        if (p != null) finishOp(p);
    }

    /** A client received {@code result} for (clientId, requestNumber). */
    public void replied(long clientId, long requestNumber, byte[] result) {
        Executed e = byRequest.get(new RequestId(clientId, requestNumber));
        if (e == null) {
            throw new Violation("reply", "client " + clientId + " got a reply for request " + requestNumber
                    + " that no replica executed");
        }
        if (!Arrays.equals(e.result, result)) {
            throw new Violation("reply", "client " + clientId + " request " + requestNumber + " got " + Arrays.toString(result)
                    + " but it executed as " + Arrays.toString(e.result) + " (op " + e.op + ", " + e.by + ")");
        }
    }

    private void finishOp(Process p) {
        if (p.op == 0) return;
        agree(p, p.op, p.current);
        p.current = new ArrayList<>();
    }

    private void agree(Process p, long op, List<Execution> executions) {
        int i = (int) (op - 1);
        while (byOp.size() <= i) {
            byOp.add(null);
            firstExecutor.add(null);
        }
        List<Execution> known = byOp.get(i);
        if (known == null) {
            byOp.set(i, List.copyOf(executions));
            firstExecutor.set(i, p.name);
        } else if (!known.equals(executions)) {
            throw new Violation("execution agreement", p.name + " executed op " + op + " as " + executions + " but "
                    + firstExecutor.get(i) + " executed it as " + known);
        }
    }
}

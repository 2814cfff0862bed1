package org.electrolab.lab.watch;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import org.electrolab.lab.netns.Lab;
import org.electrolab.lab.netns.Host;
import org.electrolab.lab.netns.Network;

/**
 * {@code lab status} for a terminal: a header, one row per host (namespace, address, processes in
 * it, and what the replica's stats file says), each replica's program counters, and the client's
 * last second. With rates ({@code lab status --watch}), each counter says how fast it moves.
 */
public final class StatusTable {
    private StatusTable() {}

    /**
     * @param network the lab's hosts; {@code namespaces} what {@code ip netns} says about each host
     *     (empty when not known: the column then reads {@code ?})
     */
    public static void print(PrintWriter out, Snapshot s, Network network, Map<String, Lab.HostStatus> namespaces, boolean rates) {
        out.printf("lab %s: scenario %s (%d replicas, offloads %s, app %s), subnet 198.18.%d.0/24, switch %s, view %s, leader %s%n",
                s.lab(), s.scenario(), s.replicas(), s.offloads(), s.app(), s.subnet(), network.switchNetns(),
                s.view() >= 0 ? s.view() : "-", s.leader() == null ? "-" : s.leader());
        out.printf("%-7s %-16s %-14s %-9s %-5s %-11s %-6s %-8s %-8s %-11s %s%n",
                "host", "namespace", "address", "processes", "view", "status", "leader", "op", "commit", "role", "offloads loaded");
        for (Host host : network.hosts()) {
            Lab.HostStatus netns = namespaces.get(host.name());
            String processes = netns == null ? "?" : netns.netnsPresent() ? Integer.toString(netns.pids().size()) : "no netns";
            out.printf("%-7s %-16s %-14s %-9s", host.name(), host.netns(), host.address(), processes);
            if (!host.isReplica()) {
                out.println(clientColumns(s.client()));
                continue;
            }
            Snapshot.HostRow h = s.hosts().get(host.replicaId());
            if (h.view() < 0) {
                out.println(" (no stats yet)" + (h.running() ? "" : ", not running"));
                continue;
            }
            out.printf(" %-5d %-11s %-6d %-8d %-8d %-11s %s%s%n", h.view(), h.status(), h.leaderIndex(), h.op(), h.commit(), h.role(),
                    h.offloadsLoaded(), turnedOff(h.path()));
            if (!h.counters().isEmpty()) {
                out.println("        kernel: " + h.counters().stream().map(c -> counter(c, rates)).collect(Collectors.joining(", ")));
            }
        }
    }

    /** What the replica turned off while it ran, as its packet path says (e.g. fast-reply whose answers were lost). */
    private static String turnedOff(String path) {
        int at = path.indexOf(" fast-reply off");
        return at < 0 ? "" : ";" + path.substring(at);
    }

    private static String counter(Snapshot.Counter c, boolean rates) {
        return c.name() + " " + c.value() + (rates ? String.format(Locale.ROOT, " (%,.0f/s)", c.perSec()) : "");
    }

    private static String clientColumns(Snapshot.Client c) {
        if (c == null) return "";
        if (!c.running()) return " client ended";
        return String.format(Locale.ROOT, " client %s %.0fs: %,.0f ops/s, p50 %,d µs, p99 %,d µs, errors %d, timeouts %d",
                c.phase(), c.elapsedSeconds(), c.opsPerSec(), c.p50Micros(), c.p99Micros(), c.errors(), c.timeouts());
    }

    /** The namespaces of a lab's hosts by host name, for {@link #print} and {@code --json}. */
    public static Map<String, Lab.HostStatus> byHost(List<Lab.HostStatus> hosts) {
        return hosts.stream().collect(Collectors.toMap(h -> h.host().name(), h -> h));
    }
}

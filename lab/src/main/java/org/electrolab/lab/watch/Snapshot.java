package org.electrolab.lab.watch;

import java.util.List;
import java.util.Optional;

/**
 * What a lab looks like at one moment, as the live page, {@code lab status --json} and the
 * Prometheus exposition show it (docs/lab.md, "Watching a lab"). Built by {@link LabWatch} from
 * the files in the lab's state directory only.
 *
 * @param up false while the lab has no state directory (not up yet, or down again); {@code note} says so
 * @param view the highest view a running replica is NORMAL in; -1 when none is
 * @param leader the host that leads {@code view}, or null
 * @param series the client's ops/s and p99 over the last {@link LabWatch#SERIES_SECONDS} seconds, oldest first
 * @param faults fault windows of {@code experiment faults} in the same time span, oldest first
 * @param events view changes and replicas going down or coming back, newest last
 */
public record Snapshot(String lab, boolean up, String note, long takenAtMillis, String scenario, int replicas,
                       String offloads, String app, int subnet, long view, String leader, List<HostRow> hosts,
                       Client client, List<Point> series, List<Fault> faults, List<Event> events) {

    public Snapshot {
        hosts = List.copyOf(hosts);
        series = List.copyOf(series);
        faults = List.copyOf(faults);
        events = List.copyOf(events);
    }

    /**
     * One replica host.
     *
     * @param role {@code leader}, {@code follower}, {@code view-change}, {@code recovering}, {@code down}
     *     (no process), {@code paused} (stopped with SIGSTOP) or {@code starting} (no stats file yet)
     * @param running whether its process is alive (from its pid file)
     * @param statsAgeMillis how old its stats file is; large while the replica is paused or stuck
     * @param status what its stats file says (a replica that was killed keeps its last one), or
     *     {@code EXITED} when its last file says it exited
     * @param leaderIndex the leader its stats file names
     */
    public record HostRow(String name, int replica, String address, String role, boolean running, long pid, long view,
                       String status, int leaderIndex, long op, long commit, String offloadsLoaded, String path,
                       long datagramsIn, long datagramsOut, long dropped, long statsAgeMillis, List<Counter> counters) {
        public HostRow {
            counters = List.copyOf(counters);
        }

        public Optional<Counter> counter(String name) {
            return counters.stream().filter(c -> c.name().equals(name)).findFirst();
        }
    }

    /**
     * An eBPF program's counter, e.g. {@code fast-reply.fast_replied}.
     *
     * @param perSec its rate over about the last second; 0 until two readings are that far apart
     */
    public record Counter(String name, long value, double perSec) {
        /** The offload the counter belongs to: the part before the dot. */
        public String program() {
            int dot = name.indexOf('.');
            return dot < 0 ? name : name.substring(0, dot);
        }

        /** The counter's own name: the part after the dot. */
        public String field() {
            return name.substring(name.indexOf('.') + 1);
        }
    }

    /**
     * The client's last interval ({@link ClientStats}).
     *
     * @param ageMillis how old its stats file is
     */
    public record Client(boolean running, String phase, double elapsedSeconds, double opsPerSec, long p50Micros,
                         long p99Micros, long errors, long timeouts, long unknown, long view, String leader, int clients,
                         long ageMillis) {}

    /** One interval of the client, ending at {@code atMillis} (wall clock). */
    public record Point(long atMillis, double opsPerSec, long p99Micros, String phase) {}

    /** A fault of {@code experiment faults}: injected at {@code fromMillis}, healed at {@code toMillis} (0 while on). */
    public record Fault(String fault, String what, long fromMillis, long toMillis) {
        public boolean active() {
            return toMillis == 0;
        }
    }

    public record Event(long atMillis, String text) {}
}

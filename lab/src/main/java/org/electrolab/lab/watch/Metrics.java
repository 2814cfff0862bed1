package org.electrolab.lab.watch;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * A {@link Snapshot} in Prometheus' text exposition format (version 0.0.4), what {@code lab metrics}
 * prints and the live page serves at {@code /metrics}: the same figures as the page, so a course
 * with Prometheus and Grafana can scrape them. Counters are totals ({@code _total}); Prometheus
 * takes their rates itself.
 */
public final class Metrics {
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final List<String> ROLES = List.of("leader", "follower", "view-change", "recovering", "starting", "paused", "down");

    private Metrics() {}

    public static String text(Snapshot s) {
        StringBuilder out = new StringBuilder();
        String lab = "lab=\"" + escape(s.lab()) + "\"";
        gauge(out, "electrolab_lab_up", "1 while the lab's state directory exists", Map.of(lab, s.up() ? 1 : 0));
        if (s.up()) {
            gauge(out, "electrolab_lab_view", "the highest view a running replica is NORMAL in (-1: none)", Map.of(lab, s.view()));
            gauge(out, "electrolab_lab_replicas", "replicas in the lab", Map.of(lab, s.replicas()));
        }
        perHost(out, s, "electrolab_replica_running", "1 while the replica's process runs", "gauge", h -> h.running() ? 1 : 0);
        Map<String, Number> roles = new LinkedHashMap<>();
        for (Snapshot.HostRow h : s.hosts()) {
            for (String role : ROLES) roles.put(hostLabels(s, h) + ",role=\"" + role + "\"", role.equals(h.role()) ? 1 : 0);
        }
        gauge(out, "electrolab_replica_role", "1 for the replica's role (leader, follower, view-change, recovering, starting, paused, down)", roles);
        perHost(out, s, "electrolab_replica_view", "the view in the replica's stats file", "gauge", Snapshot.HostRow::view);
        perHost(out, s, "electrolab_replica_op", "the replica's op number", "gauge", Snapshot.HostRow::op);
        perHost(out, s, "electrolab_replica_commit", "the replica's commit number", "gauge", Snapshot.HostRow::commit);
        perHost(out, s, "electrolab_replica_stats_age_seconds", "age of the replica's stats file", "gauge", h -> h.statsAgeMillis() / 1000.0);
        perHost(out, s, "electrolab_replica_datagrams_in_total", "datagrams the replica's socket received", "counter", Snapshot.HostRow::datagramsIn);
        perHost(out, s, "electrolab_replica_datagrams_out_total", "datagrams the replica's socket sent", "counter", Snapshot.HostRow::datagramsOut);
        perHost(out, s, "electrolab_replica_dropped_total", "datagrams user space dropped (invalid, foreign, non-member)", "counter", Snapshot.HostRow::dropped);
        Map<String, Number> kernel = new LinkedHashMap<>();
        for (Snapshot.HostRow h : s.hosts()) {
            for (Snapshot.Counter c : h.counters()) {
                kernel.put(hostLabels(s, h) + ",program=\"" + escape(c.program()) + "\",counter=\"" + escape(c.field()) + "\"", c.value());
            }
        }
        family(out, "electrolab_offload_counter_total", "what an eBPF offload program counted (docs/lab.md)", "counter", kernel);
        Snapshot.Client c = s.client();
        if (c != null) {
            gauge(out, "electrolab_client_running", "1 while the client runs", Map.of(lab, c.running() ? 1 : 0));
            gauge(out, "electrolab_client_ops_per_second", "requests completed per second over the client's last interval", Map.of(lab, c.opsPerSec()));
            gauge(out, "electrolab_client_latency_p50_microseconds", "median latency over the client's last interval", Map.of(lab, c.p50Micros()));
            gauge(out, "electrolab_client_latency_p99_microseconds", "p99 latency over the client's last interval", Map.of(lab, c.p99Micros()));
            gauge(out, "electrolab_client_interval_errors", "errors in the client's last interval", Map.of(lab, c.errors()));
            gauge(out, "electrolab_client_interval_timeouts", "retransmissions in the client's last interval", Map.of(lab, c.timeouts()));
        }
        Map<String, Number> active = new LinkedHashMap<>();
        for (Snapshot.Fault f : s.faults()) active.put(lab + ",fault=\"" + escape(f.fault()) + "\"", f.active() ? 1 : 0);
        if (!active.isEmpty()) gauge(out, "electrolab_fault_active", "1 while experiment faults has this fault injected", active);
        return out.toString();
    }

    private static void perHost(StringBuilder out, Snapshot s, String name, String help, String type, ToDoubleFunction<Snapshot.HostRow> value) {
        Map<String, Number> samples = new LinkedHashMap<>();
        for (Snapshot.HostRow h : s.hosts()) samples.put(hostLabels(s, h), value.applyAsDouble(h));
        family(out, name, help, type, samples);
    }

    private static String hostLabels(Snapshot s, Snapshot.HostRow h) {
        return "lab=\"" + escape(s.lab()) + "\",host=\"" + escape(h.name()) + "\",replica=\"" + h.replica() + "\"";
    }

    private static void gauge(StringBuilder out, String name, String help, Map<String, ? extends Number> samples) {
        family(out, name, help, "gauge", samples);
    }

    private static void family(StringBuilder out, String name, String help, String type, Map<String, ? extends Number> samples) {
        if (samples.isEmpty()) return;
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        samples.forEach((labels, value) -> out.append(name).append('{').append(labels).append("} ").append(number(value)).append('\n'));
    }

    private static String number(Number value) {
        double d = value.doubleValue();
        if (d == Math.rint(d) && Math.abs(d) < 1e15) return Long.toString((long) d);
        return String.format(Locale.ROOT, "%.3f", d);
    }

    private static String escape(String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}

package org.electrolab.lab.scenario;

import java.util.List;
import java.util.stream.Collectors;

import org.electrolab.protocol.config.ClusterConfig;
import org.electrolab.protocol.config.Offload;

/**
 * One lab run's shape, read from experiments/scenarios/*.yaml by {@link ScenarioFile}: how many
 * replicas, which offloads they run, the app, and the client workload.
 *
 * @param name the file name without {@code .yaml}
 * @param replicas member count, 2f+1
 * @param offloads the offloads every replica runs; empty for plain VR
 * @param app {@code null} or {@code kv}
 * @param clusterId the u32 carried in every packet
 * @param port the UDP port every replica listens on
 * @param tickMillis the length of the replicas' tick (cluster.yaml {@code tick-millis}); longer on slow
 *        machines, such as an emulated VM, where a 10 ms tick starves into needless view changes
 */
public record Scenario(String name, int replicas, List<Offload> offloads, String app, long clusterId, int port,
                       ClientLoad workload, int tickMillis) {

    public Scenario {
        offloads = List.copyOf(offloads);
    }

    /** A scenario with the default tick. */
    public Scenario(String name, int replicas, List<Offload> offloads, String app, long clusterId, int port,
                    ClientLoad workload) {
        this(name, replicas, offloads, app, clusterId, port, workload, ClusterConfig.TICK_MILLIS_DEFAULT);
    }

    public int f() {
        return (replicas - 1) / 2;
    }

    /** The value for {@code electrolab replica --offload}: {@code none} or a comma-separated list. */
    public String offloadArgument() {
        if (offloads.isEmpty()) return "none";
        return offloads.stream().map(o -> o.cliName).collect(Collectors.joining(","));
    }

    /** This scenario with another tick length. */
    public Scenario withTickMillis(int other) {
        return new Scenario(name, replicas, offloads, app, clusterId, port, workload, other);
    }

    /** This scenario with other offloads (an experiment matrix varies them over one file). */
    public Scenario withOffloads(List<Offload> other) {
        return new Scenario(name, replicas, other, app, clusterId, port, workload, tickMillis);
    }
}

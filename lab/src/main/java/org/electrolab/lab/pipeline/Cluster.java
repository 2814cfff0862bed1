package org.electrolab.lab.pipeline;

import java.nio.file.Path;
import java.util.Map;

import org.electrolab.lab.scenario.Scenario;

/**
 * Where an experiment runs: replicas started from a scenario and a client run against them. The
 * netns lab is one implementation ({@link NetnsCluster}); VMs or hosts driven by Ansible can be
 * another. Calls come from one thread, in the order up, runClient..., down (up again only after
 * down). A call interrupted by {@link Thread#interrupt} stops what it started and throws.
 */
public interface Cluster {
    /**
     * The key of {@link #up}'s facts that says the cluster is not what was asked for (e.g. offloads
     * requested but not loaded); the runner shows it and the report lists it.
     */
    String WARNING = "warning";

    /** What this cluster is, for the progress output and environment.json, e.g. {@code netns lab 'exp'}. */
    String describe();

    /**
     * Starts the replicas {@code scenario} describes (size, offloads, app, cluster id, port) and
     * returns once they serve requests.
     *
     * @param logDir where the replicas' logs are kept, so they outlive {@link #down}
     * @return what the replicas report about themselves, e.g. how each offload attached (native XDP,
     *         generic XDP, TC, user space); recorded in environment.json
     */
    Map<String, Object> up(Scenario scenario, Path logDir) throws ClusterException, InterruptedException;

    /**
     * Runs {@code electrolab client} with the scenario's workload against the replicas that are up,
     * to completion; the client writes its run.json to {@code runJson} and its output to {@code log}.
     */
    void runClient(Scenario scenario, Path runJson, Path log) throws ClusterException, InterruptedException;

    /** Stops the replicas and removes what {@link #up} created; does nothing when nothing is up. */
    void down() throws ClusterException;
}

package org.electrolab.lab.experiment;

import org.electrolab.lab.pipeline.OffloadSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.electrolab.lab.scenario.Scenario;
import org.electrolab.lab.scenario.ClientLoad;

/**
 * An experiment matrix (experiments/matrix.yaml, read by {@link MatrixFile}): every combination of
 * cluster size, offload set and client count, each run {@code repeats} times.
 *
 * @param name the file name without {@code .yaml}
 * @param sizes replica counts, each 2f+1
 * @param offloadSets offload configurations, each run on every size
 * @param clients closed-loop client counts, each run against every cluster
 * @param repeats runs of every cell
 * @param warmup unmeasured time at the start of each run
 * @param duration measured time of each run
 * @param app {@code null} or {@code kv}
 * @param payloadBytes request payload bytes
 */
public record Matrix(String name, List<Integer> sizes, List<OffloadSet> offloadSets, List<Integer> clients, int repeats,
                     Duration warmup, Duration duration, String app, int payloadBytes, long clusterId, int port) {

    public Matrix {
        sizes = List.copyOf(sizes);
        offloadSets = List.copyOf(offloadSets);
        clients = List.copyOf(clients);
    }

    public Matrix withRepeats(int newRepeats) {
        return new Matrix(name, sizes, offloadSets, clients, newRepeats, warmup, duration, app, payloadBytes, clusterId, port);
    }

    /** Every cell, sizes outermost, then offload sets, then client counts. */
    public List<Cell> cells() {
        List<Cell> cells = new ArrayList<>();
        for (int size : sizes) {
            for (OffloadSet offloads : offloadSets) {
                for (int count : clients) cells.add(new Cell(size, offloads, count));
            }
        }
        return cells;
    }

    /**
     * Every run in execution order: repeat 1 of every cell, then repeat 2, and so on, so that drift of
     * the machine over the hours of a matrix (thermal, background load) falls on every cell alike.
     * Within a repeat, cells sharing a cluster are adjacent, so replicas restart only when the size or
     * the offloads change.
     */
    public List<Run> plan() {
        List<Run> runs = new ArrayList<>();
        for (int repeat = 1; repeat <= repeats; repeat++) {
            for (Cell cell : cells()) runs.add(new Run(cell, repeat));
        }
        return runs;
    }

    /** The lab scenario of a cell: what {@link Cluster#up} starts and the client load it runs. */
    public Scenario scenario(Cell cell) {
        return new Scenario(name + "-" + cell.clusterKey(), cell.size(), cell.offloads().offloads(), app, clusterId, port,
                new ClientLoad(cell.clients(), warmup, duration, payloadBytes));
    }
}

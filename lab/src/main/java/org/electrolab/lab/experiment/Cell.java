package org.electrolab.lab.experiment;

import org.electrolab.lab.pipeline.OffloadSet;
import org.electrolab.lab.pipeline.RunId;

/**
 * One configuration of the matrix: a cluster size, an offload set and a client count.
 *
 * @param size replicas, 2f+1
 * @param clients closed-loop clients
 */
public record Cell(int size, OffloadSet offloads, int clients) {

    /** Names the cell in file names and tables, e.g. {@code n3-all-c16}. */
    public String id() {
        return RunId.cell(size, offloads.label(), clients);
    }

    /** The cluster this cell runs on: cells with the same key share one start of the replicas. */
    public String clusterKey() {
        return RunId.cluster(size, offloads);
    }
}

package org.electrolab.lab.experiment;

/**
 * One configuration of the matrix: a cluster size, an offload set and a client count.
 *
 * @param size replicas, 2f+1
 * @param clients closed-loop clients
 */
public record Cell(int size, OffloadSet offloads, int clients) {

    /** Names the cell in file names and tables, e.g. {@code n3-all-c16}. */
    public String id() {
        return "n" + size + "-" + offloads.label() + "-c" + clients;
    }

    /** The cluster this cell runs on: cells with the same key share one start of the replicas. */
    public String clusterKey() {
        return "n" + size + "-" + offloads.label();
    }
}

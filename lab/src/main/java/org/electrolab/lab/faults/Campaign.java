package org.electrolab.lab.faults;

import org.electrolab.lab.pipeline.RunId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.electrolab.lab.pipeline.OffloadSet;

/**
 * A fault campaign, read from a file like experiments/faults.yaml by {@link CampaignFile}: every
 * fault kind, at every size, with every offload set, {@code repeats} times. One run is
 * {@code settle} of load (the run's new client JVM warms up; not the reference), {@code before} of
 * load (the reference rate), the fault for {@code during}, then {@code after} of load on the healed
 * cluster, with {@code clients} kv clients recording a history. Each new lab first serves
 * {@code warmup} of unrecorded kv load, so that the first run does not measure cold replica JVMs.
 */
public record Campaign(String name, List<Integer> sizes, List<OffloadSet> offloadSets, List<FaultKind> faults, int repeats,
                       int clients, Duration warmup, Duration settle, Duration before, Duration during, Duration after,
                       long clusterId, int port) {

    public Campaign {
        sizes = List.copyOf(sizes);
        offloadSets = List.copyOf(offloadSets);
        faults = List.copyOf(faults);
    }

    /** One run of the campaign. */
    public record Run(int size, OffloadSet offloads, FaultKind fault, int repeat) {
        /** Like {@code n3-all-leader-kill-r1}: the run's file names. */
        public String id() {
            return RunId.faultRun(size, offloads, fault.label, repeat);
        }
    }

    /** The runs in order: one lab per size and offload set, its faults and repeats inside. */
    public List<Run> plan() {
        List<Run> runs = new ArrayList<>();
        for (int size : sizes) {
            for (OffloadSet offloads : offloadSets) {
                for (int repeat = 1; repeat <= repeats; repeat++) {
                    for (FaultKind fault : faults) runs.add(new Run(size, offloads, fault, repeat));
                }
            }
        }
        return runs;
    }

    /** How long the clients run: the four phases. */
    public Duration load() {
        return settle.plus(before).plus(during).plus(after);
    }
}

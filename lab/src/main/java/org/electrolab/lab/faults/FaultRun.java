package org.electrolab.lab.faults;

import java.util.List;
import java.util.Map;

/**
 * One run of a campaign as runs/ID.json holds it (docs/faults.md). Times are seconds from the first
 * operation; {@code timeline} counts the operations completed OK in each {@code bucketSeconds}.
 *
 * @param status {@code ok} when the run was carried out and judged; {@code failed} when the lab or
 *     the client could not carry it out ({@code error} says why; no verdict then)
 * @param violation the linearizability checker's explanation, empty when linearizable
 * @param lostWrites acknowledged writes that the final reads show were lost
 * @param unverifiedReads final reads that got no answer, so some writes could not be checked
 * @param unavailableMillis the longest time after the fault without an operation completing OK
 * @param convergedMillis time after the client finished until every replica was NORMAL with the
 *     same view, commit and state digest; -1 when they never were
 * @param viewBefore the replicas' view when the run started; {@code viewAfter} the highest view at its end
 *     (a loss fault must not change it)
 * @param goodput the rates around the fault; null when the run was not judged or had no steady reference
 * @param links what the link fault program counted per replica (empty for other faults)
 * @param crashed replicas whose process was gone at the end of the run although no fault killed
 *     it (a crash: see its log under logs/); they are started again before the next run
 */
public record FaultRun(String id, int size, String offloads, String fault, int repeat, String status, String error,
                       String injected, long ops, long ok, long fail, long unknown, boolean linearizable, String violation,
                       int lostWrites, int unverifiedReads, double unavailableMillis, long convergedMillis, long commit,
                       long viewBefore, long viewAfter, double faultAtSeconds, double healAtSeconds, double bucketSeconds,
                       double beforeSeconds, List<Long> timeline, Goodput goodput, Map<String, Map<String, Long>> links,
                       List<String> crashed) {

    public FaultRun {
        // Results written before a field existed read as empty.
        timeline = timeline == null ? List.of() : List.copyOf(timeline);
        links = links == null ? Map.of() : links;
        crashed = crashed == null ? List.of() : List.copyOf(crashed);
    }

    public static final String OK = "ok";
    public static final String FAILED = "failed";

    public boolean judged() {
        return OK.equals(status);
    }

    public boolean viewChanged() {
        return judged() && viewAfter != viewBefore;
    }

    /** Judged, linearizable, nothing lost and the replicas converged. */
    public boolean correct() {
        return judged() && linearizable && lostWrites == 0 && convergedMillis >= 0 && crashed.isEmpty();
    }

    static FaultRun failed(Campaign.Run run, String injected, String error) {
        return new FaultRun(run.id(), run.size(), run.offloads().label(), run.fault().label, run.repeat(), FAILED, error,
                injected, 0, 0, 0, 0, false, "", 0, 0, 0, -1, 0, 0, 0, 0, 0, 0, 0, List.of(), null, Map.of(), List.of());
    }
}

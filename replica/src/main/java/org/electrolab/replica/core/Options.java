package org.electrolab.replica.core;

import org.electrolab.protocol.Check;
import org.electrolab.protocol.Wire;

/**
 * Timeouts of the core in ticks (the adapter decides how long a tick is) and its bounds.
 *
 * @param commitIntervalTicks idle leader sends a Commit heartbeat this often
 * @param prepareRetryTicks an uncommitted op that a follower has not acknowledged after this many ticks
 *        (at least this many minus one whole ticks) is sent to it again, and at every tick after
 * @param viewChangeTimeoutTicks follower starts a view change after this long without hearing the leader;
 *        a view change that has not completed after this long moves on to the next view
 * @param viewChangeJitterTicks up to this many ticks added at random to each view-change timeout
 * @param fetchRetryTicks a GetState unanswered for this long is sent again
 * @param recoveryRetryTicks a Recovery unanswered by a quorum for this long is sent again
 * @param pipelineMax ops the leader prepares beyond its commit number
 * @param batchBytesMax bytes of requests in one Prepare (keep Prepares inside one MTU for the fast path)
 * @param requestQueueMax requests the leader queues while the pipeline is full; more are dropped
 * @param clientTableMax clients remembered for at-most-once replies (least recently used forgotten)
 */
public record Options(int commitIntervalTicks, int prepareRetryTicks, int viewChangeTimeoutTicks,
                      int viewChangeJitterTicks, int fetchRetryTicks, int recoveryRetryTicks,
                      int pipelineMax, int batchBytesMax, int requestQueueMax, int clientTableMax) {

    public Options {
        Check.that(commitIntervalTicks > 0 && prepareRetryTicks > 0 && fetchRetryTicks > 0
                && recoveryRetryTicks > 0, "timeouts are positive");
        Check.that(viewChangeTimeoutTicks > 2 * commitIntervalTicks,
                "a view change timeout must outlast two heartbeats");
        Check.that(viewChangeJitterTicks >= 0, "jitter is not negative");
        Check.that(pipelineMax >= 1 && pipelineMax <= Wire.PIPELINE_MAX, "1 <= pipelineMax <= PIPELINE_MAX");
        Check.that(batchBytesMax >= Wire.ENTRY_OVERHEAD + Wire.REQUEST_OVERHEAD && batchBytesMax <= Wire.ENTRY_SIZE_MAX,
                "a batch holds one request and fits ENTRY_SIZE_MAX");
        Check.that(requestQueueMax >= Wire.BATCH_MAX, "the queue holds at least one batch");
        Check.that(clientTableMax >= 1, "the client table holds a client");
    }

    /**
     * Defaults for a 10 ms tick: heartbeat 50 ms; a lost Prepare or PrepareOK resent, and a lost
     * GetState or NewState asked again, after 10-20 ms (two ticks: with one, a tick just after a
     * Prepare went out would resend it while in flight); view change after 300-400 ms of silence.
     */
    public static Options defaults() {
        return new Options(5, 2, 30, 10, 2, 10, Wire.PIPELINE_MAX, 1400, 4096, 65536);
    }
}

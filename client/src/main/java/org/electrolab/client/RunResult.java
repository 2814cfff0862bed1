package org.electrolab.client;

import org.HdrHistogram.Histogram;

/**
 * What a closed-loop run measured. Counts are of the measured window (after the warmup), except
 * {@code answeredIncludingWarmup}.
 *
 * @param completed requests answered with a result that is not an error
 * @param errors answers whose result is an app error, plus datagrams that did not decode as a reply
 * @param timeouts retransmissions: a request unanswered within the timeout, sent again to every member
 * @param undecodable datagrams that did not decode as a reply of this cluster (counted in errors too)
 * @param latencyMicros latency of each completed request, first transmission to reply, in microseconds
 * @param view the highest view a reply named
 * @param leader address of the leader of that view: where requests went last
 */
public record RunResult(long completed, long errors, long timeouts, long undecodable, double measuredSeconds,
                        Histogram latencyMicros, long answeredIncludingWarmup, long view, String leader) {

    public double throughputOpsPerSec() {
        return completed / measuredSeconds;
    }
}

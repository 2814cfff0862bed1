package org.electrolab.lab.scenario;

import java.time.Duration;

/**
 * The closed-loop client load of a scenario.
 *
 * @param clients concurrent closed-loop clients
 * @param warmup time whose results are discarded
 * @param duration measured time after the warmup
 * @param payloadBytes bytes of each request's payload
 */
public record ClientLoad(int clients, Duration warmup, Duration duration, int payloadBytes) {

    /** A duration as {@code electrolab client} reads it: whole milliseconds, e.g. {@code 5000ms}. */
    public static String argument(Duration duration) {
        return duration.toMillis() + "ms";
    }
}

package org.electrolab.lab.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C (or SIGTERM) for a long command: the JVM runs a shutdown hook while the command goes on;
 * the hook asks the command to stop and holds the JVM until the command has cleaned up (lab down,
 * report written) and closed this, or {@code wait} has passed.
 * <pre>
 *   try (CtrlC ctrlC = CtrlC.onStop(runner::requestStop, Duration.ofMinutes(3), "experiment-stop")) {
 *       ... run, report ...
 *   }
 * </pre>
 */
public final class CtrlC implements AutoCloseable {
    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread hook;

    private CtrlC(Runnable requestStop, Duration wait, String name) {
        hook = new Thread(() -> {
            requestStop.run();
            try {
                done.await(wait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name);
    }

    public static CtrlC onStop(Runnable requestStop, Duration wait, String name) {
        CtrlC ctrlC = new CtrlC(requestStop, wait, name);
        Runtime.getRuntime().addShutdownHook(ctrlC.hook);
        return ctrlC;
    }

    /** The command is done: a waiting hook lets the JVM exit; without Ctrl-C the hook is removed. */
    @Override
    public void close() {
        done.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // Ctrl-C came: the hook is running and waits for us; nothing to remove.
        }
    }
}

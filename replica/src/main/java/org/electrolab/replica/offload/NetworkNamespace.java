package org.electrolab.replica.offload;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Runs code inside a named network namespace ({@code ip netns add NAME}), on a thread of its own
 * that enters it: what that code opens (sockets, interface lookups, attachments by ifindex) belongs
 * to that namespace, and the caller's thread stays where it was.
 */
public final class NetworkNamespace {
    private NetworkNamespace() {}

    /** The index of interface {@code device} in the calling thread's namespace (inside {@link #call}: that namespace's). */
    public static int interfaceIndex(String device) {
        return Libc.interfaceIndex(device);
    }

    public static <T> T call(String name, Callable<T> work) {
        FutureTask<T> task = new FutureTask<>(() -> {
            Libc.enterNetworkNamespace("/run/netns/" + name);
            return work.call();
        });
        Thread thread = Thread.ofPlatform().name("netns-" + name).start(task);
        try {
            return task.get();
        } catch (InterruptedException e) {
            thread.interrupt();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running in network namespace " + name, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        }
    }
}

package org.electrolab.replica.offload;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway network namespace named {@code eltest-...}, removed on close, and a thread living in
 * it: sockets made, interfaces resolved and programs attached by {@link #call} belong to it.
 */
final class Netns implements AutoCloseable {

    private static final int CLONE_NEWNET = 0x40000000;
    private static final int O_RDONLY_CLOEXEC = 0x80000;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle OPEN = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("open"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SETNS = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("setns"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("close"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    final String name;
    private final ExecutorService thread;

    private Netns(String name) {
        this.name = name;
        this.thread = Executors.newSingleThreadExecutor(task -> Thread.ofPlatform().name(name).daemon().unstarted(() -> {
            enter(name);
            task.run();
        }));
    }

    /** A fresh namespace {@code eltest-<tag>-<random>} with its loopback up. */
    static Netns create(String tag) {
        String name = "eltest-" + tag + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
        ipRoot("netns", "add", name);
        Netns ns = new Netns(name);
        try {
            ns.ip("link", "set", "lo", "up");
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** Runs {@code ip -n <this> args}. */
    String ip(String... args) {
        List<String> command = new ArrayList<>(List.of("-n", name));
        command.addAll(List.of(args));
        return ipRoot(command.toArray(String[]::new));
    }

    /** Runs a command inside the namespace ({@code ip netns exec}). */
    String exec(String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(command));
        return run(full);
    }

    /** Writes a sysctl of this namespace, e.g. {@code net.ipv4.conf.eth0.forwarding}. */
    void sysctl(String key, String value) {
        exec("sh", "-c", "echo " + value + " > /proc/sys/" + key.replace('.', '/'));
    }

    int ifindex(String device) {
        String line = ip("-o", "link", "show", "dev", device);
        return Integer.parseInt(line.substring(0, line.indexOf(':')).strip());
    }

    /** Runs {@code task} on this namespace's thread and returns its result. */
    <T> T call(Callable<T> task) {
        try {
            return thread.submit(task).get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error r) throw r;
            throw new IllegalStateException(e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String ipRoot(String... args) {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        return run(command);
    }

    static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in 30 s");
            }
            if (p.exitValue() != 0) throw new IllegalStateException(String.join(" ", command) + " failed: " + out.strip());
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", command) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void enter(String name) {
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(arena.allocateFrom("/var/run/netns/" + name), O_RDONLY_CLOEXEC);
            if (fd < 0) throw new IllegalStateException("cannot open namespace " + name);
            int rc = (int) SETNS.invokeExact(fd, CLONE_NEWNET);
            int closed = (int) CLOSE.invokeExact(fd);
            if (rc != 0) throw new IllegalStateException("setns into " + name + " failed");
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ipRoot("netns", "del", name);
    }
}

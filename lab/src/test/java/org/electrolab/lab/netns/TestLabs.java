package org.electrolab.lab.netns;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.electrolab.lab.scenario.Scenario;
import org.electrolab.lab.scenario.ScenarioException;
import org.electrolab.lab.scenario.ScenarioFile;

/** What the lab tests share: unique short lab names, the shipped scenarios, leftover checks, a started process's first line. */
public final class TestLabs {
    private static final AtomicInteger NEXT = new AtomicInteger();

    private TestLabs() {}

    /** A lab name no other test (in this or a concurrent JVM) uses: t, this pid, a counter. */
    static String uniqueName() {
        return "t" + ProcessHandle.current().pid() % 1_000_000 + "x" + NEXT.getAndIncrement();
    }

    public static Path repo() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("experiments").resolve("scenarios"))) dir = dir.getParent();
        if (dir == null) throw new IllegalStateException("no experiments/scenarios above " + Path.of("").toAbsolutePath());
        return dir;
    }

    static Path scenarioFile(int replicas) {
        return repo().resolve("experiments/scenarios/scenario" + replicas + ".yaml");
    }

    static Scenario scenario(int replicas) {
        try {
            return ScenarioFile.load(scenarioFile(replicas));
        } catch (ScenarioException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * The first line {@code process} prints, waited for at most {@code limit}: a process that never
     * prints fails the test with a timeout instead of hanging it.
     */
    static String firstLine(Process process, Duration limit) throws Exception {
        BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        return CompletableFuture.supplyAsync(() -> readLine(lines), Thread::startVirtualThread)
                .get(limit.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static String readLine(BufferedReader reader) {
        try {
            return reader.readLine();
        } catch (IOException e) {
            return "unreadable: " + e;
        }
    }

    /** Lab {@code name} left no namespace behind (its links live only inside them). */
    static void assertNoNamespaces(String name) {
        assertThat(Netns.list(new CommandRunner(), Network.namespacePrefix(name))).as("namespaces of lab " + name).isEmpty();
    }

    /**
     * The root namespace's links that could be lab {@code name}'s: one named like the bridge or a
     * bridge port, or a veth whose peer is in one of the lab's namespaces. Other software's links
     * may come and go meanwhile; these must not.
     */
    static List<String> rootLinksLike(String name) {
        return new CommandRunner().run("ip", "-o", "link", "show").lines()
                .filter(line -> {
                    String link = line.split(":\\s+", 3)[1].split("@")[0];
                    return line.contains(Network.namespacePrefix(name)) || link.equals(Network.BRIDGE)
                            || link.matches("r[0-9]+") || link.equals(Network.CLIENT);
                })
                .map(line -> line.split(":\\s+", 3)[1]).sorted().toList();
    }
}

package org.electrolab.lab.kernels;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import org.electrolab.lab.cli.UserError;

/**
 * How the JVMs of an emulated guest start in seconds rather than a minute each: this checkout's
 * classes as jars only, and a JDK AOT cache (JEP 483) made on this machine by a training run of a
 * replica with those jars and the guest's JVM options, so the guest's JVMs load classes already
 * parsed and linked. Class loading through 9p and bytecode verification dominated a replica's
 * start under TCG (30 s; 11 s with these options and the cache).
 */
final class GuestJvm {
    /** A replica trained this long has loaded what a replica, the client and the CLI load at start. */
    static final Duration TRAINING = Duration.ofSeconds(4);

    private GuestJvm() {}

    /** {@code classPath} with every directory packed into a jar under {@code dir} (an AOT cache takes jars only). */
    static List<Path> jarsOnly(List<Path> classPath, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> jars = new ArrayList<>();
        int n = 0;
        for (Path entry : classPath) {
            if (!Files.isDirectory(entry)) {
                if (Files.isRegularFile(entry)) jars.add(entry);
                continue;
            }
            Path jar = dir.resolve(String.format("%02d-%s.jar", n++, entry.getParent().getParent().getFileName()));
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(entry)) {
                for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                    out.putNextEntry(new JarEntry(entry.relativize(file).toString().replace('\\', '/')));
                    Files.copy(file, out);
                    out.closeEntry();
                }
            }
            jars.add(jar);
        }
        return jars;
    }

    /** Trains a replica on loopback with {@code jvmOptions} and {@code classPath}; returns the AOT cache it wrote. */
    static Path trainAotCache(List<Path> classPath, List<String> jvmOptions, Path dir) throws IOException, InterruptedException {
        Path cache = dir.resolve("electrolab.aot");
        Path config = dir.resolve("training-cluster.yaml");
        Files.writeString(config, "cluster-id: 1\nf: 0\napp: null\nport: " + freeUdpPort() + "\nmembers: [127.0.0.1]\n");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-XX:AOTCacheOutput=" + cache, "--enable-native-access=ALL-UNNAMED",
                "-cp", String.join(":", classPath.stream().map(Path::toString).toList()),
                "org.electrolab.lab.Main", "replica", "--config", config.toString(), "--id", "0"));
        Process replica = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("training.log").toFile()).start();
        if (replica.waitFor(TRAINING.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new UserError("the AOT training replica exited early (code " + replica.exitValue() + "); see " + dir.resolve("training.log"));
        }
        replica.destroy(); // SIGTERM: the replica shuts down and the JVM writes the cache as it exits
        if (!replica.waitFor(2, TimeUnit.MINUTES)) {
            replica.destroyForcibly();
            throw new UserError("the AOT training replica did not exit; see " + dir.resolve("training.log"));
        }
        if (!Files.isRegularFile(cache)) throw new UserError("the AOT training wrote no cache; see " + dir.resolve("training.log"));
        return cache;
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}

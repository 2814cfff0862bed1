package org.electrolab.lab.kernels;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.electrolab.lab.cli.UserError;
import org.electrolab.lab.pipeline.EnvironmentFacts;
import org.electrolab.lab.pipeline.ResultsName;
import org.electrolab.lab.netns.CommandRunner;
import org.electrolab.lab.netns.Locations;
import org.electrolab.lab.netns.Privileges;
import org.electrolab.protocol.config.ClusterConfig;

/**
 * {@code electrolab kernels check}: boots each kernel asked for under QEMU (KVM where it can run a
 * guest, TCG otherwise), runs {@link KernelSuite} inside with this checkout's build, checks this
 * machine's own kernel in place for {@code host}, and writes one table of what loads, attaches,
 * passes its tests and carries the lab on which kernel (docs/kernels.md).
 */
public final class KernelCheck {

    public static final String HOST = "host";

    /**
     * @param accel {@code auto}, {@code kvm} or {@code tcg}
     * @param jobs guests booted at once (each TCG guest keeps one host core busy)
     * @param timeout the longest one guest may run
     */
    public record Options(Path out, Path cache, String accel, int jobs, Duration timeout, List<Integer> labSizes) {}

    /** JVM options for every JVM in an emulated guest: C1 only, one compiler thread, a small heap, Serial GC. */
    static final List<String> EMULATED_JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1",
            "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xmx256m");
    /**
     * Under emulation a short tick starves into view changes: five replicas sharing one emulated CPU
     * changed views 70 times in 4 minutes at 50 ms (a view change outlasted its own 1.5-2 s timeout).
     */
    static final int EMULATED_TICK_MILLIS = 200;
    static final Duration EMULATED_READY_LIMIT = Duration.ofMinutes(10);
    static final Duration READY_LIMIT = Duration.ofMinutes(2);

    private final Locations paths;
    private final KernelPins pins;
    private final Options options;
    private final PrintWriter log;
    private final CommandRunner runner = new CommandRunner(Duration.ofMinutes(10));
    /** The guests' class path (jars) and JVM options, the latter ending in the AOT cache trained for them. */
    private List<String> guestClassPath = List.of();
    private List<String> guestJvmOptions = List.of();
    /** What the guests boot and load but the results need not keep: initramfs images, jars, the AOT cache. */
    private Path work;

    public KernelCheck(Locations paths, KernelPins pins, Options options, PrintWriter log) {
        this.paths = paths;
        this.pins = pins;
        this.options = options;
        this.log = log;
    }

    /** A kernel to check: this machine's, a pin, or a file. */
    private record Target(String key, KernelPins.Pin pin, Path file) {
        boolean isHost() {
            return key.equals(HOST);
        }
    }

    /** The default: every kernel of the matrix, then this machine's. */
    public List<String> defaultKernels() {
        List<String> keys = new ArrayList<>(pins.matrix().stream().map(KernelPins.Pin::key).toList());
        keys.add(HOST);
        return keys;
    }

    /** Checks {@code requested} (pin keys, {@code host}, .deb or vmlinuz paths) and writes the results under {@link Options#out}. */
    public List<KernelResult> run(List<String> requested) throws IOException, InterruptedException {
        List<Target> targets = new ArrayList<>();
        for (String name : requested.isEmpty() ? defaultKernels() : requested) targets.add(target(name));
        if (!Privileges.isRoot()) throw new UserError("kernels check needs root (BPF, namespaces, and QEMU's access to the checkout); run it with sudo");
        ResultsName.createEmpty(options.out());
        log.println("kernels check: " + String.join(", ", targets.stream().map(Target::key).toList()) + " -> " + options.out());
        log.flush();
        work = Files.createTempDirectory(Files.createDirectories(options.cache()), "check-");
        try {
            return check(targets);
        } finally {
            deleteRecursively(work);
        }
    }

    private List<KernelResult> check(List<Target> targets) throws IOException, InterruptedException {

        Map<Target, BootKernel> guests = new LinkedHashMap<>();
        KernelPackages packages = new KernelPackages(options.cache(), runner);
        for (Target t : targets) {
            if (t.isHost()) continue;
            Qemu.requireInstalled();
            log.println(t.key() + ": preparing " + (t.pin() != null ? t.pin().packageName() + " " + t.pin().version() : t.file()));
            log.flush();
            BootKernel kernel = t.pin() != null ? packages.fetch(t.pin())
                    : t.file().toString().endsWith(".deb") ? packages.fromDeb(t.file()) : KernelPackages.fromVmlinuz(t.file());
            Files.createDirectories(options.out().resolve(t.key()));
            Initramfs.write(kernel, initramfs(t), runner);
            guests.put(t, kernel);
        }
        Qemu.Accel accel = guests.isEmpty() ? Qemu.Accel.TCG : accel(guests);
        if (!guests.isEmpty()) prepareGuestJvm(accel);

        Map<String, KernelResult> results = new LinkedHashMap<>();
        for (Target t : targets) {
            if (!t.isHost()) continue;
            log.println("host: checking this machine's kernel in place");
            log.flush();
            Path dir = Files.createDirectories(options.out().resolve(HOST));
            KernelResult r = new KernelSuite(options.labSizes(), ClusterConfig.TICK_MILLIS_DEFAULT,
                    READY_LIMIT, List.of()).run(paths, HOST, "this machine", "native", dir);
            r.write(dir.resolve(KernelResult.FILE));
            results.put(HOST, r);
            report(r);
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, options.jobs()));
        try {
            Map<String, Future<KernelResult>> running = new LinkedHashMap<>();
            for (Map.Entry<Target, BootKernel> g : guests.entrySet()) {
                running.put(g.getKey().key(), pool.submit(() -> boot(g.getKey(), g.getValue(), accel)));
            }
            for (Map.Entry<String, Future<KernelResult>> f : running.entrySet()) {
                try {
                    results.put(f.getKey(), f.getValue().get());
                } catch (java.util.concurrent.ExecutionException e) {
                    results.put(f.getKey(), KernelResult.failed(f.getKey(), "?", "?", accel.name().toLowerCase(), 0,
                            "the check failed: " + e.getCause()));
                }
                report(results.get(f.getKey()));
            }
        } finally {
            pool.shutdownNow();
        }
        List<KernelResult> ordered = new ArrayList<>();
        for (Target t : targets) ordered.add(results.get(t.key()));
        write(ordered);
        return ordered;
    }

    private Target target(String name) {
        if (name.equals(HOST)) return new Target(HOST, null, null);
        if (pins.kernels().containsKey(name)) {
            KernelPins.Pin pin = pins.kernels().get(name);
            if (pin.archive().isEmpty() || pin.version().isEmpty()) {
                throw new UserError(name + " in " + KernelPins.FILE + " has no archive and version to fetch it from (matrix: false);"
                        + " pass its .deb or vmlinuz instead");
            }
            return new Target(name, pin, null);
        }
        Path file = Path.of(name).toAbsolutePath();
        if (Files.isRegularFile(file)) return new Target(file.getFileName().toString().replaceAll("[^A-Za-z0-9._+-]", "_"), null, file);
        throw new UserError("'" + name + "' is not a kernel of " + KernelPins.FILE + " (" + String.join(", ", pins.kernels().keySet())
                + "), host, or a .deb or vmlinuz file");
    }

    private Qemu.Accel accel(Map<Target, BootKernel> guests) throws IOException, InterruptedException {
        Qemu.Accel accel = switch (options.accel()) {
            case "kvm" -> Qemu.Accel.KVM;
            case "tcg" -> Qemu.Accel.TCG;
            default -> {
                Map.Entry<Target, BootKernel> first = guests.entrySet().iterator().next();
                yield Qemu.choose(first.getValue(), initramfs(first.getKey()), work);
            }
        };
        log.println("guests run under " + accel.name().toLowerCase()
                + (accel == Qemu.Accel.TCG && options.accel().equals("auto") ? " (no /dev/kvm that can run a guest here)" : ""));
        log.flush();
        return accel;
    }

    private void prepareGuestJvm(Qemu.Accel accel) throws IOException, InterruptedException {
        String current = System.getenv("ELECTROLAB_CLASSPATH") != null ? System.getenv("ELECTROLAB_CLASSPATH")
                : System.getProperty("java.class.path");
        List<Path> entries = new ArrayList<>();
        for (String entry : current.split(":")) if (!entry.isBlank()) entries.add(Path.of(entry));
        Path dir = Files.createDirectories(work.resolve("guest-jvm"));
        List<Path> jars = GuestJvm.jarsOnly(entries, dir.resolve("classes"));
        List<String> jvmOptions = new ArrayList<>(accel == Qemu.Accel.TCG ? EMULATED_JVM_OPTIONS : List.of());
        log.println("training the guests' AOT cache (a replica on loopback for " + GuestJvm.TRAINING.toSeconds() + " s)");
        log.flush();
        Path cache = GuestJvm.trainAotCache(jars, jvmOptions, dir);
        jvmOptions.add("-XX:AOTCache=" + cache);
        guestClassPath = jars.stream().map(Path::toString).toList();
        guestJvmOptions = List.copyOf(jvmOptions);
    }

    private KernelResult boot(Target target, BootKernel kernel, Qemu.Accel accel) throws IOException, InterruptedException {
        long started = System.nanoTime();
        Path dir = options.out().resolve(target.key());
        String accelName = accel.name().toLowerCase();
        Files.writeString(dir.resolve("guest.sh"), guestScript(target, kernel, accel, dir));
        Path console = dir.resolve("console.log");
        log.println(target.key() + ": booting " + kernel.release() + " under " + accelName);
        log.flush();
        boolean exited = Qemu.run(Qemu.command(accel, kernel, initramfs(target), dir, console, ""),
                dir.resolve("qemu.log"), options.timeout());
        long seconds = ProgramTests.seconds(started);
        Path result = dir.resolve(KernelResult.FILE);
        if (Files.isRegularFile(result)) {
            KernelResult r = KernelResult.read(result).withTiming(target.key(), kernel.source(), accelName, seconds);
            r.write(result);
            return r;
        }
        String why = exited ? "the guest stopped without a result" : "the guest did not finish within " + options.timeout().toMinutes() + " min";
        return KernelResult.failed(target.key(), kernel.release(), kernel.source(), accelName, seconds,
                why + "; console.log ends: " + tail(console, 3));
    }

    /** The script the guest's init runs last: this checkout's launcher with the same JDK and class path. */
    private String guestScript(Target target, BootKernel kernel, Qemu.Accel accel, Path dir) {
        boolean emulated = accel == Qemu.Accel.TCG;
        List<String> command = new ArrayList<>(List.of(paths.launcher().toString(), "kernels", "guest", "--out", dir.toString(),
                "--kernel", target.key(), "--source", kernel.source(), "--accel", accel.name().toLowerCase(),
                "--lab-sizes", String.join(",", options.labSizes().stream().map(String::valueOf).toList()),
                "--tick-millis", Integer.toString(emulated ? EMULATED_TICK_MILLIS : ClusterConfig.TICK_MILLIS_DEFAULT),
                "--ready-within", (emulated ? EMULATED_READY_LIMIT : READY_LIMIT).toSeconds() + "s"));
        return "#!/bin/sh\n"
                + "# Written by `electrolab kernels check` for " + target.key() + "; the guest's init runs it last (docs/kernels.md).\n"
                + "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8\n"
                + "export JAVA_HOME=" + quote(System.getProperty("java.home")) + "\n"
                + "export ELECTROLAB_CLASSPATH=" + quote(String.join(":", guestClassPath)) + "\n"
                + "export ELECTROLAB_OPTS=" + quote(String.join(" ", guestJvmOptions)) + "\n"
                + (System.getenv("CI") != null ? "export CI=" + quote(System.getenv("CI")) + "\n" : "")
                + "mount -t bpf bpf /sys/fs/bpf 2>/dev/null\n"
                + "cd " + quote(paths.repo().toString()) + "\n"
                + "echo \"electrolab-guest: $(uname -r) up, checking\"\n"
                + String.join(" ", command.stream().map(KernelCheck::quote).toList())
                + " > " + quote(dir.resolve("guest.log").toString()) + " 2>&1\n"
                + "echo \"electrolab-guest-done $?\"\n"
                + "echo o > /proc/sysrq-trigger\n"
                + "sleep 60\n";
    }

    private Path initramfs(Target target) {
        return work.resolve(target.key() + ".cpio.gz");
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) return;
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private void report(KernelResult r) {
        log.println(r.kernel() + ": " + (r.passed() ? "passed" : "FAILED") + " in " + r.seconds() + " s"
                + (r.problem() != null ? ": " + r.problem() : ""));
        log.flush();
    }

    private void write(List<KernelResult> results) throws IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("machine", EnvironmentFacts.machine());
        all.put("software", EnvironmentFacts.software(paths.repo()));
        all.put("kernels", results);
        json.writeValue(options.out().resolve("kernels.json").toFile(), all);
        String table = KernelTable.markdown(results);
        StringBuilder md = new StringBuilder("# Kernel matrix\n\n")
                .append("Made by `bin/electrolab kernels check ").append(String.join(" ", results.stream().map(KernelResult::kernel).toList()))
                .append("` on ").append(LocalDateTime.now().withNano(0)).append(" (").append(EnvironmentFacts.machine().get("kernel"))
                .append(", ").append(EnvironmentFacts.machine().get("cpuCount")).append(" CPUs). Each guest booted its kernel")
                .append(" with this checkout's build; see docs/kernels.md for what each column means.\n\n")
                .append(table).append('\n');
        for (String note : KernelTable.notes(results)) md.append("- ").append(note).append('\n');
        Files.writeString(options.out().resolve("kernels.md"), md.toString());
        log.println();
        log.print(table);
        KernelTable.notes(results).forEach(log::println);
        log.flush();
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList();
            return String.join(" / ", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no console output)";
        }
    }
}

package org.electrolab.lab.kernels;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.electrolab.lab.cli.GroupCommand;
import org.electrolab.lab.cli.UserError;
import org.electrolab.lab.pipeline.ResultsName;
import org.electrolab.lab.netns.LabException;
import org.electrolab.lab.netns.Locations;
import org.electrolab.protocol.config.ClusterConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code electrolab kernels list|check}: the kernel matrix (docs/kernels.md). */
@Command(name = "kernels", description = "The kernels electrolab's eBPF programs are proven on, and the check that proves them.",
        subcommands = {KernelsCommand.ListPins.class, KernelsCommand.Check.class, KernelsCommand.Guest.class})
public final class KernelsCommand extends GroupCommand {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;

    @Command(name = "list", description = "Print the pinned kernels (" + KernelPins.FILE + ") and the kernel each VM box boots.")
    static final class ListPins implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
        boolean help;

        @Override
        public Integer call() {
            KernelPins pins = KernelPins.load(Locations.locate().repo());
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%-12s %-26s %-36s %-14s %s%n", "kernel", "distribution", "package", "version", "in the matrix");
            for (KernelPins.Pin p : pins.kernels().values()) {
                out.printf("%-12s %-26s %-36s %-14s %s%n", p.key(), p.distribution(), p.packageName(),
                        p.version().isEmpty() ? "-" : p.version(), p.matrix() ? "yes" : "no (not proven)");
            }
            out.println();
            for (KernelPins.Box b : pins.boxes().values()) {
                out.printf("box %-12s %-22s boots %s%s%n", b.key(), b.box(), b.kernel(), b.key().equals(pins.vmBox()) ? " (vagrant up's default)" : "");
            }
            out.flush();
            return 0;
        }
    }

    /** Exit 0 when every kernel passed every check, 1 when one did not, 2 for a mistake in the arguments. */
    @Command(name = "check", description = {
            "Boot each KERNEL under QEMU (KVM where /dev/kvm runs a guest, else TCG) with this checkout's build and, inside it,"
                    + " load and attach every program, run the program tests and the netns lab with every offload at 3 and 5 replicas;"
                    + " check this machine's own kernel in place for `host`. Writes a table under experiments/results/.",
            "KERNEL: a key of " + KernelPins.FILE + " (default: every kernel of the matrix, then host), host, a linux-image .deb,"
                    + " or a vmlinuz-RELEASE whose modules are in /lib/modules/RELEASE. Needs root."})
    static final class Check implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
        boolean help;

        @Parameters(paramLabel = "KERNEL", arity = "0..*", description = "kernels to check (default: the matrix and host)")
        List<String> kernels = new ArrayList<>();

        @Option(names = "--out", paramLabel = "DIR", description = "results directory (default: experiments/results/<time>-kernels)")
        Path out;

        @Option(names = "--cache", paramLabel = "DIR", description = "where downloaded kernels are kept (default: ~/.cache/electrolab/kernels)")
        Path cache;

        @Option(names = "--accel", defaultValue = "auto", paramLabel = "A", description = "auto, kvm or tcg (default: ${DEFAULT-VALUE})")
        String accel;

        @Option(names = "--jobs", defaultValue = "2", paramLabel = "N", description = "guests booted at once (default: ${DEFAULT-VALUE})")
        int jobs;

        @Option(names = "--timeout", defaultValue = "40m", paramLabel = "T", description = "longest one guest may run (default: ${DEFAULT-VALUE})")
        String timeout;

        @Option(names = "--lab-sizes", defaultValue = "3,5", split = ",", paramLabel = "N,N", description = "netns lab sizes (default: ${DEFAULT-VALUE})")
        List<Integer> labSizes;

        @Override
        public Integer call() throws IOException, InterruptedException {
            if (!List.of("auto", "kvm", "tcg").contains(accel)) throw new UserError("--accel " + accel + ": use auto, kvm or tcg");
            if (jobs < 1) throw new UserError("--jobs " + jobs + ": use 1 or more");
            for (int n : labSizes) if (n < 3 || n % 2 == 0) throw new UserError("--lab-sizes " + n + ": use odd sizes of 3 or more");
            Locations paths = Locations.locate();
            KernelPins pins = KernelPins.load(paths.repo());
            Path dir = out != null ? out : ResultsName.dir(paths.repo().resolve("experiments").resolve("results"), LocalDateTime.now(), "kernels");
            KernelCheck check = new KernelCheck(paths, pins, new KernelCheck.Options(dir.toAbsolutePath(),
                    cache != null ? cache : defaultCache(), accel, jobs, duration(timeout), labSizes), spec.commandLine().getOut());
            try {
                return check.run(kernels).stream().allMatch(KernelResult::passed) ? 0 : 1;
            } catch (LabException e) {
                throw new UserError(e.getMessage());
            }
        }

        private static Duration duration(String text) {
            if (!text.matches("[0-9]{1,5}[mh]")) throw new UserError("--timeout " + text + ": use minutes or hours, e.g. 40m");
            long amount = Long.parseLong(text.substring(0, text.length() - 1));
            return text.endsWith("h") ? Duration.ofHours(amount) : Duration.ofMinutes(amount);
        }

        private static Path defaultCache() {
            String xdg = System.getenv("XDG_CACHE_HOME");
            Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
            return base.resolve("electrolab").resolve("kernels");
        }
    }

    /** Inside a guest (the check writes the command into its guest.sh): the suite, into --out/result.json. */
    @Command(name = "guest", hidden = true, description = "Run the kernel suite here and write --out/result.json (what a check's guest runs).")
    static final class Guest implements Callable<Integer> {
        @Option(names = "--out", required = true)
        Path out;

        @Option(names = "--kernel", required = true)
        String kernel;

        @Option(names = "--source", defaultValue = "")
        String source;

        @Option(names = "--accel", defaultValue = "native")
        String accel;

        @Option(names = "--lab-sizes", defaultValue = "3,5", split = ",")
        List<Integer> labSizes;

        @Option(names = "--tick-millis", defaultValue = "" + ClusterConfig.TICK_MILLIS_DEFAULT)
        int tickMillis;

        @Option(names = "--ready-within", defaultValue = "120s")
        String readyWithin;

        @Override
        public Integer call() throws IOException {
            Duration ready = Duration.ofSeconds(Long.parseLong(readyWithin.replace("s", "")));
            String opts = System.getenv().getOrDefault("ELECTROLAB_OPTS", "").strip();
            // The tests' JVM has another class path than the AOT cache was trained with: it gets the rest.
            List<String> jvmOptions = opts.isEmpty() ? List.of()
                    : java.util.Arrays.stream(opts.split("\\s+")).filter(o -> !o.startsWith("-XX:AOTCache=")).toList();
            Files.createDirectories(out);
            KernelResult result = new KernelSuite(labSizes, tickMillis, ready, jvmOptions)
                    .run(Locations.locate(), kernel, source, accel, out);
            result.write(out.resolve(KernelResult.FILE));
            System.out.println(KernelTable.markdown(List.of(result)));
            return result.passed() ? 0 : 1;
        }
    }
}

package org.electrolab.lab.kernels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.electrolab.lab.netns.Privileges;

/**
 * Boots a kernel-check guest: QEMU with the kernel, its initramfs, no network card, and three 9p
 * shares (the host's root read-only, the kernel's modules read-only, the results directory).
 */
final class Qemu {
    static final String BINARY = "qemu-system-x86_64";
    static final int MEMORY_MB = 3072;
    static final int CPUS = 2;
    /** A kernel reaches init in about 2 s with KVM; a guest that has not said so by then is hung (or emulated). */
    static final Duration PROBE_LIMIT = Duration.ofSeconds(20);

    /** How QEMU runs the guest's instructions. */
    enum Accel {
        /** Hardware virtualisation: where /dev/kvm can run a guest (a user's laptop). */
        KVM,
        /**
         * Software emulation, one host thread for all vCPUs. Multi-threaded TCG (QEMU 7.2) corrupts
         * kernel text that is patched while other vCPUs run: guests died of int3 oopses in the BPF
         * dispatcher when XDP programs were attached, and in timer code at boot.
         */
        TCG;

        List<String> arguments() {
            return this == KVM ? List.of("-accel", "kvm", "-cpu", "host") : List.of("-accel", "tcg,thread=single", "-cpu", "max");
        }
    }

    private Qemu() {}

    static void requireInstalled() {
        Privileges.requireTool(BINARY, "qemu-system-x86");
    }

    /** The QEMU command line that boots {@code kernel} with {@code initramfs}, its console in {@code console}. */
    static List<String> command(Accel accel, BootKernel kernel, Path initramfs, Path out, Path console, String extraKernelArguments) {
        List<String> command = new ArrayList<>(List.of(BINARY, "-machine", "q35"));
        command.addAll(accel.arguments());
        command.addAll(List.of("-smp", Integer.toString(CPUS), "-m", Integer.toString(MEMORY_MB),
                "-display", "none", "-no-reboot", "-nic", "none",
                "-serial", "file:" + console,
                "-kernel", kernel.vmlinuz().toString(), "-initrd", initramfs.toString(),
                "-append", "console=ttyS0 quiet panic=-1 rdinit=/init electrolab_out=" + out + " " + extraKernelArguments,
                "-virtfs", share("/", "electrolab-root", true),
                "-virtfs", share(kernel.modules().toString(), "electrolab-modules", true),
                "-virtfs", share(out.toString(), "electrolab-out", false)));
        return command;
    }

    private static String share(String path, String tag, boolean readOnly) {
        // multidevs=remap: the host's root spans several filesystems; remapped inodes stay unique.
        return "local,path=" + path + ",mount_tag=" + tag + ",security_model=none,multidevs=remap" + (readOnly ? ",readonly=on" : "");
    }

    /** Runs {@code command} until QEMU exits or {@code limit} passes (then kills it); whether it exited in time. */
    static boolean run(List<String> command, Path log, Duration limit) throws IOException, InterruptedException {
        Process qemu = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            return qemu.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            if (qemu.isAlive()) {
                qemu.destroyForcibly();
                qemu.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * KVM when /dev/kvm can run this guest, else TCG. /dev/kvm may exist and still hang a guest after
     * the BIOS (seen on the machines CI runs on), so the kernel is booted once with KVM, to print a
     * line and power off, within {@link #PROBE_LIMIT}.
     */
    static Accel choose(BootKernel kernel, Path initramfs, Path workDir) throws IOException, InterruptedException {
        Path kvm = Path.of("/dev/kvm");
        if (!Files.isReadable(kvm) || !Files.isWritable(kvm)) return Accel.TCG;
        Path console = workDir.resolve("kvm-probe-console.log");
        List<String> command = command(Accel.KVM, kernel, initramfs, workDir, console, "electrolab_probe=1");
        boolean exited = run(command, workDir.resolve("kvm-probe-qemu.log"), PROBE_LIMIT);
        return exited && Files.isRegularFile(console) && Files.readString(console).contains("electrolab-guest-booted")
                ? Accel.KVM : Accel.TCG;
    }
}

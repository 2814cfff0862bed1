package org.electrolab.lab.kernels;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

import org.electrolab.lab.cli.UserError;
import org.electrolab.lab.netns.CommandRunner;
import org.electrolab.lab.netns.Privileges;

/**
 * The initramfs of a kernel-check guest: a static busybox, the modules that let the kernel reach
 * the host's files (virtio PCI, 9p, overlayfs) in load order, and the init script
 * ({@code resources/kernels/init}). Written as a gzip'd cpio (newc) archive without external tools.
 */
final class Initramfs {
    /** What the guest needs before it can mount its root; modprobe adds their dependencies. */
    static final List<String> MODULES = List.of("virtio_pci", "9pnet_virtio", "9p", "overlay");
    static final Path BUSYBOX = Path.of("/bin/busybox");

    private Initramfs() {}

    /** Writes the initramfs for {@code kernel} to {@code file}. */
    static void write(BootKernel kernel, Path file, CommandRunner runner) throws IOException {
        requireStaticBusybox();
        Privileges.requireTool("modprobe", "kmod");
        List<Path> modules = modulesInLoadOrder(kernel, runner);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            Cpio cpio = new Cpio(out);
            for (String dir : List.of("bin", "dev", "proc", "sys", "modules", "lower", "upper", "newroot")) cpio.directory(dir);
            cpio.file("bin/busybox", Files.readAllBytes(BUSYBOX), 0755);
            cpio.file("init", resource("init"), 0755);
            for (int i = 0; i < modules.size(); i++) {
                Path module = modules.get(i);
                String name = String.format("modules/%02d-%s.ko", i, stripModuleSuffix(module.getFileName().toString()));
                cpio.file(name, decompressed(module, runner), 0644);
            }
            cpio.trailer();
        }
    }

    /** The .ko files of {@link #MODULES} and their dependencies, dependencies first (built-in ones left out). */
    static List<Path> modulesInLoadOrder(BootKernel kernel, CommandRunner runner) {
        List<String> command = new ArrayList<>(List.of("modprobe", "-d", kernel.modulesBase().toString(), "-S", kernel.release(),
                "--show-depends", "-a"));
        command.addAll(MODULES);
        CommandRunner.Result r = runner.tryRun(command);
        if (!r.ok()) {
            throw new UserError(kernel.source() + ": modprobe cannot resolve " + MODULES + " (" + r.stderr().strip()
                    + "); the guest needs them to mount the host's files");
        }
        Set<Path> ordered = new LinkedHashSet<>();
        for (String line : r.stdout().lines().toList()) {
            String[] words = line.strip().split("\\s+");
            if (words.length >= 2 && words[0].equals("insmod")) ordered.add(Path.of(words[1]));
        }
        return List.copyOf(ordered);
    }

    private static String stripModuleSuffix(String name) {
        for (String suffix : List.of(".ko.xz", ".ko.zst", ".ko.gz", ".ko")) {
            if (name.endsWith(suffix)) return name.substring(0, name.length() - suffix.length());
        }
        return name;
    }

    /** The module as busybox insmod takes it: uncompressed. */
    private static byte[] decompressed(Path module, CommandRunner runner) throws IOException {
        String name = module.getFileName().toString();
        String tool = name.endsWith(".xz") ? "xz" : name.endsWith(".zst") ? "zstd" : name.endsWith(".gz") ? "gzip" : null;
        if (tool == null) return Files.readAllBytes(module);
        Privileges.requireTool(tool, tool.equals("xz") ? "xz-utils" : tool);
        Process p = new ProcessBuilder(tool, "-dc", module.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] bytes;
        try (InputStream in = p.getInputStream()) {
            bytes = in.readAllBytes();
        }
        try {
            if (p.waitFor() != 0) throw new IOException(tool + " -dc " + module + " failed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while decompressing " + module);
        }
        return bytes;
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = Initramfs.class.getResourceAsStream("/kernels/" + name)) {
            if (in == null) throw new IOException("/kernels/" + name + " is missing from the class path: rebuild electrolab");
            return in.readAllBytes();
        }
    }

    /** The guest's init runs before any library is there: busybox must be the static build. */
    static void requireStaticBusybox() throws IOException {
        if (!Files.isRegularFile(BUSYBOX) || hasInterpreter(BUSYBOX)) {
            throw new UserError("kernels check needs a static busybox at " + BUSYBOX + ": apt-get install busybox-static");
        }
    }

    /** Whether an ELF64 file names a dynamic loader (a PT_INTERP program header). */
    static boolean hasInterpreter(Path elf) throws IOException {
        byte[] bytes = Files.readAllBytes(elf);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 64 || b.getInt(0) != 0x464c457f || bytes[4] != 2) return true; // not ELF64: cannot be our busybox
        long phoff = b.getLong(32);
        int phentsize = b.getShort(54) & 0xffff, phnum = b.getShort(56) & 0xffff;
        for (int i = 0; i < phnum; i++) {
            long at = phoff + (long) i * phentsize;
            if (at + 4 > bytes.length) return true;
            if (b.getInt((int) at) == 3) return true; // PT_INTERP
        }
        return false;
    }

    /** A cpio "newc" archive: each entry a 110-byte ASCII header, its name and its data, 4-byte aligned. */
    static final class Cpio {
        private final OutputStream out;
        private long written;
        private int inode = 1;

        Cpio(OutputStream out) {
            this.out = out;
        }

        void directory(String name) throws IOException {
            entry(name, 0040755, new byte[0]);
        }

        void file(String name, byte[] data, int permissions) throws IOException {
            entry(name, 0100000 | permissions, data);
        }

        void trailer() throws IOException {
            entry("TRAILER!!!", 0, new byte[0]);
        }

        private void entry(String name, int mode, byte[] data) throws IOException {
            byte[] nameBytes = (name + "\0").getBytes(StandardCharsets.US_ASCII);
            ByteArrayOutputStream header = new ByteArrayOutputStream();
            header.writeBytes("070701".getBytes(StandardCharsets.US_ASCII));
            long[] fields = {inode++, mode, 0, 0, mode == 0040755 ? 2 : 1, 0, data.length, 0, 0, 0, 0, nameBytes.length, 0};
            for (long field : fields) header.writeBytes(String.format("%08x", field).getBytes(StandardCharsets.US_ASCII));
            write(header.toByteArray());
            write(nameBytes);
            pad();
            write(data);
            pad();
        }

        private void write(byte[] bytes) throws IOException {
            out.write(bytes);
            written += bytes.length;
        }

        private void pad() throws IOException {
            while (written % 4 != 0) write(new byte[1]);
        }
    }
}

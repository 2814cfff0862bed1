package org.electrolab.lab.kernels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.electrolab.lab.cli.UserError;
import org.electrolab.lab.netns.CommandRunner;
import org.electrolab.lab.netns.LabException;
import org.electrolab.lab.netns.Privileges;

/**
 * Kernels from Debian's archive, by package name and exact version, into a cache of their own: apt
 * runs with its own sources list and state directory (never the machine's), downloads the .deb,
 * which is unpacked and given a modules.dep. A .deb or vmlinuz a user names is used as it is.
 */
final class KernelPackages {
    private final Path cache;
    private final CommandRunner runner;
    private boolean updated;

    KernelPackages(Path cache, CommandRunner runner) {
        this.cache = cache;
        this.runner = runner;
    }

    /** The pinned kernel, downloaded once into the cache (a second check reuses the .deb). */
    BootKernel fetch(KernelPins.Pin pin) {
        Path debs = cache.resolve("debs");
        Path deb = debs.resolve(pin.packageName() + "_" + pin.version() + "_amd64.deb");
        if (!Files.isRegularFile(deb)) {
            Privileges.requireTool("apt-get", "apt");
            createDirectories(debs);
            update(pin);
            CommandRunner.Result r = runner.tryRun(debs, aptGet("download", pin.packageName() + "=" + pin.version()));
            if (!r.ok() || !Files.isRegularFile(deb)) {
                throw new UserError("cannot download " + pin.packageName() + " " + pin.version() + " from " + pin.archive()
                        + " (" + LabException.oneLine(r.stderr().isBlank() ? r.stdout() : r.stderr()) + "); if Debian's archive no longer"
                        + " lists that version, pin the current one in " + KernelPins.FILE + " (see the comment at its top)");
            }
        }
        return unpack(pin.key(), pin.release(), pin.packageName() + "=" + pin.version(), deb);
    }

    /** A linux-image .deb the user downloaded. */
    BootKernel fromDeb(Path deb) {
        String file = deb.getFileName().toString();
        if (!file.startsWith("linux-image-") || !file.endsWith(".deb") || !file.contains("_")) {
            throw new UserError(deb + " is not a kernel image package (linux-image-<release>_<version>_<arch>.deb)");
        }
        String release = file.substring("linux-image-".length(), file.indexOf('_'));
        return unpack(file, release, deb.toString(), deb);
    }

    /** A kernel image with its modules installed on this machine, in /lib/modules/<release>. */
    static BootKernel fromVmlinuz(Path vmlinuz) {
        String file = vmlinuz.getFileName().toString();
        if (!file.startsWith("vmlinuz-")) throw new UserError(vmlinuz + ": name a kernel image vmlinuz-<release> (its modules must be in /lib/modules/<release>), or pass its .deb");
        String release = file.substring("vmlinuz-".length());
        if (!Files.isDirectory(Path.of("/lib/modules", release))) {
            throw new UserError(vmlinuz + ": no modules for " + release + " in /lib/modules/" + release + "; pass the kernel's .deb instead");
        }
        return new BootKernel(file, release, vmlinuz.toString(), vmlinuz, Path.of("/"));
    }

    private BootKernel unpack(String key, String release, String source, Path deb) {
        Privileges.requireTool("dpkg-deb", "dpkg");
        Privileges.requireTool("depmod", "kmod");
        Path root = cache.resolve("unpacked").resolve(release);
        Path vmlinuz = root.resolve("boot").resolve("vmlinuz-" + release);
        if (!Files.isRegularFile(vmlinuz)) {
            createDirectories(root);
            runner.run("dpkg-deb", "-x", deb.toString(), root.toString());
            if (!Files.isRegularFile(vmlinuz)) throw new UserError(deb + " holds no boot/vmlinuz-" + release + ": is it a linux-image package?");
        }
        // Debian 13 installs modules under usr/lib (merged /usr), Debian 12 under lib.
        Path base = Files.isDirectory(root.resolve("usr/lib/modules").resolve(release)) ? root.resolve("usr") : root;
        if (!Files.isDirectory(base.resolve("lib/modules").resolve(release))) throw new UserError(deb + " holds no modules for " + release);
        if (!Files.isRegularFile(base.resolve("lib/modules").resolve(release).resolve("modules.dep"))) {
            runner.run("depmod", "-b", base.toString(), release);
        }
        return new BootKernel(key, release, source, vmlinuz, base);
    }

    /** apt-get update for the archive of {@code pin} (and every other one in the sources list), once per run. */
    private void update(KernelPins.Pin pin) {
        Path sources = cache.resolve("apt").resolve("sources.list");
        String line = "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] " + pin.archive() + "\n";
        try {
            createDirectories(cache.resolve("apt").resolve("lists").resolve("partial"));
            String existing = Files.isRegularFile(sources) ? Files.readString(sources) : "";
            if (!existing.contains(line)) {
                Files.writeString(sources, existing + line);
                updated = false;
            }
        } catch (IOException e) {
            throw new UserError("cannot write " + sources + ": " + e.getMessage());
        }
        if (updated) return;
        if (!Files.isRegularFile(Path.of("/usr/share/keyrings/debian-archive-keyring.gpg"))) {
            throw new UserError("Debian's archive key is missing: apt-get install debian-archive-keyring");
        }
        CommandRunner.Result r = runner.tryRun(aptGet("update"));
        if (!r.ok()) throw new UserError("apt-get update for " + sources + " failed: " + LabException.oneLine(r.stderr()));
        updated = true;
    }

    /** apt-get with only our sources list and state: the machine's own apt configuration stays untouched. */
    private List<String> aptGet(String... args) {
        Path apt = cache.resolve("apt");
        List<String> command = new ArrayList<>(List.of("apt-get", "-q",
                "-o", "Dir::Etc::SourceList=" + apt.resolve("sources.list"),
                "-o", "Dir::Etc::SourceParts=/dev/null",
                "-o", "Dir::State::Lists=" + apt.resolve("lists"),
                "-o", "Dir::Cache=" + apt.resolve("cache"),
                "-o", "APT::Sandbox::User=root"));
        command.addAll(List.of(args));
        return command;
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UserError("cannot create " + dir + ": " + e.getMessage());
        }
    }
}

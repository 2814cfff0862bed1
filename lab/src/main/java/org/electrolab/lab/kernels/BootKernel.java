package org.electrolab.lab.kernels;

import java.nio.file.Path;

/**
 * A kernel ready to boot under QEMU: its image, and the directory of its modules with modules.dep.
 *
 * @param key the pin's key (debian12), or the file it came from
 * @param release what {@code uname -r} prints in the guest
 * @param source where it came from: {@code package=version}, a .deb or a vmlinuz path
 * @param modulesBase the directory {@code modprobe -d} takes: it holds {@code lib/modules/<release>}
 */
public record BootKernel(String key, String release, String source, Path vmlinuz, Path modulesBase) {

    /** {@code <modulesBase>/lib/modules/<release>}, which the guest mounts at /lib/modules/<release>. */
    public Path modules() {
        return modulesBase.resolve("lib").resolve("modules").resolve(release);
    }
}

package org.electrolab.lab.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The initramfs writer: a cpio newc archive the kernel (and cpio) read, and the check for a static busybox. */
class InitramfsTest {

    @TempDir
    Path dir;

    @Test
    void theArchiveListsItsEntriesAsCpioReadsThem() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Initramfs.Cpio cpio = new Initramfs.Cpio(bytes);
        cpio.directory("bin");
        cpio.file("bin/hello", "hello\n".getBytes(StandardCharsets.US_ASCII), 0755);
        cpio.file("init", "#!/bin/sh\n".getBytes(StandardCharsets.US_ASCII), 0755);
        cpio.trailer();
        assertThat(bytes.size() % 4).isZero();
        Path archive = dir.resolve("a.cpio");
        Files.write(archive, bytes.toByteArray());

        Process cpioList = new ProcessBuilder("cpio", "-it", "--quiet").redirectInput(archive.toFile()).start();
        List<String> listed = new String(cpioList.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertThat(cpioList.waitFor()).isZero();
        assertThat(listed).containsExactly("bin", "bin/hello", "init");
    }

    @Test
    void aDynamicallyLinkedProgramIsNotTakenForAStaticOne() throws Exception {
        assertThat(Initramfs.hasInterpreter(Path.of("/bin/sh"))).as("/bin/sh needs ld.so").isTrue();
        // bin/test installs busybox-static, which the kernel check's initramfs needs.
        assertThat(Initramfs.hasInterpreter(Initramfs.BUSYBOX)).as("busybox-static's " + Initramfs.BUSYBOX).isFalse();
    }
}

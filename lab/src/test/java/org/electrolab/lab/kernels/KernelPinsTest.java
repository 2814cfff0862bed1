package org.electrolab.lab.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.electrolab.lab.cli.UserError;
import org.electrolab.lab.netns.TestLabs;
import org.junit.jupiter.api.Test;

/** vagrant/pins.yml: the matrix and the VMs' kernel pins read from one file, and a VM pin the matrix does not boot refused. */
class KernelPinsTest {

    private static final Path REPO = TestLabs.repo();

    @Test
    void theMatrixHoldsDebian12And13PinnedToExactVersions() {
        KernelPins pins = KernelPins.load(REPO);
        assertThat(pins.matrix()).extracting(KernelPins.Pin::key).containsExactly("debian12", "debian13");
        for (KernelPins.Pin pin : pins.matrix()) {
            assertThat(pin.version()).as(pin.key()).isNotBlank();
            assertThat(pin.archive()).as(pin.key()).startsWith("http://deb.debian.org/");
            assertThat(pin.release()).as(pin.key()).isEqualTo(pin.packageName().substring("linux-image-".length()));
        }
        assertThat(pins.kernels().get("debian12").release()).startsWith("6.1.");
        assertThat(pins.kernels().get("debian13").release()).startsWith("6.12.");
    }

    @Test
    void theDefaultVmsBootAKernelTheMatrixBoots() {
        KernelPins pins = KernelPins.load(REPO);
        assertThat(pins.matrix()).extracting(KernelPins.Pin::key).contains(pins.vm().kernel());
    }

    @Test
    void aVmBoxPinningAnUnprovenKernelIsRefused() throws Exception {
        String yaml = Files.readString(REPO.resolve(KernelPins.FILE)).replace("vm_box: debian13", "vm_box: ubuntu2404");
        assertThatThrownBy(() -> KernelPins.parse(yaml, "pins.yml"))
                .isInstanceOf(UserError.class)
                .hasMessage("pins.yml: vm_box: box ubuntu2404 boots kernel ubuntu2404, which the kernel matrix does not boot"
                        + " (matrix: false); the default VMs must run a proven kernel: pick a box whose kernel has matrix: true");
    }

    @Test
    void everyMistakeIsOneLineNamingTheField() {
        String yaml = """
                kernels:
                  old:
                    distribution: Debian 11
                    package: linux-5.10
                    matrix: true
                vm_box: missing
                boxes:
                  b:
                    box: some/box
                    kernel: nowhere
                """;
        assertThatThrownBy(() -> KernelPins.parse(yaml, "pins.yml"))
                .isInstanceOf(UserError.class)
                .hasMessageContaining("pins.yml: kernels.old.package: 'linux-5.10' is not a kernel image package")
                .hasMessageContaining("pins.yml: kernels.old.archive: missing")
                .hasMessageContaining("pins.yml: kernels.old.version: missing")
                .hasMessageContaining("pins.yml: boxes.b.kernel: 'nowhere' is not a key of kernels; use one of old")
                .hasMessageContaining("pins.yml: vm_box: 'missing' is not a key of boxes; use one of b");
    }
}

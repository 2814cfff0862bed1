package org.electrolab.lab.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import org.electrolab.lab.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** electrolab kernels: the pins listed, and every mistake in a check's arguments one line, exit 2, before anything boots. */
class KernelsCommandTest {

    @Test
    void listPrintsEveryPinAndWhichBoxBootsWhich() {
        CliRun run = CliRun.electrolab("kernels", "list");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("debian12", "linux-image-6.1.0-57-amd64", "6.1.192-3", "debian13",
                "linux-image-6.12.117+deb13-amd64", "ubuntu2404", "no (not proven)", "box debian13", "(vagrant up's default)");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "check --accel fast|electrolab kernels check: --accel fast: use auto, kvm or tcg",
            "check --jobs 0|electrolab kernels check: --jobs 0: use 1 or more",
            "check --lab-sizes 4|electrolab kernels check: --lab-sizes 4: use odd sizes of 3 or more",
            "check --timeout 5s|electrolab kernels check: --timeout 5s: use minutes or hours, e.g. 40m",
            "check debian11|electrolab kernels check: 'debian11' is not a kernel of vagrant/pins.yml (debian12, debian13, ubuntu2404), host, or a .deb or vmlinuz file",
            "check ubuntu2404|electrolab kernels check: ubuntu2404 in vagrant/pins.yml has no archive and version to fetch it from (matrix: false); pass its .deb or vmlinuz instead",
    })
    void aMistakeIsOneLineAndNothingStarts(String args, String expected) {
        CliRun run = CliRun.electrolab(("kernels " + args).split(" "));
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().strip()).isEqualTo(expected);
    }
}

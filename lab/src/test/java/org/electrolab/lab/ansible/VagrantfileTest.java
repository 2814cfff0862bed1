package org.electrolab.lab.ansible;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code vagrant validate} for both providers: REPLICAS=3, 5 and 7 validate, any other value stops
 * with one line. No VM boots here. libvirt's settings are checked by the vagrant-libvirt plugin
 * (no libvirt daemon needed); VirtualBox's by Vagrant's own provider, which only needs
 * {@code VBoxManage --version} to answer, so a stand-in on the PATH answers it.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class VagrantfileTest {
    static final String UNSUPPORTED = "REPLICAS=%s is not a supported cluster size; use REPLICAS=3, 5 or 7 (e.g. REPLICAS=3 vagrant up)";

    @TempDir
    Path temp;
    private Map<String, String> env;

    @BeforeEach
    void vagrantWithItsStateInTemp() throws Exception {
        Tools.require("vagrant", "vagrant vagrant-libvirt");
        Path bin = Files.createDirectories(temp.resolve("bin"));
        Path vboxManage = bin.resolve("VBoxManage");
        Files.writeString(vboxManage, "#!/bin/sh\n# Stand-in for VirtualBox: vagrant validate asks only for the version.\n"
                + "[ \"$1\" = --version ] && echo 7.0.20r163906\n");
        Files.setPosixFilePermissions(vboxManage, PosixFilePermissions.fromString("rwxr-xr-x"));
        env = new HashMap<>();
        env.put("VAGRANT_HOME", temp.resolve("vagrant.d").toString());
        env.put("VAGRANT_DOTFILE_PATH", temp.resolve("dot-vagrant").toString());
        env.put("VAGRANT_CHECKPOINT_DISABLE", "1");
        env.put("VAGRANT_NO_COLOR", "1");
        env.put("PATH", bin + ":" + System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"));
    }

    @ParameterizedTest(name = "REPLICAS={1} with {0}")
    @CsvSource({"libvirt,3", "libvirt,5", "libvirt,7", "virtualbox,3", "virtualbox,5", "virtualbox,7"})
    void supportedSizesValidate(String provider, String replicas) throws Exception {
        Tools.Run run = validate(provider, replicas);
        assertThat(run.exitCode()).as("vagrant validate exit code; it printed:\n%s", run.output()).isZero();
        assertThat(run.output()).contains("Vagrantfile validated successfully.");
    }

    @ParameterizedTest(name = "REPLICAS=''{1}'' with {0}")
    @CsvSource({"libvirt,4", "virtualbox,4", "libvirt,1", "virtualbox,nine", "libvirt,''"})
    void otherSizesStopWithOneLine(String provider, String replicas) throws Exception {
        Tools.Run run = validate(provider, replicas);
        assertThat(run.exitCode()).isNotZero();
        assertThat(run.output().strip()).isEqualTo(UNSUPPORTED.formatted(replicas));
    }

    @ParameterizedTest(name = "ELECTROLAB_BOX={0}")
    @CsvSource({"debian13", "debian13-public", "ubuntu2404"})
    void everyBoxOfThePinsValidates(String box) throws Exception {
        env.put("ELECTROLAB_BOX", box);
        Tools.Run run = validate("libvirt", "3");
        assertThat(run.exitCode()).as("vagrant validate exit code; it printed:\n%s", run.output()).isZero();
    }

    @org.junit.jupiter.api.Test
    void aBoxNotInThePinsStopsWithOneLine() throws Exception {
        env.put("ELECTROLAB_BOX", "centos");
        Tools.Run run = validate("libvirt", "3");
        assertThat(run.exitCode()).isNotZero();
        assertThat(run.output().strip()).isEqualTo("ELECTROLAB_BOX=centos is not a box of vagrant/pins.yml; use one of debian13, debian13-public, ubuntu2404");
    }

    private Tools.Run validate(String provider, String replicas) throws Exception {
        Map<String, String> withSize = new HashMap<>(env);
        withSize.put("VAGRANT_DEFAULT_PROVIDER", provider);
        withSize.put("REPLICAS", replicas);
        Tools.Run run = Tools.run(Tools.repo(), withSize, Duration.ofMinutes(2), List.of("vagrant", "validate"));
        assertThat(run.output()).as("the %s provider must be installed (vagrant-libvirt for libvirt)", provider)
                .doesNotContain("could not be found");
        return run;
    }
}

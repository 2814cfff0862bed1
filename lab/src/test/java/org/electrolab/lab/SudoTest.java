package org.electrolab.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.electrolab.lab.report.SyntheticResults;
import org.electrolab.protocol.testing.RootRequirement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sudo bin/electrolab ...} leaves nothing root-owned for its user: the launcher builds as
 * SUDO_USER, and what electrolab writes for the user is theirs. The invoking user here is nobody
 * (uid 65534), as sudo would set SUDO_USER, SUDO_UID and SUDO_GID for them.
 */
class SudoTest {
    private static final int NOBODY = 65534;
    private static final Map<String, String> SUDO_BY_NOBODY = Map.of("SUDO_USER", "nobody", "SUDO_UID", "65534", "SUDO_GID", "65534");

    @TempDir
    Path tmp;

    @BeforeEach
    void requireRoot() throws Exception {
        RootRequirement.require("running as sudo does (root handing files to another user)");
        // nobody must reach the files of the test, as a user reaches their own checkout.
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void theLauncherBuildsAsTheInvokingUser() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("checkout"));
        Files.createDirectories(repo.resolve("bin"));
        Files.createDirectories(repo.resolve("lab"));
        Path launcher = Files.copy(Launcher.checkout().resolve("bin/electrolab"), repo.resolve("bin/electrolab"), StandardCopyOption.COPY_ATTRIBUTES);
        // A stand-in for the Maven wrapper: it records who ran it and leaves what a build leaves.
        Path mvnw = Files.writeString(repo.resolve("mvnw"), """
                #!/bin/sh
                id -u > built-by
                mkdir -p lab/target/lib
                touch lab/target/lab-0.0.1.jar
                """);
        mvnw.toFile().setExecutable(true, false);
        chownTree(repo, NOBODY);

        java.util.HashMap<String, String> environment = new java.util.HashMap<>(SUDO_BY_NOBODY);
        environment.put("ELECTROLAB_CLASSPATH", "");
        Launcher run = Launcher.run(launcher, environment, "--version");

        assertThat(run.err()).contains("electrolab: building the jars (./mvnw -q -DskipTests install in " + repo + ", as nobody)");
        assertThat(Files.readString(repo.resolve("built-by")).strip()).isEqualTo(Integer.toString(NOBODY));
        try (Stream<Path> built = Files.walk(repo.resolve("lab/target"))) {
            assertThat(built.toList()).isNotEmpty().allSatisfy(p -> assertThat(owner(p)).as("owner of %s", p).isEqualTo(NOBODY));
        }
        assertThat(repo.resolve("lab/target/.electrolab-built")).exists();
    }

    @Test
    void theReportAndItsChartsBelongToTheInvokingUser() throws Exception {
        Path results = SyntheticResults.write(tmp.resolve("results")).dir();

        Launcher run = Launcher.electrolab(SUDO_BY_NOBODY, "report", results.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        List<Path> written = List.of(results.resolve("report.md"), results.resolve("charts"), results.resolve("charts/throughput-c8.png"));
        assertThat(written).allSatisfy(p -> assertThat(owner(p)).as("owner of %s", p).isEqualTo(NOBODY));
    }

    private static int owner(Path path) {
        try {
            return (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void chownTree(Path dir, int uid) throws Exception {
        try (Stream<Path> tree = Files.walk(dir)) {
            for (Path p : tree.toList()) {
                Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:gid", uid, LinkOption.NOFOLLOW_LINKS);
            }
        }
    }
}

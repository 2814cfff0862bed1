package org.electrolab.protocol.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;

/**
 * For tests that need root (BPF, XDP, TC, network namespaces). Outside CI they are skipped with the
 * reason when not root; in CI (CI=true, where we are root) a missing privilege fails the test, so
 * such a test can never pass CI by being skipped. Shared with the other modules as protocol's test-jar.
 */
public final class RootRequirement {
    private RootRequirement() {}

    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    public static boolean isRoot() {
        try {
            return "0".equals(Files.readString(Path.of("/proc/self/status")).lines()
                    .filter(l -> l.startsWith("Uid:")).findFirst().orElse("Uid: -1").split("\\s+")[1]);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** Call first in a test (or @BeforeAll) that needs root for {@code what}. */
    public static void require(String what) {
        if (isRoot()) return;
        if (inCi()) fail(what + " needs root, and CI must run it: run .ci/run as root");
        Assumptions.abort(what + " needs root: skipped (run as root, or in CI, to include it)");
    }
}

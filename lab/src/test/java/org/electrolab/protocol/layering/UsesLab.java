package org.electrolab.protocol.layering;

import org.electrolab.lab.Main;

/** For LayeringTest: a class in protocol's packages that uses lab, which the module rules forbid. */
public final class UsesLab {
    private UsesLab() {}

    public static Object lab() {
        return Main.commandLine();
    }
}

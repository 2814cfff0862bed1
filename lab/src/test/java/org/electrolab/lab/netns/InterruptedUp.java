package org.electrolab.lab.netns;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.electrolab.lab.scenario.ScenarioFile;

/**
 * Run in its own JVM by {@link LabDownTest}: creates lab NAME under STATE_ROOT from SCENARIO but
 * stops dead after COMMANDS iproute2 commands, printing "blocked", so the test can kill it -9 there.
 * Arguments: STATE_ROOT NAME SCENARIO COMMANDS.
 */
public final class InterruptedUp {
    private InterruptedUp() {}

    public static void main(String[] args) throws Exception {
        int commandsBeforeBlocking = Integer.parseInt(args[3]);
        CommandRunner blocking = new CommandRunner() {
            private int commands;

            @Override
            public Result tryRun(List<String> command) {
                if (commands++ == commandsBeforeBlocking) {
                    System.out.println("blocked");
                    System.out.flush();
                    try {
                        new CountDownLatch(1).await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
                return super.tryRun(command);
            }
        };
        Path stateRoot = Path.of(args[0]);
        Lab.create(new Locations(stateRoot, stateRoot), args[1], ScenarioFile.load(Path.of(args[2])), blocking);
    }
}

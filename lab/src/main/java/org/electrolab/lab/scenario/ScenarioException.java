package org.electrolab.lab.scenario;

import java.util.List;

/** A scenario file is wrong; each problem is one line naming the file, the field and the fix. */
public final class ScenarioException extends Exception {
    private final List<String> problems;

    public ScenarioException(List<String> problems) {
        super(String.join("\n", problems), null, false, false);
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}

package org.electrolab.lab.pipeline;

import java.util.List;

/**
 * A matrix or campaign file, or the options given with it, is wrong; each problem is one line naming
 * the file or option, the field and the fix. Nothing runs from a plan that has any.
 */
public final class PlanException extends Exception {
    private final List<String> problems;

    public PlanException(List<String> problems) {
        super(String.join("\n", problems), null, false, false);
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}

package org.electrolab.lab.experiment;

import java.util.List;

/** A matrix file is wrong; each problem is one line naming the file, the field and the fix. */
public final class MatrixException extends Exception {
    private final List<String> problems;

    public MatrixException(List<String> problems) {
        super(String.join("\n", problems), null, false, false);
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}

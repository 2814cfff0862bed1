package org.electrolab.lab.faults;

import org.electrolab.lab.experiment.MatrixFile;
import org.electrolab.lab.pipeline.PlanException;

/** For LayeringTest: a faults/ class that uses experiment/, which the lab rules forbid. */
public final class UsesExperiment {
    private UsesExperiment() {}

    public static Object forbidden() throws PlanException {
        return MatrixFile.parse("", "nowhere", "nothing");
    }
}

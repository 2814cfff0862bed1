package org.electrolab.lab.pipeline;

import org.electrolab.lab.experiment.MatrixFile;
import org.electrolab.lab.faults.FaultKind;

/** For LayeringTest: a pipeline/ class that uses experiment/ and faults/, which the lab rules forbid. */
public final class UsesExperimentAndFaults {
    private UsesExperimentAndFaults() {}

    public static Object[] forbidden() throws PlanException {
        return new Object[] {FaultKind.values(), MatrixFile.parse("", "nowhere", "nothing")};
    }
}

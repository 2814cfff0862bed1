package org.electrolab.lab.experiment;

import java.util.List;

import org.electrolab.lab.ReplicaCommand;
import org.electrolab.lab.faults.FaultKind;
import org.electrolab.lab.report.Report;

/** For LayeringTest: an experiment/ class that uses faults/, report/ and a command, all of which the lab rules forbid. */
public final class UsesFaultsReportAndACommand {
    private UsesFaultsReportAndACommand() {}

    public static Object[] forbidden() throws java.io.IOException {
        return new Object[] {FaultKind.values(), Report.write(java.nio.file.Path.of("nowhere")), new ReplicaCommand()};
    }
}

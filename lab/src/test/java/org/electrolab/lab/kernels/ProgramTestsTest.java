package org.electrolab.lab.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The program tests' JUnit report sorted by program: failures named, skips counted, a test of no program reported. */
class ProgramTestsTest {

    @TempDir
    Path dir;

    @Test
    void testCasesAreCountedForTheProgramsTheyExercise() throws Exception {
        Path report = dir.resolve("TEST-junit-jupiter.xml");
        Files.writeString(report, """
                <?xml version="1.0" encoding="UTF-8"?>
                <testsuite name="JUnit Jupiter" tests="6">
                  <testcase name="inOrderPrepareIsAnsweredWithTheCoresPrepareOkAndRecorded()" classname="org.electrolab.replica.offload.FastReplyTest"/>
                  <testcase name="fastReplyAnswersOnlyValidInOrderPrepares()" classname="org.electrolab.replica.offload.XdpFuzzTest">
                    <failure message="seed=1">boom</failure>
                  </testcase>
                  <testcase name="quorumPrunePassesUpOnlyQuorumCompletingPrepareOks()" classname="org.electrolab.replica.offload.XdpFuzzTest"/>
                  <testcase name="onePrepareIsReplicatedAndCommittedByTheKernelPath()" classname="org.electrolab.replica.offload.OffloadPipelineTest"/>
                  <testcase name="everyFramePassesUnchanged()" classname="org.electrolab.replica.offload.XdpPassTest"><skipped><![CDATA[org.opentest4j.TestAbortedException: Assumption failed: no such hook here
                    at org.junit.Assumptions]]></skipped></testcase>
                  <testcase name="somethingNew()" classname="org.electrolab.replica.offload.NewTest"/>
                </testsuite>
                """);
        KernelResult.Tests tests = ProgramTests.sorted(report, 7);

        assertThat(tests.byProgram().get("fast_reply")).isEqualTo(new KernelResult.TestCount(2, 1, 0,
                java.util.List.of("XdpFuzzTest.fastReplyAnswersOnlyValidInOrderPrepares()"), java.util.List.of()));
        assertThat(tests.byProgram().get("quorum_prune").passed()).isEqualTo(2);
        assertThat(tests.byProgram().get("tc_broadcast").passed()).isEqualTo(1);
        assertThat(tests.byProgram().get("xdp_pass").skips()).containsExactly("XdpPassTest.everyFramePassesUnchanged(): no such hook here");
        assertThat(tests.byProgram().get("xdp_pass").allPassed()).as("nothing passed").isFalse();
        assertThat(tests.byProgram().get("fault_inject").allPassed()).as("no test ran for it").isFalse();
        assertThat(tests.unmapped()).containsExactly("NewTest.somethingNew()");
    }
}

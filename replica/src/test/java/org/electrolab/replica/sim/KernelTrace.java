package org.electrolab.replica.sim;

import java.util.List;

import org.electrolab.protocol.Message;
import org.electrolab.replica.offload.ElState;
import org.electrolab.replica.offload.OffloadProgram;

/**
 * What one replica's kernel model did, in order, through every restart, so that a test can do the
 * same to the compiled programs through BPF_PROG_TEST_RUN and compare (KernelModelReplayTest).
 */
public interface KernelTrace {

    /** A process of the replica started: its programs are loaded afresh, with empty maps. */
    void started();

    /** User space wrote the core's state to el_state (LoadedPrograms.mirror). */
    void mirrored(ElState state);

    /** User space paused fast_reply before a log decision (LoadedPrograms.pauseFastReply). */
    void paused();

    /** User space resumed fast_reply after the step (LoadedPrograms.resumeFastReply). */
    void resumed();

    /**
     * {@code program} ran on {@code in}: it passed {@code up} to the socket (null: dropped or
     * answered) and sent {@code answer} (or null); {@code verdict} names the model's decision.
     */
    void ran(OffloadProgram program, Message in, Message up, Message.PrepareOk answer, String verdict);

    /** A drain took {@code records} from the ring, in ring order. */
    void drained(List<Message.Prepare> records);
}

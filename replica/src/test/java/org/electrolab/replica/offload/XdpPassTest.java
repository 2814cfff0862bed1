package org.electrolab.replica.offload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.electrolab.replica.offload.BpfProgram.XDP_PASS;

import org.electrolab.protocol.testing.RootRequirement;
import org.junit.jupiter.api.Test;

/** xdp_pass, which the netns lab attaches to its bridge ports so that XDP_TX from a host arrives: it passes every frame unchanged. */
class XdpPassTest {

    @Test
    void everyFramePassesUnchanged() {
        RootRequirement.require("xdp_pass test runs (BPF_PROG_TEST_RUN)");
        try (BpfObject object = BpfObject.openResource("xdp_pass")) {
            object.load();
            byte[] frame = Frames.udp(Frames.mac(1), Frames.mac(2), Frames.ip("198.18.250.1"), Frames.ip("198.18.250.2"),
                    7000, 7000, new byte[100]);
            BpfProgram.TestRun run = object.program("xdp_pass").testRun(frame);
            assertThat(run.verdict()).isEqualTo(XDP_PASS);
            assertThat(run.output()).isEqualTo(frame);
        }
    }
}

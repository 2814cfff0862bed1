package org.electrolab.replica.offload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;

import org.electrolab.protocol.config.Offload;
import org.junit.jupiter.api.Test;

class OffloadConfigTest {

    private final TestCluster cluster = new TestCluster(1);

    @Test
    void aBadConfigIsRefusedWithTheFieldAndTheFix() {
        assertThatThrownBy(() -> new ElConfig(1, 7000, cluster.members, 2, 0))
                .hasMessage("offload config: 3 members with f=2: members must be 2f+1");
        assertThatThrownBy(() -> new ElConfig(1, 0, cluster.members, 1, 0))
                .hasMessage("offload config: port 0 is not a UDP port (1-65535)");
        assertThatThrownBy(() -> new ElConfig(1, 7000, cluster.members, 1, 3))
                .hasMessage("offload config: my index 3 is not a member index (0-2)");
    }

    @Test
    void everyOffloadHasItsProgramAndStateBit() {
        for (Offload offload : Offload.values()) assertThat(OffloadProgram.of(offload).offload).isEqualTo(offload);
        assertThat(OffloadProgram.bits(EnumSet.allOf(Offload.class))).isEqualTo(0x7);
    }
}

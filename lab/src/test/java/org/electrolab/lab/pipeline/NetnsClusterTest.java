package org.electrolab.lab.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.electrolab.protocol.config.Offload;
import org.junit.jupiter.api.Test;

class NetnsClusterTest {
    @Test
    void missingNamesTheRequestedOffloadsAReplicaDidNotLoad() {
        List<Offload> all = List.of(Offload.values());
        assertThat(NetnsCluster.missing(all, "none")).isEqualTo("tc-broadcast,fast-reply,quorum-prune");
        assertThat(NetnsCluster.missing(all, "tc-broadcast,quorum-prune")).isEqualTo("fast-reply");
        assertThat(NetnsCluster.missing(all, "tc-broadcast,fast-reply,quorum-prune")).isEmpty();
        assertThat(NetnsCluster.missing(List.of(), "none")).isEmpty();
    }
}

package org.electrolab.protocol.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OffloadChoiceTest {

    @Test
    void noneAllAndLists() throws Exception {
        assertThat(OffloadChoice.parse("none", false).isNone()).isTrue();
        assertThat(OffloadChoice.parse("all", true).requested()).containsExactlyInAnyOrder(Offload.values());
        assertThat(OffloadChoice.parse("all", true).required()).isTrue();
        OffloadChoice two = OffloadChoice.parse("quorum-prune, tc-broadcast", false);
        assertThat(two.has(Offload.TC_BROADCAST)).isTrue();
        assertThat(two.has(Offload.FAST_REPLY)).isFalse();
        assertThat(two.names()).isEqualTo("tc-broadcast,quorum-prune");
        assertThat(OffloadChoice.parse(two.names(), false)).isEqualTo(two);
        assertThat(OffloadChoice.NONE.names()).isEqualTo("none");
    }

    @Test
    void unknownNameListsTheValidOnes() {
        assertThatThrownBy(() -> OffloadChoice.parse("tc-broadcast,fast", false)).isInstanceOf(ConfigException.class)
                .hasMessage("--offload: unknown offload 'fast'; use none, all, or a comma-separated list of "
                        + "tc-broadcast, fast-reply, quorum-prune");
        assertThatThrownBy(() -> OffloadChoice.parse("", false)).hasMessageContaining("unknown offload ''");
    }
}

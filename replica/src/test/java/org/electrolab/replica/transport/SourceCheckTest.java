package org.electrolab.replica.transport;

import static org.assertj.core.api.Assertions.assertThat;

import org.electrolab.protocol.Message.Commit;
import org.electrolab.protocol.Message.PrepareOk;
import org.electrolab.protocol.Message.Request;
import org.electrolab.protocol.config.ClusterConfig;
import org.junit.jupiter.api.Test;

class SourceCheckTest {

    private final SourceCheck check = new SourceCheck(ClusterConfig.parse("""
            cluster-id: 1
            f: 1
            app: kv
            port: 7000
            members: [10.0.0.1, 10.0.0.2, 10.0.0.3]
            """, "test"));

    SourceCheckTest() throws Exception {}

    @Test
    void aMemberMessageFromItsOwnAddressAndPortPasses() {
        assertThat(check.check(new PrepareOk(0, 1, 5, 0), "10.0.0.2", 7000)).isNull();
        assertThat(check.check(new Commit(0, 0, 5), "10.0.0.1", 7000)).isNull();
    }

    @Test
    void aSenderIndexThatNamesAnotherMemberIsDropped() {
        assertThat(check.check(new PrepareOk(0, 2, 5, 0), "10.0.0.2", 7000)).isEqualTo(DropReason.SENDER_MISMATCH);
    }

    @Test
    void aMemberMessageFromElsewhereIsDropped() {
        assertThat(check.check(new PrepareOk(0, 1, 5, 0), "10.0.0.9", 7000)).isEqualTo(DropReason.NON_MEMBER_SOURCE);
        assertThat(check.check(new PrepareOk(0, 1, 5, 0), "10.0.0.2", 7001)).isEqualTo(DropReason.NON_MEMBER_SOURCE);
    }

    @Test
    void requestsComeFromAnywhere() {
        assertThat(check.check(new Request(1, 1, new byte[0]), "192.168.1.50", 40000)).isNull();
    }
}

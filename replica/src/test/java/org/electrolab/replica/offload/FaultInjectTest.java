package org.electrolab.replica.offload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.electrolab.replica.offload.BpfProgram.TC_ACT_OK;
import static org.electrolab.replica.offload.BpfProgram.TC_ACT_SHOT;

import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

import org.electrolab.protocol.testing.RootRequirement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * fault_inject (the netns lab's link faults, docs/lab.md) through BPF_PROG_TEST_RUN: a partitioned
 * source and full loss drop a UDP frame, anything else passes, and each decision is counted.
 * Duplication redirects a clone to the device, which a test run cannot show; LinkFaultsTest does.
 * And how the lab keeps it: a clsact filter no process owns, found again by handle and priority,
 * its maps opened by id.
 */
class FaultInjectTest {

    private static final Inet4Address FROM = Frames.ip("198.18.250.1"), TO = Frames.ip("198.18.250.2");

    private BpfObject object;
    private BpfProgram program;

    @BeforeEach
    void load() {
        RootRequirement.require("fault_inject test runs (BPF_PROG_TEST_RUN)");
        object = BpfObject.openResource("fault_inject");
        object.load();
        program = object.program("fault_inject");
        configure(FaultConfig.NONE);
    }

    @AfterEach
    void unload() {
        if (object != null) object.close();
    }

    private void configure(FaultConfig config) {
        object.map("fault_config").update(0, config.toBytes());
    }

    private long counter(FaultCounter counter) {
        return ByteBuffer.wrap(object.map("fault_counters").lookup(counter.index())).order(ByteOrder.nativeOrder()).getLong();
    }

    private static byte[] udpFrame() {
        return Frames.udp(Frames.mac(1), Frames.mac(2), FROM, TO, 7000, 7000, new byte[64]);
    }

    @Test
    void aUdpFramePassesAndIsCounted() {
        assertThat(program.testRun(udpFrame()).verdict()).isEqualTo(TC_ACT_OK);
        assertThat(counter(FaultCounter.SEEN)).isEqualTo(1);
    }

    @Test
    void aPartitionedSourceIsDropped() {
        // fault_blocked is keyed by the IPv4 source as it sits in the header (network order).
        byte[] a = FROM.getAddress();
        int key = (a[0] & 0xff) | (a[1] & 0xff) << 8 | (a[2] & 0xff) << 16 | (a[3] & 0xff) << 24;
        BpfMap blocked = object.map("fault_blocked");
        blocked.update(key, new byte[] {1});
        assertThat(blocked.keys()).isEqualTo(List.of(key));
        assertThat(program.testRun(udpFrame()).verdict()).isEqualTo(TC_ACT_SHOT);
        assertThat(counter(FaultCounter.DROPPED_PARTITION)).isEqualTo(1);

        assertThat(blocked.delete(key)).isTrue();
        assertThat(blocked.delete(key)).as("a key no longer there").isFalse();
        assertThat(blocked.keys()).isEmpty();
        assertThat(program.testRun(udpFrame()).verdict()).isEqualTo(TC_ACT_OK);
    }

    @Test
    void fullLossDropsEveryUdpFrameButNothingElse() {
        configure(FaultConfig.NONE.withLossPpm(1_000_000));
        for (int i = 0; i < 10; i++) assertThat(program.testRun(udpFrame()).verdict()).isEqualTo(TC_ACT_SHOT);
        assertThat(counter(FaultCounter.DROPPED_LOSS)).isEqualTo(10);
        byte[] arp = udpFrame();
        arp[12] = 0x08;
        arp[13] = 0x06; // EtherType ARP
        assertThat(program.testRun(arp).verdict()).isEqualTo(TC_ACT_OK);
        assertThat(counter(FaultCounter.SEEN)).isEqualTo(10);
    }

    @Test
    void slowFramesArePutInTheSlowClass() {
        configure(FaultConfig.NONE.withSlow(1_000_000, 0x10002));
        assertThat(program.testRun(udpFrame()).verdict()).isEqualTo(TC_ACT_OK);
        assertThat(counter(FaultCounter.SLOWED)).isEqualTo(1);
        assertThat(FaultConfig.fromBytes(object.map("fault_config").lookup(0))).isEqualTo(new FaultConfig(0, 0, 1_000_000, 0x10002));
    }

    /** What the netns lab does with a program another process attached: find its maps by id and write them. */
    @Test
    void theProgramsMapsOpenedByIdAreItsMaps() {
        BpfProgInfo info = BpfProgInfo.ofId(program.id()).orElseThrow();
        assertThat(info.name()).isEqualTo("fault_inject");
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (int id : info.mapIds()) {
            try (BpfMap map = BpfMap.openById(id)) {
                ids.put(map.name(), id);
            }
        }
        assertThat(ids).containsOnlyKeys("fault_config", "fault_blocked", "fault_counters");

        try (BpfMap config = BpfMap.openById(ids.get("fault_config"))) {
            config.update(0, FaultConfig.NONE.withLossPpm(1_000_000).toBytes());
            assertThatThrownBy(() -> config.update(0, new byte[8])).isInstanceOf(BpfException.class)
                    .hasMessageContaining("its values are 16 bytes, not 8");
        }
        assertThat(program.testRun(udpFrame()).verdict()).isEqualTo(TC_ACT_SHOT);
        try (BpfMap counters = BpfMap.openById(ids.get("fault_counters"))) {
            assertThat(ByteBuffer.wrap(counters.lookup(FaultCounter.DROPPED_LOSS.index())).order(ByteOrder.nativeOrder()).getLong())
                    .isEqualTo(1);
        }
        assertThat(BpfProgInfo.ofId(Integer.MAX_VALUE)).as("no program has that id").isEmpty();
    }

    @Test
    void aFilterNoProcessOwnsIsFoundByItsHandleAndGoesWithItsQdisc() throws Exception {
        try (Netns ns = Netns.create("fault")) {
            ns.ip("link", "add", "veth0", "type", "veth", "peer", "name", "veth1");
            int veth0 = ns.ifindex("veth0"), veth1 = ns.ifindex("veth1");
            int id = ns.call(() -> TcEgress.attachFilter(program, veth0, 1, 1));
            object.close();
            object = null;

            assertThat(BpfProgInfo.ofId(id).map(BpfProgInfo::name)).as("the filter holds the program").hasValue("fault_inject");
            assertThat(ns.call(() -> TcEgress.filterProgramId(veth0, 1, 1))).isEqualTo(OptionalInt.of(id));
            assertThat(ns.call(() -> TcEgress.filterProgramId(veth0, 2, 1))).as("another handle").isEmpty();
            assertThat(ns.call(() -> TcEgress.filterProgramId(veth1, 1, 1))).as("no clsact qdisc").isEmpty();
            assertThat(ns.exec("tc", "filter", "show", "dev", "veth0", "egress")).contains("fault_inject");

            assertThat(ns.call(() -> TcEgress.removeClsact(veth0))).isTrue();
            assertThat(ns.call(() -> TcEgress.removeClsact(veth0))).as("a second time").isFalse();
            assertThat(ns.call(() -> TcEgress.filterProgramId(veth0, 1, 1))).isEmpty();
            assertThat(ns.exec("tc", "qdisc", "show", "dev", "veth0")).doesNotContain("clsact");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (BpfProgInfo.ofId(id).isPresent()) {
                assertThat(System.nanoTime()).as("program %d unloaded with its qdisc", id).isLessThan(deadline);
                TimeUnit.MILLISECONDS.sleep(10);
            }
        }
    }
}

package org.electrolab.replica.offload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.electrolab.replica.offload.BpfProgram.TC_ACT_OK;
import static org.electrolab.replica.offload.BpfProgram.TC_ACT_SHOT;

import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.electrolab.protocol.testing.RootRequirement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * fault_inject (the netns lab's link faults, docs/lab.md) through BPF_PROG_TEST_RUN: a partitioned
 * source and full loss drop a UDP frame, anything else passes, and each decision is counted.
 * Duplication redirects a clone to the device, which a test run cannot show; LinkFaultsTest does.
 */
class FaultInjectTest {

    // enum fault_counter and struct fault_config in bpf/fault_inject.bpf.c.
    private static final int SEEN = 0, DROPPED_LOSS = 1, DROPPED_PARTITION = 2, SLOWED = 4;
    private static final Inet4Address FROM = Frames.ip("198.18.250.1"), TO = Frames.ip("198.18.250.2");

    private BpfObject object;
    private BpfProgram program;

    @BeforeEach
    void load() {
        RootRequirement.require("fault_inject test runs (BPF_PROG_TEST_RUN)");
        object = BpfObject.openResource("fault_inject");
        object.load();
        program = object.program("fault_inject");
        configure(0, 0, 0, 0);
    }

    @AfterEach
    void unload() {
        if (object != null) object.close();
    }

    private void configure(int lossPpm, int duplicatePpm, int slowPpm, int slowClassId) {
        byte[] config = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder())
                .putInt(lossPpm).putInt(duplicatePpm).putInt(slowPpm).putInt(slowClassId).array();
        object.map("fault_config").update(0, config, Libbpf.BPF_ANY);
    }

    private long counter(int index) {
        return ByteBuffer.wrap(object.map("fault_counters").lookup(index, Libbpf.BPF_ANY)).order(ByteOrder.nativeOrder()).getLong();
    }

    private static byte[] udpFrame() {
        return Frames.udp(Frames.mac(1), Frames.mac(2), FROM, TO, 7000, 7000, new byte[64]);
    }

    @Test
    void aUdpFramePassesAndIsCounted() {
        assertThat(program.testRun(udpFrame()).verdict()).isEqualTo(TC_ACT_OK);
        assertThat(counter(SEEN)).isEqualTo(1);
    }

    @Test
    void aPartitionedSourceIsDropped() {
        // fault_blocked is keyed by the IPv4 source as it sits in the header (network order).
        byte[] a = FROM.getAddress();
        int key = (a[0] & 0xff) | (a[1] & 0xff) << 8 | (a[2] & 0xff) << 16 | (a[3] & 0xff) << 24;
        object.map("fault_blocked").update(key, new byte[] {1}, Libbpf.BPF_ANY);
        assertThat(program.testRun(udpFrame()).verdict()).isEqualTo(TC_ACT_SHOT);
        assertThat(counter(DROPPED_PARTITION)).isEqualTo(1);
    }

    @Test
    void fullLossDropsEveryUdpFrameButNothingElse() {
        configure(1_000_000, 0, 0, 0);
        for (int i = 0; i < 10; i++) assertThat(program.testRun(udpFrame()).verdict()).isEqualTo(TC_ACT_SHOT);
        assertThat(counter(DROPPED_LOSS)).isEqualTo(10);
        byte[] arp = udpFrame();
        arp[12] = 0x08;
        arp[13] = 0x06; // EtherType ARP
        assertThat(program.testRun(arp).verdict()).isEqualTo(TC_ACT_OK);
        assertThat(counter(SEEN)).isEqualTo(10);
    }

    @Test
    void slowFramesArePutInTheSlowClass() {
        configure(0, 0, 1_000_000, 0x10002);
        assertThat(program.testRun(udpFrame()).verdict()).isEqualTo(TC_ACT_OK);
        assertThat(counter(SLOWED)).isEqualTo(1);
    }
}

package org.electrolab.replica.offload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.electrolab.protocol.testing.RootRequirement;
import org.junit.jupiter.api.Assumptions;
import org.electrolab.protocol.config.Offload;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Attaching and detaching in a throwaway namespace: modes, the clsact fallback, and errors. */
class AttachTest {

    private final TestCluster cluster = new TestCluster(1);
    private Netns ns;

    @BeforeEach
    void namespace() {
        RootRequirement.require("attaching programs (network namespace)");
        ns = Netns.create("attach");
        ns.ip("link", "add", "br0", "type", "bridge");
        ns.ip("link", "add", "veth0", "type", "veth", "peer", "name", "veth1");
        for (String dev : new String[] {"br0", "veth0", "veth1"}) ns.ip("link", "set", dev, "up");
    }

    @AfterEach
    void remove() {
        if (ns != null) ns.close();
    }

    @Test
    void xdpFallsBackToGenericWhereTheDriverHasNoNativeModeAndDetachesOnClose() {
        int bridge = ns.ifindex("br0"), veth = ns.ifindex("veth0");
        ns.call(() -> {
            try (XdpPass generic = XdpPass.attach(bridge); XdpPass nativeMode = XdpPass.attach(veth)) {
                assertThat(generic.attachment().mode()).isEqualTo(XdpAttachment.Mode.GENERIC);
                assertThat(nativeMode.attachment().mode()).isEqualTo(XdpAttachment.Mode.NATIVE);
                assertThat(ns.ip("link", "show", "dev", "br0")).contains("xdpgeneric");
                assertThat(ns.ip("link", "show", "dev", "veth0")).contains("xdp");
            }
            return null;
        });
        assertThat(ns.ip("link", "show", "dev", "br0")).doesNotContain("xdp");
        assertThat(ns.ip("link", "show", "dev", "veth0")).doesNotContain("xdp");
    }

    @Test
    void theClsactFallbackRemovesOnlyWhatItCreated() {
        int created = ns.ifindex("veth0"), existing = ns.ifindex("veth1");
        ns.exec("tc", "qdisc", "add", "dev", "veth1", "clsact");
        try (LoadedPrograms offloads = ns.call(() -> cluster.load(0, Offload.TC_BROADCAST))) {
            BpfProgram program = offloads.program(Offload.TC_BROADCAST);
            ns.call(() -> {
                try (TcEgress a = TcEgress.attachClsact(program, created); TcEgress b = TcEgress.attachClsact(program, existing)) {
                    assertThat(a.kind()).isEqualTo(TcEgress.Kind.CLSACT_FILTER);
                    assertThat(ns.exec("tc", "filter", "show", "dev", "veth0", "egress")).contains("tc_broadcast");
                    assertThat(ns.exec("tc", "filter", "show", "dev", "veth1", "egress")).contains("tc_broadcast");
                }
                return null;
            });
        }
        assertThat(ns.exec("tc", "qdisc", "show", "dev", "veth0")).doesNotContain("clsact");
        assertThat(ns.exec("tc", "qdisc", "show", "dev", "veth1")).as("someone else's qdisc stays").contains("clsact");
        assertThat(ns.exec("tc", "filter", "show", "dev", "veth1", "egress")).doesNotContain("tc_broadcast");
    }

    @Test
    void tcxLinksDetachOnClose() {
        // tcx came with 6.6; on a kernel that has it, a clsact filter instead would be a regression.
        Assumptions.assumeTrue(kernelAtLeast(6, 6), "this kernel (" + BpfObject.kernelRelease() + ") has no tcx, which came with 6.6");
        int veth = ns.ifindex("veth0");
        int link;
        try (LoadedPrograms offloads = ns.call(() -> cluster.load(0, Offload.TC_BROADCAST))) {
            ns.call(() -> {
                offloads.attach(veth);
                return null;
            });
            assertThat(offloads.tc().kind()).as("attachment on a kernel with tcx").isEqualTo(TcEgress.Kind.TCX_LINK);
            link = offloads.tc().linkId();
            assertThat(Netns.run(List.of("bpftool", "link", "show", "id", Integer.toString(link))))
                    .contains("prog " + offloads.program(Offload.TC_BROADCAST).id());
        }
        assertThatThrownBy(() -> Netns.run(List.of("bpftool", "link", "show", "id", Integer.toString(link))))
                .as("link %d after close", link).hasMessageContaining("failed");
    }

    @Test
    void failuresNameTheProgramTheHookAndTheErrno() {
        try (LoadedPrograms offloads = cluster.load(1, Offload.FAST_REPLY)) {
            BpfProgram program = offloads.program(Offload.FAST_REPLY);
            assertThatThrownBy(() -> ns.call(() -> XdpAttachment.attach(program, 999, XdpAttachment.Mode.NATIVE)))
                    .isInstanceOf(BpfException.class)
                    .hasMessageStartingWith("bpf_link_create program fast_reply, hook xdp (native) on ifindex 999: E")
                    .satisfies(e -> assertThat(((BpfException) e).errno()).isPositive());
            assertThatThrownBy(() -> offloads.map(Offload.FAST_REPLY, "el_nope"))
                    .isInstanceOf(BpfException.class).hasMessageContaining("map el_nope in fast_reply");
        }
    }

    private static boolean kernelAtLeast(int major, int minor) {
        String[] parts = BpfObject.kernelRelease().split("[.-]");
        int actualMajor = Integer.parseInt(parts[0]), actualMinor = Integer.parseInt(parts[1]);
        return actualMajor > major || actualMajor == major && actualMinor >= minor;
    }
}

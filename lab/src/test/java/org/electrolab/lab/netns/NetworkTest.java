package org.electrolab.lab.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.electrolab.protocol.testing.RootRequirement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.fail;

/** The lab's network on the real kernel: namespaces, bridge, cables, and what down leaves (nothing). */
class NetworkTest {
    private final CommandRunner runner = new CommandRunner();
    private final List<Process> started = new ArrayList<>();
    @RegisterExtension
    final ThrowawayLab throwaway = new ThrowawayLab("the netns lab");

    @AfterEach
    void cleanUp() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    void hostsInTheirOwnNamespacesExchangeUdpOverTheBridgeAndDownLeavesNothing() throws Exception {
        List<String> rootLinksBefore = TestLabs.rootLinksLike(throwaway.name());

        Network network = throwaway.create(TestLabs.scenario(3), runner).network();

        assertThat(Netns.list(runner, Network.namespacePrefix(throwaway.name())))
                .containsExactlyInAnyOrder("el-" + throwaway.name() + "-r0", "el-" + throwaway.name() + "-r1", "el-" + throwaway.name() + "-r2",
                        "el-" + throwaway.name() + "-client", "el-" + throwaway.name() + "-sw");
        assertThat(TestLabs.rootLinksLike(throwaway.name())).as("lab-like links in the root namespace").isEqualTo(rootLinksBefore);
        assertThat(network.hosts()).allSatisfy(h -> assertThat(h.address()).startsWith("198.18."));
        assertThat(echo(network.host("r0"), network.host("r2"), "r0 to r2")).isEqualTo("r0 to r2");
        assertThat(echo(network.host("client"), network.host("r1"), "client to r1")).isEqualTo("client to r1");

        Lab.Removed removed = throwaway.down();

        assertThat(removed.namespaces()).isEqualTo(5);
        TestLabs.assertNoNamespaces(throwaway.name());
        assertThat(throwaway.paths().stateDir(throwaway.name())).doesNotExist();
        assertThat(TestLabs.rootLinksLike(throwaway.name())).as("lab-like links in the root namespace").isEqualTo(rootLinksBefore);
    }

    @Test
    void switchSkipsIptablesAndHostsForwardWithTheXdpMtu() {
        Network network = throwaway.create(TestLabs.scenario(3), runner).network();
        Netns sw = new Netns(network.switchNetns(), runner);
        Netns r0 = new Netns(network.host("r0").netns(), runner);

        for (String table : List.of("iptables", "ip6tables", "arptables")) {
            assertThat(sw.exec("sysctl", "-n", "net.bridge.bridge-nf-call-" + table).strip()).as(table).isEqualTo("0");
        }
        assertThat(r0.exec("sysctl", "-n", "net.ipv4.conf.eth0.forwarding").strip()).isEqualTo("1");
        assertThat(r0.ip("link", "show", "eth0")).contains("mtu " + Network.MTU).contains(network.host("r0").mac());
        assertThat(r0.ip("link", "show", "lo")).contains("UP");
        assertThat(sw.ip("link", "show", "r0")).contains("master " + Network.BRIDGE);
        assertThat(r0.exec("ethtool", "-k", "eth0")).contains("tx-checksumming: off");
    }

    /**
     * What the offloads need: the lab puts XDP_PASS in native mode on every bridge port (so an
     * XDP_TX from a host reaches the bridge), and native XDP on a host's eth0 still passes traffic.
     */
    @Test
    void everyBridgePortRunsNativeXdpAndXdpOnAHostStillPassesTraffic() throws Exception {
        Path program = compileXdpPass();
        Network network = throwaway.create(TestLabs.scenario(3), runner).network();
        Netns sw = new Netns(network.switchNetns(), runner);
        for (String port : network.bridgePortsByHost().values()) {
            assertThat(sw.ip("link", "show", "dev", port)).as("bridge port %s", port).contains("xdp");
        }
        for (String host : List.of("r0", "r1")) {
            new Netns(network.host(host).netns(), runner)
                    .ip("link", "set", "dev", "eth0", "xdpdrv", "obj", program.toString(), "sec", "xdp");
        }

        assertThat(new Netns(network.host("r0").netns(), runner).ip("link", "show", "eth0")).contains("xdp");
        assertThat(echo(network.host("r0"), network.host("r1"), "through xdp")).isEqualTo("through xdp");
    }

    @Test
    void aFailureMidwayRemovesWhatWasCreated() {
        CommandRunner failing = new CommandRunner() {
            private int commands;

            @Override
            public Result tryRun(List<String> command) {
                if (command.contains("link") && command.contains("veth") && ++commands == 2) {
                    return new Result(command, 2, "", "RTNETLINK answers: injected failure");
                }
                return super.tryRun(command);
            }
        };

        assertThatThrownBy(() -> throwaway.create(TestLabs.scenario(3), failing))
                .isInstanceOf(LabException.class)
                .hasMessageContaining("veth").hasMessageContaining("injected failure");

        TestLabs.assertNoNamespaces(throwaway.name());
        assertThat(throwaway.paths().stateDir(throwaway.name())).doesNotExist();
    }

    @Test
    void aSecondUpOfTheSameLabIsRefusedAndLeavesTheFirstIntact() {
        throwaway.create(TestLabs.scenario(3), runner);

        assertThatThrownBy(() -> throwaway.create(TestLabs.scenario(3), runner))
                .isInstanceOf(LabException.class).hasMessageContaining("lab down --name " + throwaway.name());

        assertThat(Netns.list(runner, Network.namespacePrefix(throwaway.name()))).hasSize(5);
        assertThat(throwaway.paths().stateDir(throwaway.name()).resolve("cluster.yaml")).exists();
    }

    /** Sends {@code text} from one host to a UDP echo on another, both Java programs run with ip netns exec. */
    private String echo(Host from, Host to, String text) throws Exception {
        Process receiver = new ProcessBuilder(new Netns(to.netns(), runner).execCommand(java("echo", "9000")))
                .redirectErrorStream(true).start();
        started.add(receiver);
        assertThat(TestLabs.firstLine(receiver, Duration.ofSeconds(30))).as("echo in " + to.netns()).isEqualTo("ready");
        String answer = new Netns(from.netns(), runner).exec(java("send", to.address(), "9000", text).toArray(String[]::new)).strip();
        assertThat(receiver.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return answer;
    }

    private static List<String> java(String... args) {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), UdpEcho.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /** An XDP program that passes every packet, built with clang (no headers needed). */
    private Path compileXdpPass() throws Exception {
        Path source = throwaway.stateRoot().resolve("pass.c");
        Path object = throwaway.stateRoot().resolve("pass.o");
        Files.writeString(source, """
                #define SEC(name) __attribute__((section(name), used))
                SEC("xdp") int xdp_pass(void *ctx) { return 2; /* XDP_PASS */ }
                char LICENSE[] SEC("license") = "GPL";
                """);
        CommandRunner.Result built;
        try {
            built = runner.tryRun("clang", "-O2", "-target", "bpf", "-c", source.toString(), "-o", object.toString());
        } catch (LabException noClang) {
            if (RootRequirement.inCi()) fail("clang is needed to build the XDP test program: " + noClang.getMessage());
            Assumptions.abort("clang not installed: " + noClang.getMessage());
            throw noClang;
        }
        assertThat(built.ok()).as("clang: " + built.stderr()).isTrue();
        return object;
    }
}

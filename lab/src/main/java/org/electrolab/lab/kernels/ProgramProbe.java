package org.electrolab.lab.kernels;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.electrolab.lab.netns.CommandRunner;
import org.electrolab.lab.netns.Netns;
import org.electrolab.protocol.config.Offload;
import org.electrolab.replica.offload.BpfException;
import org.electrolab.replica.offload.BpfObject;
import org.electrolab.replica.offload.BpfProgram;
import org.electrolab.replica.offload.NetworkNamespace;
import org.electrolab.replica.offload.ElConfig;
import org.electrolab.replica.offload.LoadedPrograms;
import org.electrolab.replica.offload.TcEgress;
import org.electrolab.replica.offload.VerifierRefusal;
import org.electrolab.replica.offload.XdpAttachment;

/**
 * Loads every electrolab program as its user does (the offloads with a replica's parameters, the
 * lab's own programs plain) and attaches each to its hook on a veth in a namespace of its own:
 * XDP in native mode, TC at egress (tcx where the kernel has it, else clsact).
 */
final class ProgramProbe {

    /** Every program in bpf/, with its hook. */
    static final List<String> PROGRAMS = List.of("fast_reply", "quorum_prune", "tc_broadcast", "fault_inject", "xdp_pass");

    private ProgramProbe() {}

    static List<KernelResult.Program> run(CommandRunner runner, Path logDir) {
        Netns ns = new Netns("el-kprobe-" + ProcessHandle.current().pid(), runner);
        ns.deleteIfExists();
        ns.add();
        try {
            ns.ip("link", "add", "veth0", "type", "veth", "peer", "name", "veth1");
            ns.ip("link", "set", "veth0", "up");
            ns.ip("link", "set", "veth1", "up");
            int ifindex = Integer.parseInt(ns.ip("-o", "link", "show", "dev", "veth0").split(":", 2)[0].strip());
            List<KernelResult.Program> results = new ArrayList<>();
            for (String program : PROGRAMS) results.add(NetworkNamespace.call(ns.name(), () -> probe(program, ifindex, logDir)));
            return results;
        } finally {
            ns.deleteIfExists();
        }
    }

    private static KernelResult.Program probe(String program, int ifindex, Path logDir) {
        String hook = hookOf(program);
        try {
            return switch (program) {
                case "fast_reply" -> offload(Offload.FAST_REPLY, program, ifindex);
                case "quorum_prune" -> offload(Offload.QUORUM_PRUNE, program, ifindex);
                case "tc_broadcast" -> offload(Offload.TC_BROADCAST, program, ifindex);
                default -> plain(program, ifindex);
            };
        } catch (VerifierRefusal refusal) {
            String note = "";
            try {
                note = " (whole log: " + refusal.writeLog(logDir.resolve("verifier-" + program + ".log")).getFileName() + ")";
            } catch (java.io.IOException ignored) {
                // The one-line summary still says what failed.
            }
            return new KernelResult.Program(program, hook, false, "", refusal.getMessage() + note);
        } catch (BpfException e) {
            boolean loaded = e.operation().startsWith("bpf_link") || e.operation().startsWith("bpf_tc");
            return new KernelResult.Program(program, hook, loaded, "", e.getMessage());
        }
    }

    /** An offload, loaded the way a replica loads it (member 1 of 3, cluster 1, port 7000). */
    private static KernelResult.Program offload(Offload offload, String program, int ifindex) {
        ElConfig config = new ElConfig(1, 7000, members(), 1, 1);
        try (LoadedPrograms offloads = LoadedPrograms.load(config, Set.of(offload))) {
            return attach(program, offloads.program(offload), ifindex);
        }
    }

    private static KernelResult.Program plain(String program, int ifindex) {
        try (BpfObject object = BpfObject.openResource(program)) {
            object.load();
            return attach(program, object.program(program), ifindex);
        }
    }

    private static KernelResult.Program attach(String name, BpfProgram program, int ifindex) {
        String hook = hookOf(name);
        if (hook.equals("xdp")) {
            try (XdpAttachment xdp = XdpAttachment.attach(program, ifindex, XdpAttachment.Mode.NATIVE)) {
                return new KernelResult.Program(name, hook, true, "xdp native", null);
            }
        }
        try (TcEgress tc = TcEgress.attach(program, ifindex)) {
            return new KernelResult.Program(name, hook, true, tc.kind() == TcEgress.Kind.TCX_LINK ? "tc egress, tcx link" : "tc egress, clsact filter", null);
        }
    }

    static String hookOf(String program) {
        return program.equals("tc_broadcast") || program.equals("fault_inject") ? "tc" : "xdp";
    }

    /** Addresses the probe never sends to: it only loads and attaches. */
    private static List<Inet4Address> members() {
        try {
            List<Inet4Address> members = new ArrayList<>();
            for (int i = 1; i <= 3; i++) members.add((Inet4Address) InetAddress.getByName("198.18.255." + i));
            return members;
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}

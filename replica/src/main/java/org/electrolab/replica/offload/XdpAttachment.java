package org.electrolab.replica.offload;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An XDP program linked to an interface. Native (driver) mode first; when the driver refuses it,
 * generic (SKB) mode, which every interface supports. Closing detaches; so does the process exiting.
 */
public final class XdpAttachment implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(XdpAttachment.class);

    public enum Mode {
        NATIVE(Libbpf.XDP_FLAGS_DRV_MODE), GENERIC(Libbpf.XDP_FLAGS_SKB_MODE);

        final int flags;

        Mode(int flags) {
            this.flags = flags;
        }
    }

    private final BpfLink link;
    private final int ifindex;
    private final Mode mode;

    private XdpAttachment(BpfLink link, int ifindex, Mode mode) {
        this.link = link;
        this.ifindex = ifindex;
        this.mode = mode;
    }

    /** Native mode, or generic when the driver refuses native; logs the mode it got. */
    public static XdpAttachment attach(BpfProgram program, int ifindex) {
        int[] errno = new int[1];
        BpfLink link = BpfLink.tryCreate(program, ifindex, Libbpf.BPF_XDP, Mode.NATIVE.flags, hook(ifindex, Mode.NATIVE), errno);
        if (link != null) {
            LOG.info("XDP program {} attached to ifindex {} in native mode", program.name(), ifindex);
            return new XdpAttachment(link, ifindex, Mode.NATIVE);
        }
        LOG.info("XDP program {}: native mode refused on ifindex {} ({}), using generic mode",
                program.name(), ifindex, Errno.describe(errno[0]));
        XdpAttachment generic = attach(program, ifindex, Mode.GENERIC);
        LOG.info("XDP program {} attached to ifindex {} in generic mode", program.name(), ifindex);
        return generic;
    }

    /** Exactly {@code mode}, or a BpfException naming the program, the hook and the errno. */
    public static XdpAttachment attach(BpfProgram program, int ifindex, Mode mode) {
        return new XdpAttachment(BpfLink.create(program, ifindex, Libbpf.BPF_XDP, mode.flags, hook(ifindex, mode)), ifindex, mode);
    }

    private static String hook(int ifindex, Mode mode) {
        return "xdp (" + mode.name().toLowerCase() + ") on ifindex " + ifindex;
    }

    public Mode mode() {
        return mode;
    }

    public int ifindex() {
        return ifindex;
    }

    /** The link's id ({@code bpftool link show id <id>}). */
    public int linkId() {
        return link.id();
    }

    /** Name of the program attached now. */
    public String program() {
        return link.program();
    }

    /** Swaps in another program atomically, e.g. quorum_prune for fast_reply when this replica becomes leader. */
    public void replace(BpfProgram program) {
        if (!program.name().equals(link.program())) link.update(program);
    }

    @Override
    public void close() {
        link.close();
    }
}

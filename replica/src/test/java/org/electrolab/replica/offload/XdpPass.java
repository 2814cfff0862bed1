package org.electrolab.replica.offload;

/**
 * The xdp_pass program attached to an interface. A veth delivers frames its peer sends with XDP_TX
 * (fast-reply's PrepareOKs) only when it runs an XDP program itself: the bridge-side veths of a
 * namespace lab need one. Attached by a link, so it lives as long as this object (or its process).
 */
public final class XdpPass implements AutoCloseable {

    private final BpfObject object;
    private final XdpAttachment attachment;

    private XdpPass(BpfObject object, XdpAttachment attachment) {
        this.object = object;
        this.attachment = attachment;
    }

    /** Attaches xdp_pass to ifindex in the calling thread's network namespace. */
    public static XdpPass attach(int ifindex) {
        BpfObject object = BpfObject.openResource("xdp_pass");
        try {
            object.load();
            return new XdpPass(object, XdpAttachment.attach(object.program("xdp_pass"), ifindex));
        } catch (RuntimeException e) {
            object.close();
            throw e;
        }
    }

    public XdpAttachment attachment() {
        return attachment;
    }

    @Override
    public void close() {
        try {
            attachment.close();
        } finally {
            object.close();
        }
    }
}

package org.electrolab.replica.offload;

import java.net.Inet4Address;
import java.util.Arrays;
import java.util.List;

import org.electrolab.protocol.Message;
import org.electrolab.protocol.Wire;
import org.electrolab.protocol.WireException;

/**
 * What user space would make of a frame, for judging the programs: whether it is cluster traffic at
 * all, whether it is well formed, and whether MessageCodec and the source check accept it.
 */
final class WireModel {
    private WireModel() {}

    enum Kind { OTHER, MALFORMED, MESSAGE }

    /** A classified frame: for MESSAGE, the UDP payload and (when the codec accepts it) the message. */
    record Classified(Kind kind, byte[] payload, Message message, boolean fromSendersAddress) {
        /** The codec decodes it and its source is the sender's member address and the cluster port (or it is a client's request). */
        boolean accepted() {
            return message != null && (message instanceof Message.Request || fromSendersAddress);
        }
    }

    /**
     * OTHER: not IPv4 (20-byte header with a valid checksum, not a fragment) UDP to the cluster port.
     * MALFORMED: to the cluster port, but the IP/UDP lengths disagree with the frame or the payload is
     * outside 48..MESSAGE_SIZE_MAX bytes.
     */
    static Classified classify(byte[] frame, List<Inet4Address> members) {
        int eth = Frames.ETH;
        if (frame.length < Frames.PAYLOAD || Frames.getShort(frame, 12) != 0x0800) return other();
        if ((frame[eth] & 0xff) != 0x45 || (frame[eth + 9] & 0xff) != 17) return other();
        if ((Frames.getShort(frame, eth + 6) & 0x3fff) != 0) return other();
        if (Frames.getShort(frame, eth + Frames.IP + 2) != TestCluster.PORT) return other();
        if (Frames.checksum(frame, eth, Frames.IP, 0) != 0) return other();
        int totLen = Frames.getShort(frame, eth + 2), udpLen = Frames.getShort(frame, eth + Frames.IP + 4);
        if (totLen < Frames.IP + Frames.UDP || eth + totLen > frame.length || udpLen != totLen - Frames.IP) return malformed();
        int size = udpLen - Frames.UDP;
        if (size < Wire.HEADER_SIZE || size > Wire.MESSAGE_SIZE_MAX) return malformed();
        byte[] payload = Arrays.copyOfRange(frame, Frames.PAYLOAD, Frames.PAYLOAD + size);
        Message message;
        try {
            message = TestCluster.CODEC.decode(payload);
        } catch (WireException e) {
            message = null;
        }
        int sender = payload[Wire.OFFSET_SENDER] & 0xff;
        byte[] source = Arrays.copyOfRange(frame, eth + 12, eth + 16);
        boolean fromSender = sender < members.size() && Arrays.equals(members.get(sender).getAddress(), source)
                && Frames.getShort(frame, eth + Frames.IP) == TestCluster.PORT;
        return new Classified(Kind.MESSAGE, payload, message, fromSender);
    }

    private static Classified other() {
        return new Classified(Kind.OTHER, null, null, false);
    }

    private static Classified malformed() {
        return new Classified(Kind.MALFORMED, null, null, false);
    }
}

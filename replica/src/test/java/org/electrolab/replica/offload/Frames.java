package org.electrolab.replica.offload;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** Builds and reads Ethernet/IPv4/UDP frames for test runs, with real IP and UDP checksums. */
final class Frames {
    private Frames() {}

    static final int ETH = 14;
    static final int IP = 20;
    static final int UDP = 8;
    static final int PAYLOAD = ETH + IP + UDP;

    /** A frame's fields as read back, with whether its checksums hold. */
    record Frame(byte[] dstMac, byte[] srcMac, Inet4Address src, Inet4Address dst, int srcPort, int dstPort,
                 int ttl, byte[] payload, boolean ipChecksumOk, boolean udpChecksumOk, int udpChecksum) {}

    static Inet4Address ip(String address) {
        try {
            return (Inet4Address) InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static byte[] mac(int last) {
        return new byte[] {0x02, 0x00, 0x00, 0x00, 0x00, (byte) last};
    }

    static byte[] udp(byte[] srcMac, byte[] dstMac, Inet4Address src, Inet4Address dst, int srcPort, int dstPort,
                      byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(PAYLOAD + payload.length);
        b.put(dstMac).put(srcMac).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (IP + UDP + payload.length))
                .putShort((short) 0x1234).putShort((short) 0x4000) // id, DF
                .put((byte) 64).put((byte) 17).putShort((short) 0)
                .put(src.getAddress()).put(dst.getAddress());
        b.putShort((short) srcPort).putShort((short) dstPort).putShort((short) (UDP + payload.length)).putShort((short) 0);
        b.put(payload);
        byte[] frame = b.array();
        putShort(frame, ETH + 10, checksum(frame, ETH, IP, 0));
        int udpSum = udpChecksum(frame);
        putShort(frame, ETH + IP + 6, udpSum == 0 ? 0xffff : udpSum);
        return frame;
    }

    static Frame parse(byte[] frame) {
        ByteBuffer b = ByteBuffer.wrap(frame);
        byte[] dstMac = new byte[6], srcMac = new byte[6];
        b.get(dstMac).get(srcMac);
        int ttl = frame[ETH + 8] & 0xff;
        Inet4Address src = address(Arrays.copyOfRange(frame, ETH + 12, ETH + 16));
        Inet4Address dst = address(Arrays.copyOfRange(frame, ETH + 16, ETH + 20));
        int srcPort = getShort(frame, ETH + IP), dstPort = getShort(frame, ETH + IP + 2);
        int udpLength = getShort(frame, ETH + IP + 4);
        byte[] payload = Arrays.copyOfRange(frame, PAYLOAD, ETH + IP + udpLength);
        boolean ipOk = checksum(frame, ETH, IP, 0) == 0;
        int stored = getShort(frame, ETH + IP + 6);
        boolean udpOk = stored == 0 || udpChecksumWithStored(frame) == 0;
        return new Frame(dstMac, srcMac, src, dst, srcPort, dstPort, ttl, payload, ipOk, udpOk, stored);
    }

    /** The UDP checksum the frame should carry (its checksum field taken as 0). */
    static int udpChecksum(byte[] frame) {
        byte[] copy = frame.clone();
        putShort(copy, ETH + IP + 6, 0);
        return udpChecksumWithStored(copy);
    }

    /** One's complement sum over the pseudo header and UDP segment as stored: 0 when it verifies. */
    private static int udpChecksumWithStored(byte[] frame) {
        int udpLength = getShort(frame, ETH + IP + 4);
        long sum = 0;
        for (int i = 12; i < 20; i += 2) sum += getShort(frame, ETH + i);
        sum += 17 + udpLength;
        return checksum(frame, ETH + IP, udpLength, sum);
    }

    static int checksum(byte[] data, int offset, int length, long initial) {
        long sum = initial;
        for (int i = 0; i < length; i += 2) {
            int hi = data[offset + i] & 0xff;
            int lo = i + 1 < length ? data[offset + i + 1] & 0xff : 0;
            sum += (hi << 8) | lo;
        }
        while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
        return (int) (~sum & 0xffff);
    }

    static int getShort(byte[] b, int offset) {
        return ((b[offset] & 0xff) << 8) | (b[offset + 1] & 0xff);
    }

    static void putShort(byte[] b, int offset, int value) {
        b[offset] = (byte) (value >> 8);
        b[offset + 1] = (byte) value;
    }

    private static Inet4Address address(byte[] bytes) {
        try {
            return (Inet4Address) InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}

package org.electrolab.replica.offload;

import java.net.Inet4Address;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.electrolab.protocol.Message;
import org.electrolab.protocol.Wire;

/** Seeded frames for the fuzz tests: well-formed cluster traffic, near misses, mutations and noise. */
final class FrameFuzzer {

    final Random random;
    private final TestCluster cluster;
    private final int me;

    FrameFuzzer(long seed, TestCluster cluster, int me) {
        this.random = new Random(seed);
        this.cluster = cluster;
        this.me = me;
    }

    /** A frame from member {@code from} (sometimes from a stranger's address) to this replica. */
    byte[] frame(int from, Message message) {
        int flags = random.nextInt(20) == 0 ? random.nextInt(256) : 0;
        byte[] payload = TestCluster.CODEC.encode(message, flags);
        if (random.nextInt(200) == 0) {
            // Over MESSAGE_SIZE_MAX, body_size agreeing: only the size limit refuses it.
            payload = Arrays.copyOf(payload, Wire.MESSAGE_SIZE_MAX + 1 + random.nextInt(100));
            setInt(payload, Wire.OFFSET_BODY_SIZE, payload.length - Wire.HEADER_SIZE);
        }
        Inet4Address source = random.nextInt(25) == 0 ? Frames.ip("10.9.0." + (100 + random.nextInt(100)))
                : cluster.members.get(from);
        int port = random.nextInt(30) == 0 ? 1 + random.nextInt(65535) : TestCluster.PORT;
        return Frames.udp(Frames.mac(from + 1), Frames.mac(me + 1), source, cluster.members.get(me),
                TestCluster.PORT, port, payload);
    }

    Message.Prepare prepare(long view, int sender, long op) {
        int requests = random.nextInt(10) == 0 ? random.nextInt(Wire.BATCH_MAX + 1) : random.nextInt(4);
        int payload = random.nextInt(50) == 0 ? random.nextInt(2000) : random.nextInt(200);
        List<Message.Request> batch = new java.util.ArrayList<>();
        for (int i = 0; i < requests; i++) {
            byte[] bytes = new byte[requests > 4 ? random.nextInt(20) : payload];
            random.nextBytes(bytes);
            batch.add(new Message.Request(random.nextLong(), random.nextLong(), bytes));
        }
        return new Message.Prepare(view, sender, op, Math.max(0, op - 1 - random.nextInt(3)), new Message.Entry(batch));
    }

    /** Any other message of the protocol, from {@code sender}. */
    Message otherMessage(long view, int sender, long op) {
        return switch (random.nextInt(9)) {
            case 0 -> new Message.Commit(view, sender, op);
            case 1 -> new Message.StartViewChange(view + 1, sender);
            case 2 -> new Message.DoViewChange(view + 1, sender, view, op, op - 1);
            case 3 -> new Message.StartView(view + 1, sender, view, op, op - 1);
            case 4 -> new Message.GetState(view, sender, op);
            case 5 -> new Message.Request(random.nextLong(), random.nextInt(100), new byte[random.nextInt(64)]);
            case 6 -> new Message.Recovery(sender, random.nextLong());
            case 7 -> new Message.PrepareOk(view, sender, op, 0);
            default -> new Message.Reply(view, sender, random.nextLong(), 1, new byte[random.nextInt(16)]);
        };
    }

    /** Random bytes after a plausible or random frame start (at least an Ethernet header: no shorter frame exists). */
    byte[] noise() {
        byte[] frame = new byte[Frames.ETH + random.nextInt(200)];
        random.nextBytes(frame);
        if (frame.length > Frames.PAYLOAD && random.nextBoolean()) {
            Frames.putShort(frame, 12, 0x0800);
            frame[Frames.ETH] = 0x45;
            frame[Frames.ETH + 9] = 17;
            Frames.putShort(frame, Frames.ETH + Frames.IP + 2, TestCluster.PORT);
            fixIpChecksum(frame);
        }
        return frame;
    }

    /** One to three mutations (never below an Ethernet header); the IP header checksum is then repaired half of the time. */
    byte[] mutate(byte[] frame) {
        byte[] f = frame.clone();
        int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations; m++) {
            switch (random.nextInt(10)) {
                case 0 -> { if (f.length > 0) f[random.nextInt(f.length)] ^= (byte) (1 << random.nextInt(8)); }
                case 1 -> { if (f.length > Frames.PAYLOAD + 48) f[Frames.PAYLOAD + random.nextInt(48)] = (byte) random.nextInt(256); }
                case 2 -> f = Arrays.copyOf(f, Math.max(Frames.ETH, random.nextInt(f.length + 1)));
                case 3 -> f = Arrays.copyOf(f, f.length + 1 + random.nextInt(64));
                case 4 -> { if (f.length >= Frames.PAYLOAD) Frames.putShort(f, Frames.ETH + 2, random.nextInt(f.length + 8)); }
                case 5 -> { if (f.length >= Frames.PAYLOAD) Frames.putShort(f, Frames.ETH + Frames.IP + 4, random.nextInt(f.length)); }
                case 6 -> { if (f.length >= Frames.PAYLOAD) Frames.putShort(f, Frames.ETH + 6, random.nextBoolean() ? 0x2000 : random.nextInt(0x10000)); }
                case 7 -> { if (f.length >= Frames.PAYLOAD) f[Frames.ETH] = (byte) (0x40 | random.nextInt(16)); }
                case 8 -> { if (f.length > Frames.PAYLOAD + 52) setInt(f, Frames.PAYLOAD + 48, random.nextInt(40)); }
                default -> { if (f.length > Frames.PAYLOAD + 16) setInt(f, Frames.PAYLOAD + 12, random.nextInt(f.length)); }
            }
        }
        if (random.nextBoolean()) fixIpChecksum(f);
        return f;
    }

    static void fixIpChecksum(byte[] frame) {
        if (frame.length < Frames.ETH + Frames.IP) return;
        Frames.putShort(frame, Frames.ETH + 10, 0);
        Frames.putShort(frame, Frames.ETH + 10, Frames.checksum(frame, Frames.ETH, Frames.IP, 0));
    }

    private static void setInt(byte[] b, int offset, int littleEndian) {
        for (int i = 0; i < 4; i++) b[offset + i] = (byte) (littleEndian >> (8 * i));
    }
}

package org.electrolab.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;

import org.electrolab.protocol.Message.*;
import org.electrolab.protocol.WireException.Reason;
import org.junit.jupiter.api.Test;

class MessageCodecTest {

    private final MessageCodec codec = new MessageCodec(7);
    private final Entry entry = new Entry(List.of(new Request(11, 1, new byte[] {1, 2, 3}), new Request(12, 5, new byte[0])));

    @Test
    void everyMessageTypeRoundTrips() throws Exception {
        List<Message> all = List.of(
                new Request(42, 3, "payload".getBytes()),
                new Reply(9, 1, 42, 3, "result".getBytes()),
                new Prepare(9, 1, 100, 98, entry),
                new PrepareOk(9, 2, 100, 0),
                new PrepareOk(9, 2, 100, 0b1011),
                new Commit(9, 1, 99),
                new StartViewChange(10, 2),
                new DoViewChange(10, 2, 9, 100, 98),
                new StartView(10, 1, 9, 100, 99),
                new GetState(10, 2, 50),
                new NewState(10, 1, 100, 99, 51, List.of(entry, entry)),
                new Recovery(3, -77),
                new RecoveryResponse(10, 1, -77, true, 100, 99),
                new RecoveryResponse(0, 1, 5, false, 0, 0));
        assertThat(all.stream().map(Message::type).distinct()).hasSize(MessageType.values().length);
        for (Message m : all) {
            byte[] bytes = codec.encode(m);
            assertThat(bytes).hasSize(Wire.HEADER_SIZE + MessageCodec.bodySize(m));
            assertThat(codec.decode(bytes)).as("%s", m).isEqualTo(m);
        }
    }

    @Test
    void headerFieldsSitAtTheirDocumentedOffsets() {
        byte[] bytes = codec.encode(new Prepare(0x1122334455L, 3, 0x66778899AAL, 0x0102030405L, entry), Wire.FLAG_BROADCAST);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getInt(Wire.OFFSET_MAGIC)).isEqualTo(Wire.MAGIC);
        assertThat(b.get(Wire.OFFSET_VERSION)).isEqualTo((byte) Wire.VERSION);
        assertThat(b.get(Wire.OFFSET_TYPE)).isEqualTo((byte) MessageType.PREPARE.code);
        assertThat(b.get(Wire.OFFSET_SENDER)).isEqualTo((byte) 3);
        assertThat(b.get(Wire.OFFSET_FLAGS)).isEqualTo((byte) Wire.FLAG_BROADCAST);
        assertThat(b.getInt(Wire.OFFSET_CLUSTER_ID)).isEqualTo(7);
        assertThat(b.getInt(Wire.OFFSET_BODY_SIZE)).isEqualTo(entry.size());
        assertThat(b.getLong(Wire.OFFSET_VIEW)).isEqualTo(0x1122334455L);
        assertThat(b.getLong(Wire.OFFSET_OP)).isEqualTo(0x66778899AAL);
        assertThat(b.getLong(Wire.OFFSET_COMMIT)).isEqualTo(0x0102030405L);
        assertThat(b.getLong(Wire.OFFSET_ACKS)).isZero();
    }

    @Test
    void prepareOkIsAHeaderWithoutBody() {
        byte[] bytes = codec.encode(new PrepareOk(4, 1, 17, 0));
        assertThat(bytes).hasSize(Wire.HEADER_SIZE);
    }

    @Test
    void invalidDatagramsAreRejectedWithTheirReason() {
        byte[] good = codec.encode(new Commit(1, 0, 5));
        assertReason(new byte[10], Reason.TRUNCATED);
        assertReason(new byte[Wire.MESSAGE_SIZE_MAX + 1], Reason.TOO_LARGE);
        assertReason(with(good, Wire.OFFSET_MAGIC, 0), Reason.BAD_MAGIC);
        assertReason(with(good, Wire.OFFSET_VERSION, 9), Reason.BAD_VERSION);
        assertReason(with(good, Wire.OFFSET_CLUSTER_ID, 8), Reason.FOREIGN_CLUSTER);
        assertReason(with(good, Wire.OFFSET_TYPE, 0), Reason.UNKNOWN_TYPE);
        assertReason(with(good, Wire.OFFSET_TYPE, MessageType.MAX + 1), Reason.UNKNOWN_TYPE);
        assertReason(with(good, Wire.OFFSET_BODY_SIZE, 4), Reason.BAD_BODY);
        assertReason(with(good, Wire.OFFSET_SENDER, Wire.SENDER_CLIENT), Reason.BAD_BODY);
        byte[] prepare = codec.encode(new Prepare(1, 0, 2, 1, entry));
        assertReason(with(prepare, Wire.HEADER_SIZE, Wire.BATCH_MAX + 1), Reason.BAD_BODY);
        assertReason(with(prepare, Wire.HEADER_SIZE + 4 + 16, 1000), Reason.BAD_BODY);
    }

    @Test
    void randomBytesNeverEscapeAsAnythingButWireException() {
        Random random = new Random(20261125);
        byte[] valid = codec.encode(new NewState(10, 1, 100, 99, 51, List.of(entry, entry)));
        for (int i = 0; i < 200_000; i++) {
            byte[] bytes = i % 2 == 0 ? new byte[random.nextInt(200)] : valid.clone();
            if (i % 2 == 0) random.nextBytes(bytes);
            else for (int k = 0; k < 1 + random.nextInt(4); k++) bytes[random.nextInt(bytes.length)] = (byte) random.nextInt();
            try {
                Message m = codec.decode(bytes);
                assertThat(codec.encode(m)).as("a decoded message re-encodes to the same bytes, seed case %d", i)
                        .isEqualTo(flagsCleared(bytes));
            } catch (WireException expected) {
                assertThat(expected.reason).isNotNull();
            }
        }
    }

    private static byte[] flagsCleared(byte[] bytes) {
        byte[] copy = bytes.clone();
        copy[Wire.OFFSET_FLAGS] = 0;
        return copy;
    }

    private void assertReason(byte[] datagram, Reason reason) {
        assertThatThrownBy(() -> codec.decode(datagram)).isInstanceOfSatisfying(WireException.class,
                e -> assertThat(e.reason).isEqualTo(reason));
    }

    private static byte[] with(byte[] bytes, int offset, int value) {
        byte[] copy = bytes.clone();
        ByteBuffer b = ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN);
        switch (offset) {
            case Wire.OFFSET_MAGIC, Wire.OFFSET_CLUSTER_ID, Wire.OFFSET_BODY_SIZE -> b.putInt(offset, value);
            default -> {
                if (offset >= Wire.HEADER_SIZE) b.putInt(offset, value);
                else b.put(offset, (byte) value);
            }
        }
        return copy;
    }
}

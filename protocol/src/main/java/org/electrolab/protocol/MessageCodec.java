package org.electrolab.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import org.electrolab.protocol.Message.*;
import org.electrolab.protocol.WireException.Reason;

/** Encodes and decodes messages in the layout of bpf/electrolab_wire.h (little-endian). */
public final class MessageCodec {

    private final int clusterId;

    public MessageCodec(int clusterId) {
        this.clusterId = clusterId;
    }

    public int clusterId() {
        return clusterId;
    }

    public byte[] encode(Message message) {
        return encode(message, 0);
    }

    /** Encodes with header flags ({@link Wire#FLAG_BROADCAST}, ...). */
    public byte[] encode(Message message, int flags) {
        int bodySize = bodySize(message);
        Check.that(Wire.HEADER_SIZE + bodySize <= Wire.MESSAGE_SIZE_MAX, "message of %d bytes exceeds %d",
                Wire.HEADER_SIZE + bodySize, Wire.MESSAGE_SIZE_MAX);
        ByteBuffer b = ByteBuffer.allocate(Wire.HEADER_SIZE + bodySize).order(ByteOrder.LITTLE_ENDIAN);
        long op = 0, commit = 0, acks = 0;
        switch (message) {
            case Prepare p -> { op = p.op(); commit = p.commit(); }
            case PrepareOk p -> { op = p.op(); acks = p.acks(); }
            case Commit c -> commit = c.commit();
            case DoViewChange d -> { op = d.op(); commit = d.commit(); }
            case StartView s -> { op = s.op(); commit = s.commit(); }
            case GetState g -> op = g.op();
            case NewState n -> { op = n.op(); commit = n.commit(); }
            case RecoveryResponse r -> { op = r.op(); commit = r.commit(); }
            default -> { }
        }
        b.putInt(Wire.MAGIC).put((byte) Wire.VERSION).put((byte) message.type().code)
                .put((byte) message.sender()).put((byte) flags)
                .putInt(clusterId).putInt(bodySize)
                .putLong(message.view()).putLong(op).putLong(commit).putLong(acks);
        switch (message) {
            case Request r -> b.putLong(r.clientId()).putLong(r.requestNumber()).put(r.payload());
            case Reply r -> b.putLong(r.clientId()).putLong(r.requestNumber()).put(r.result());
            case Prepare p -> putEntry(b, p.entry());
            case DoViewChange d -> b.putLong(d.lastNormalView());
            case StartView s -> b.putLong(s.lastNormalView());
            case NewState n -> {
                b.putLong(n.firstOp()).putInt(n.entries().size());
                for (Entry e : n.entries()) putEntry(b, e);
            }
            case Recovery r -> b.putLong(r.nonce());
            case RecoveryResponse r -> b.putLong(r.nonce()).put((byte) (r.normal() ? 1 : 0));
            default -> { }
        }
        Check.that(!b.hasRemaining(), "encoded size matches computed size");
        return b.array();
    }

    public static int bodySize(Message message) {
        return switch (message) {
            case Request r -> 16 + r.payload().length;
            case Reply r -> 16 + r.result().length;
            case Prepare p -> p.entry().size();
            case DoViewChange d -> 8;
            case StartView s -> 8;
            case NewState n -> {
                int size = 12;
                for (Entry e : n.entries()) size += e.size();
                yield size;
            }
            case Recovery r -> 8;
            case RecoveryResponse r -> 9;
            default -> 0;
        };
    }

    private static void putEntry(ByteBuffer b, Entry entry) {
        b.putInt(entry.requests().size());
        for (Request r : entry.requests()) {
            b.putLong(r.clientId()).putLong(r.requestNumber()).putInt(r.payload().length).put(r.payload());
        }
    }

    public Message decode(byte[] datagram) throws WireException {
        return decode(datagram, 0, datagram.length);
    }

    /** Decodes one datagram, checking every header field and that the body parses exactly. */
    public Message decode(byte[] data, int offset, int length) throws WireException {
        if (length < Wire.HEADER_SIZE) throw new WireException(Reason.TRUNCATED, length + " bytes");
        if (length > Wire.MESSAGE_SIZE_MAX) throw new WireException(Reason.TOO_LARGE, length + " bytes");
        ByteBuffer b = ByteBuffer.wrap(data, offset, length).slice().order(ByteOrder.LITTLE_ENDIAN);
        int magic = b.getInt();
        if (magic != Wire.MAGIC) throw new WireException(Reason.BAD_MAGIC, Integer.toHexString(magic));
        int version = b.get() & 0xff;
        if (version != Wire.VERSION) throw new WireException(Reason.BAD_VERSION, "version " + version);
        int typeCode = b.get() & 0xff;
        int sender = b.get() & 0xff;
        b.get(); // flags: meaningful to the kernel path only
        int cluster = b.getInt();
        if (cluster != clusterId) throw new WireException(Reason.FOREIGN_CLUSTER, "cluster " + Integer.toUnsignedString(cluster));
        int bodySize = b.getInt();
        if (bodySize != length - Wire.HEADER_SIZE) {
            throw new WireException(Reason.BAD_BODY, "body_size " + bodySize + " but " + (length - Wire.HEADER_SIZE) + " bytes follow");
        }
        MessageType type = MessageType.of(typeCode);
        if (type == null) throw new WireException(Reason.UNKNOWN_TYPE, "type " + typeCode);
        boolean fromClient = type == MessageType.REQUEST;
        if (fromClient != (sender == Wire.SENDER_CLIENT) || (!fromClient && sender >= Wire.REPLICAS_MAX)) {
            throw new WireException(Reason.BAD_BODY, "sender " + sender + " for " + type);
        }
        long view = b.getLong(), op = b.getLong(), commit = b.getLong(), acks = b.getLong();
        if (!unusedFieldsZero(type, view, op, commit, acks)) {
            throw new WireException(Reason.BAD_BODY, "header field unused by " + type + " is not zero");
        }
        try {
            Message m = switch (type) {
                case REQUEST -> new Request(b.getLong(), b.getLong(), rest(b));
                case REPLY -> new Reply(view, sender, b.getLong(), b.getLong(), rest(b));
                case PREPARE -> new Prepare(view, sender, op, commit, getEntry(b));
                case PREPARE_OK -> new PrepareOk(view, sender, op, acks);
                case COMMIT -> new Commit(view, sender, commit);
                case START_VIEW_CHANGE -> new StartViewChange(view, sender);
                case DO_VIEW_CHANGE -> new DoViewChange(view, sender, b.getLong(), op, commit);
                case START_VIEW -> new StartView(view, sender, b.getLong(), op, commit);
                case GET_STATE -> new GetState(view, sender, op);
                case NEW_STATE -> {
                    long firstOp = b.getLong();
                    int count = b.getInt();
                    if (count < 0 || count > b.remaining() / Wire.ENTRY_OVERHEAD) throw new WireException(Reason.BAD_BODY, "entry count " + count);
                    List<Entry> entries = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) entries.add(getEntry(b));
                    yield new NewState(view, sender, op, commit, firstOp, entries);
                }
                case RECOVERY -> new Recovery(sender, b.getLong());
                case RECOVERY_RESPONSE -> {
                    long nonce = b.getLong();
                    int normal = b.get();
                    if (normal != 0 && normal != 1) throw new WireException(Reason.BAD_BODY, "normal flag " + normal);
                    yield new RecoveryResponse(view, sender, nonce, normal == 1, op, commit);
                }
            };
            if (b.hasRemaining()) throw new WireException(Reason.BAD_BODY, b.remaining() + " trailing bytes in " + type);
            return m;
        } catch (java.nio.BufferUnderflowException e) {
            throw new WireException(Reason.BAD_BODY, "body of " + type + " too short");
        }
    }

    /** One encoding per message: header fields a type does not use must be zero. */
    private static boolean unusedFieldsZero(MessageType type, long view, long op, long commit, long acks) {
        return switch (type) {
            case REQUEST, RECOVERY -> (view | op | commit | acks) == 0;
            case REPLY, START_VIEW_CHANGE -> (op | commit | acks) == 0;
            case COMMIT -> (op | acks) == 0;
            case PREPARE_OK -> commit == 0;
            case GET_STATE -> (commit | acks) == 0;
            case PREPARE, DO_VIEW_CHANGE, START_VIEW, NEW_STATE, RECOVERY_RESPONSE -> acks == 0;
        };
    }

    private static byte[] rest(ByteBuffer b) {
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return bytes;
    }

    private static Entry getEntry(ByteBuffer b) throws WireException {
        int count = b.getInt();
        if (count < 0 || count > Wire.BATCH_MAX) throw new WireException(Reason.BAD_BODY, "batch of " + count);
        List<Request> requests = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long clientId = b.getLong(), requestNumber = b.getLong();
            int size = b.getInt();
            if (size < 0 || size > b.remaining()) throw new WireException(Reason.BAD_BODY, "payload of " + size + " bytes");
            byte[] payload = new byte[size];
            b.get(payload);
            requests.add(new Request(clientId, requestNumber, payload));
        }
        return new Entry(requests);
    }
}

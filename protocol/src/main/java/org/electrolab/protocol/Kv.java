package org.electrolab.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The kv app's request and result encoding, shared by replica and client. A request is
 * {@code u8 op, u16 key length, key, then per op: PUT u32+value; CAS u8 hasExpected, [u32+expected], u32+value}.
 * A result is {@code u8 status, u32 length, value}.
 */
public final class Kv {
    private Kv() {}

    public sealed interface Command {
        String key();
    }

    public record Get(String key) implements Command {}

    public record Put(String key, String value) implements Command {}

    /** Sets {@code value} if the current value equals {@code expected} (null: the key is absent). */
    public record Cas(String key, String expected, String value) implements Command {}

    public enum Status { OK, NOT_FOUND, CAS_FAILED, BAD_REQUEST }

    /** GET: the value (null when NOT_FOUND); CAS_FAILED: the current value (null when absent). */
    public record Result(Status status, String value) {}

    private static final int GET = 1, PUT = 2, CAS = 3;

    public static byte[] encode(Command command) {
        byte[] key = utf8(command.key());
        Check.that(key.length <= 0xffff, "key of %d bytes", key.length);
        ByteBuffer b = ByteBuffer.allocate(3 + key.length + 9 + sizeOf(command)).order(ByteOrder.LITTLE_ENDIAN);
        switch (command) {
            case Get g -> b.put((byte) GET).putShort((short) key.length).put(key);
            case Put p -> putBytes(b.put((byte) PUT).putShort((short) key.length).put(key), utf8(p.value()));
            case Cas c -> {
                b.put((byte) CAS).putShort((short) key.length).put(key).put((byte) (c.expected() == null ? 0 : 1));
                if (c.expected() != null) putBytes(b, utf8(c.expected()));
                putBytes(b, utf8(c.value()));
            }
        }
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    private static int sizeOf(Command command) {
        return switch (command) {
            case Get g -> 0;
            case Put p -> utf8(p.value()).length;
            case Cas c -> (c.expected() == null ? 0 : utf8(c.expected()).length) + utf8(c.value()).length;
        };
    }

    /** Decodes a request; throws IllegalArgumentException for bytes that are not one. */
    public static Command decode(byte[] request) {
        try {
            ByteBuffer b = ByteBuffer.wrap(request).order(ByteOrder.LITTLE_ENDIAN);
            int op = b.get();
            byte[] keyBytes = new byte[b.getShort() & 0xffff];
            b.get(keyBytes);
            String key = new String(keyBytes, StandardCharsets.UTF_8);
            Command c = switch (op) {
                case GET -> new Get(key);
                case PUT -> new Put(key, getString(b));
                case CAS -> {
                    int has = b.get();
                    String expected = has == 1 ? getString(b) : null;
                    yield new Cas(key, expected, getString(b));
                }
                default -> throw new IllegalArgumentException("kv op " + op);
            };
            if (b.hasRemaining()) throw new IllegalArgumentException("trailing bytes");
            return c;
        } catch (java.nio.BufferUnderflowException | NegativeArraySizeException e) {
            throw new IllegalArgumentException("truncated kv request");
        }
    }

    public static byte[] encode(Result result) {
        byte[] value = result.value() == null ? new byte[0] : utf8(result.value());
        ByteBuffer b = ByteBuffer.allocate(1 + 1 + 4 + value.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) result.status().ordinal()).put((byte) (result.value() == null ? 0 : 1));
        putBytes(b, value);
        return b.array();
    }

    public static Result decodeResult(byte[] bytes) {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            Status status = Status.values()[b.get()];
            boolean present = b.get() == 1;
            String value = getString(b);
            return new Result(status, present ? value : null);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a kv result");
        }
    }

    private static ByteBuffer putBytes(ByteBuffer b, byte[] bytes) {
        return b.putInt(bytes.length).put(bytes);
    }

    private static String getString(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0 || n > b.remaining()) throw new IllegalArgumentException("bad length " + n);
        byte[] bytes = new byte[n];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

package org.electrolab.replica.app;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

import org.electrolab.protocol.Kv;
import org.electrolab.protocol.Kv.Result;
import org.electrolab.protocol.Kv.Status;

/** A string key-value store with get, put and compare-and-set. */
public final class KvApp implements App {

    private final Map<String, String> data = new HashMap<>();
    /** The sum of {@link #entryHash} over all entries: independent of insertion order, updated in O(1). */
    private long digest;

    @Override
    public byte[] execute(byte[] request) {
        Kv.Command command;
        try {
            command = Kv.decode(request);
        } catch (IllegalArgumentException e) {
            return Kv.encode(new Result(Status.BAD_REQUEST, null));
        }
        return Kv.encode(apply(command));
    }

    private Result apply(Kv.Command command) {
        return switch (command) {
            case Kv.Get g -> data.containsKey(g.key())
                    ? new Result(Status.OK, data.get(g.key())) : new Result(Status.NOT_FOUND, null);
            case Kv.Put p -> {
                store(p.key(), p.value());
                yield new Result(Status.OK, null);
            }
            case Kv.Cas c -> {
                String current = data.get(c.key());
                if (!Objects.equals(current, c.expected())) yield new Result(Status.CAS_FAILED, current);
                store(c.key(), c.value());
                yield new Result(Status.OK, null);
            }
        };
    }

    private void store(String key, String value) {
        String old = data.put(key, value);
        if (old != null) digest -= entryHash(key, old);
        digest += entryHash(key, value);
    }

    @Override
    public long digest() {
        return digest;
    }

    /** A 64-bit hash of one entry, the same in every JVM (String.hashCode is specified), mixed by SplitMix64's finaliser. */
    static long entryHash(String key, String value) {
        long z = ((long) key.hashCode() << 32) ^ (value.hashCode() & 0xffffffffL) ^ ((long) key.length() << 20) ^ value.length();
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}

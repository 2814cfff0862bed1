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
                data.put(p.key(), p.value());
                yield new Result(Status.OK, null);
            }
            case Kv.Cas c -> {
                String current = data.get(c.key());
                if (!Objects.equals(current, c.expected())) yield new Result(Status.CAS_FAILED, current);
                data.put(c.key(), c.value());
                yield new Result(Status.OK, null);
            }
        };
    }
}

package org.electrolab.replica.app;

/** A deterministic state machine that replicas execute committed requests on, in op order. */
public interface App {

    /** Executes one request and returns its result; must be deterministic and must not throw. */
    byte[] execute(byte[] request);

    /**
     * A fingerprint of the state: equal on replicas that executed the same requests, and cheap
     * enough to read after every step. Replicas whose commit and digest agree hold the same state.
     */
    long digest();

    /** The app named in cluster.yaml: {@code null} or {@code kv}. */
    static App named(String name) {
        return switch (name) {
            case "null" -> new NullApp();
            case "kv" -> new KvApp();
            default -> throw new IllegalArgumentException("unknown app '" + name + "' (use null or kv)");
        };
    }
}

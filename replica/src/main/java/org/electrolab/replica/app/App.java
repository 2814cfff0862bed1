package org.electrolab.replica.app;

/** A deterministic state machine that replicas execute committed requests on, in op order. */
public interface App {

    /** Executes one request and returns its result; must be deterministic and must not throw. */
    byte[] execute(byte[] request);

    /** The app named in cluster.yaml: {@code null} or {@code kv}. */
    static App named(String name) {
        return switch (name) {
            case "null" -> new NullApp();
            case "kv" -> new KvApp();
            default -> throw new IllegalArgumentException("unknown app '" + name + "' (use null or kv)");
        };
    }
}

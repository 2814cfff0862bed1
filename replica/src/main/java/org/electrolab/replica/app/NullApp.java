package org.electrolab.replica.app;

/** Electrode's benchmark app: the result is the request payload. */
public final class NullApp implements App {
    @Override
    public byte[] execute(byte[] request) {
        return request;
    }

    /** The null app keeps no state. */
    @Override
    public long digest() {
        return 0;
    }
}

package org.electrolab.replica.node;

/**
 * The replica cannot start, for a reason its user can fix (an address this host does not have, a
 * stats file in a missing directory, an offload that --offload-required demands but cannot load).
 * The message is one line that names the fix; the CLI prints it without a stack trace.
 */
public final class StartException extends RuntimeException {

    public StartException(String message) {
        super(message, null, false, false);
    }
}

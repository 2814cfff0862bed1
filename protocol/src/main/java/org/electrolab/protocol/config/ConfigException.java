package org.electrolab.protocol.config;

/**
 * A user's input (cluster.yaml, a command-line value) is wrong. The message is one line that names
 * the file or option, the field, and the fix; it is shown as is, without a stack trace.
 */
public final class ConfigException extends Exception {

    public ConfigException(String message) {
        super(message, null, false, false);
    }
}

package org.electrolab.lab.cli;

/**
 * Something the user can fix (a bad option value, an address this host does not have). {@link
 * org.electrolab.lab.Main} prints its message as one line, without a stack trace, and exits with
 * {@link #EXIT_CODE}.
 */
public final class UserError extends RuntimeException {

    public static final int EXIT_CODE = 2;

    public UserError(String message) {
        super(message, null, false, false);
    }
}

package org.electrolab.protocol;

/** Invariant checks that stay on in production (unlike {@code assert}). */
public final class Check {
    private Check() {}

    public static void that(boolean condition, String what) {
        if (!condition) throw new IllegalStateException("invariant violated: " + what);
    }

    public static void that(boolean condition, String format, Object... args) {
        if (!condition) throw new IllegalStateException("invariant violated: " + String.format(format, args));
    }
}

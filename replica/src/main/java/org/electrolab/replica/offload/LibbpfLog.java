package org.electrolab.replica.offload;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.function.IntSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Routes libbpf's messages (libbpf_set_print) to the SLF4J logger {@code libbpf}. */
final class LibbpfLog {
    private LibbpfLog() {}

    private static final Logger LOG = LoggerFactory.getLogger("libbpf");
    private static final int LIBBPF_WARN = 0;
    private static final int LIBBPF_INFO = 1;
    private static final int LIBBPF_DEBUG = 2;
    /** Set while this thread runs a call whose failure is an answer, not a fault (see {@link #quietly}). */
    private static final ThreadLocal<Boolean> QUIET = ThreadLocal.withInitial(() -> false);

    static void install(Libbpf lib) {
        try {
            var print = MethodHandles.lookup().findStatic(LibbpfLog.class, "print",
                    MethodType.methodType(int.class, int.class, MemorySegment.class, MemorySegment.class));
            MemorySegment stub = Linker.nativeLinker().upcallStub(print,
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), Arena.global());
            Libbpf.call(() -> (MemorySegment) lib.setPrint.invokeExact(stub));
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Runs a libbpf call whose failure is an expected answer (a query for a filter that is not
     * there), with what libbpf warns about it logged at debug level: libbpf prints synchronously, on
     * the calling thread.
     */
    static int quietly(IntSupplier call) {
        QUIET.set(true);
        try {
            return call.getAsInt();
        } finally {
            QUIET.set(false);
        }
    }

    /** libbpf_print_fn_t: (level, format, va_list). An upcall must not throw, so this never does. */
    private static int print(int level, MemorySegment format, MemorySegment args) {
        try {
            if (level == LIBBPF_WARN && QUIET.get()) level = LIBBPF_DEBUG;
            boolean enabled = switch (level) {
                case LIBBPF_WARN -> LOG.isWarnEnabled();
                case LIBBPF_INFO -> LOG.isInfoEnabled();
                default -> LOG.isDebugEnabled();
            };
            if (!enabled) return 0;
            String text = Libc.vformat(format, args).stripTrailing();
            switch (level) {
                case LIBBPF_WARN -> LOG.warn(text);
                case LIBBPF_INFO -> LOG.info(text);
                default -> LOG.debug(text);
            }
        } catch (Throwable ignored) {
            // Nothing may escape into native code; a lost log line is the lesser harm.
        }
        return 0;
    }
}

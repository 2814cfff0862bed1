package org.electrolab.replica.offload;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/** The few libc calls the offload needs besides libbpf: close, mmap, page size, strerror, vsnprintf, setns, if_nametoindex. */
final class Libc {
    private Libc() {}

    static final int PROT_READ = 1;
    static final int MAP_SHARED = 1;
    static final MemorySegment MAP_FAILED = MemorySegment.ofAddress(-1L);

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();

    private static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle GETPAGESIZE = handle("getpagesize", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle STRERROR = handle("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    private static final MethodHandle MMAP = LINKER.downcallHandle(LIBC.findOrThrow("mmap"),
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG),
            Linker.Option.captureCallState("errno"));
    private static final MethodHandle MUNMAP = handle("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle EPOLL_WAIT = LINKER.downcallHandle(LIBC.findOrThrow("epoll_wait"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            Linker.Option.captureCallState("errno"));
    private static final MethodHandle VSNPRINTF = handle("vsnprintf",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));

    private static final MethodHandle OPEN = LINKER.downcallHandle(LIBC.findOrThrow("open"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), Linker.Option.captureCallState("errno"));
    private static final MethodHandle IF_NAMETOINDEX = LINKER.downcallHandle(LIBC.findOrThrow("if_nametoindex"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS), Linker.Option.captureCallState("errno"));
    private static final MethodHandle SETNS = LINKER.downcallHandle(LIBC.findOrThrow("setns"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.captureCallState("errno"));

    private static MethodHandle handle(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LIBC.findOrThrow(name), descriptor);
    }

    static void close(int fd) {
        try {
            int rc = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int pageSize() {
        try {
            return (int) GETPAGESIZE.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The C library's description of errno, or null. */
    static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.equals(MemorySegment.NULL) ? null : text.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return null;
        }
    }

    /** Maps {@code length} bytes of fd read-only and shared; throws BpfException naming {@code target}. */
    static MemorySegment mmapReadOnly(int fd, long length, String target) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
            MemorySegment address = (MemorySegment) MMAP.invokeExact(state, MemorySegment.NULL, length,
                    PROT_READ, MAP_SHARED, fd, 0L);
            if (address.address() == MAP_FAILED.address()) throw new BpfException("mmap", target, Libbpf.errno(state));
            return address.reinterpret(length);
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static void munmap(MemorySegment address) {
        try {
            int rc = (int) MUNMAP.invokeExact(address, address.byteSize());
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Waits up to timeoutMillis for epoll instance epfd to report an event; true if it did, false on
     * timeout or interruption by a signal.
     */
    static boolean epollWait(int epfd, int timeoutMillis, String target) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
            MemorySegment event = arena.allocate(16, 8); // struct epoll_event (12 bytes packed on x86-64)
            int n = (int) EPOLL_WAIT.invokeExact(state, epfd, event, 1, timeoutMillis);
            if (n < 0 && Libbpf.errno(state) != Errno.EINTR) throw new BpfException("epoll_wait", target, Libbpf.errno(state));
            return n > 0;
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static final int O_RDONLY_CLOEXEC = 0x80000;
    private static final int CLONE_NEWNET = 0x40000000;

    /** Moves the calling thread into the network namespace bound at {@code path} (/run/netns/NAME). */
    static void enterNetworkNamespace(String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path), O_RDONLY_CLOEXEC);
            if (fd < 0) throw new BpfException("open", "network namespace " + path, Libbpf.errno(state));
            try {
                int rc = (int) SETNS.invokeExact(state, fd, CLONE_NEWNET);
                if (rc != 0) throw new BpfException("setns", "network namespace " + path, Libbpf.errno(state));
            } finally {
                close(fd);
            }
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The index of interface {@code name} in the calling thread's network namespace. */
    static int interfaceIndex(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
            int index = (int) IF_NAMETOINDEX.invokeExact(state, arena.allocateFrom(name));
            if (index == 0) throw new BpfException("if_nametoindex", "interface " + name, Libbpf.errno(state));
            return index;
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Formats a C format string with its va_list (which the SysV and AAPCS64 ABIs pass by address). */
    static String vformat(MemorySegment format, MemorySegment vaList) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(2048);
            int n = (int) VSNPRINTF.invokeExact(buffer, buffer.byteSize(), format, vaList);
            return n < 0 ? "" : buffer.getString(0);
        } catch (Throwable t) {
            return "";
        }
    }
}

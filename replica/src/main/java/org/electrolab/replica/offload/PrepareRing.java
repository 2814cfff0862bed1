package org.electrolab.replica.offload;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.electrolab.protocol.Wire;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer side of el_prepares: the Prepares fast_reply acknowledged, as the message bytes it
 * received (struct el_prepare_record). One thread consumes ({@link #consume}, {@link #drainAll});
 * another may wait for records with {@link #awaitRecords} to wake it.
 */
public final class PrepareRing implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PrepareRing.class);
    private static final int RECORD_HEADER = 8;

    private final Libbpf lib = Libbpf.get();
    private final Arena arena = Arena.ofShared();
    private final String name;
    private final MemorySegment ring;
    /** The consumer and producer position pages, mapped read-only (the kernel's ring buffer ABI). */
    private final MemorySegment positions;
    private final int pageSize;
    private final int epollFd;
    private final List<byte[]> received = new ArrayList<>();
    /** Why a record could not be read, if one could not: see {@link #consume}. */
    private String unreadable;
    private boolean closed;

    private PrepareRing(BpfMap map) {
        this.name = map.name();
        int fd = map.fd();
        MemorySegment created = MemorySegment.NULL;
        try {
            var sample = MethodHandles.lookup().findVirtual(PrepareRing.class, "onSample",
                    MethodType.methodType(int.class, MemorySegment.class, MemorySegment.class, long.class)).bindTo(this);
            MemorySegment callback = Linker.nativeLinker().upcallStub(sample,
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG), arena);
            MemorySegment errno = Libbpf.errnoState(arena);
            created = Libbpf.call(() -> (MemorySegment) lib.ringBufferNew.invokeExact(errno, fd, callback, MemorySegment.NULL, MemorySegment.NULL));
            if (created.equals(MemorySegment.NULL)) throw new BpfException("ring_buffer__new", "map " + name, Libbpf.errno(errno));
            ring = created;
            pageSize = Libc.pageSize();
            positions = Libc.mmapReadOnly(fd, 2L * pageSize, "map " + name + " positions");
            MemorySegment rb = created;
            epollFd = Libbpf.call(() -> (int) lib.ringBufferEpollFd.invokeExact(rb));
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        } catch (RuntimeException e) {
            if (!created.equals(MemorySegment.NULL)) {
                MemorySegment rb = created;
                Libbpf.call(() -> {
                    lib.ringBufferFree.invokeExact(rb);
                    return null;
                });
            }
            arena.close();
            throw e;
        }
    }

    /** Consumes {@code map}, a BPF_MAP_TYPE_RINGBUF of struct el_prepare_record. */
    public static PrepareRing open(BpfMap map) {
        return new PrepareRing(map);
    }

    /**
     * The records committed so far, oldest first, without waiting. Throws when one could not be
     * read: fast_reply acknowledged its Prepare, so the replica must stop rather than miss it.
     */
    public synchronized List<byte[]> consume() {
        int rc = Libbpf.call(() -> (int) lib.ringBufferConsume.invokeExact(ring));
        Libbpf.check(rc, "ring_buffer__consume", "map " + name);
        if (unreadable != null) throw new IllegalStateException("ring " + name + ": " + unreadable + "; stopping");
        List<byte[]> records = List.copyOf(received);
        received.clear();
        return records;
    }

    /**
     * Every record reserved before this call, waiting up to {@code timeout} for those a program is
     * still writing. Call it after a state write that stopped the fast path: then the result holds
     * every Prepare the kernel acknowledged (see fast_reply.bpf.c).
     */
    public synchronized List<byte[]> drainAll(Duration timeout) {
        long target = producerPosition();
        long deadline = System.nanoTime() + timeout.toNanos();
        List<byte[]> records = new ArrayList<>(consume());
        while (consumerPosition() < target) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("ring " + name + ": records before position " + target
                        + " still being written after " + timeout.toMillis() + " ms (consumer at " + consumerPosition() + ")");
            }
            Thread.onSpinWait();
            records.addAll(consume());
        }
        return records;
    }

    /**
     * Blocks up to {@code timeout} until a record is ready to consume; true if one is. Safe to call
     * from a thread other than the consumer (it only waits on the ring's epoll descriptor).
     */
    public boolean awaitRecords(Duration timeout) {
        return Libc.epollWait(epollFd, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()), "map " + name);
    }

    /** Bytes the kernel has reserved in the ring so far (monotonic). */
    public long producerPosition() {
        return (long) JAVA_LONG.varHandle().getAcquire(positions, (long) pageSize);
    }

    /** Bytes consumed so far (monotonic). */
    public long consumerPosition() {
        return (long) JAVA_LONG.varHandle().getAcquire(positions, 0L);
    }

    /** ring_buffer_sample_fn. An upcall must not throw: a record it cannot read is noted for {@link #consume}. */
    private int onSample(MemorySegment context, MemorySegment data, long size) {
        try {
            MemorySegment record = data.reinterpret(size);
            int messageSize = size >= RECORD_HEADER ? record.get(JAVA_INT, 0) : -1;
            if (messageSize < Wire.HEADER_SIZE || messageSize > Wire.MESSAGE_SIZE_MAX || RECORD_HEADER + messageSize > size) {
                if (unreadable == null) unreadable = "a record of " + size + " bytes claims a message of " + messageSize + " bytes";
                return 0;
            }
            received.add(record.asSlice(RECORD_HEADER, messageSize).toArray(JAVA_BYTE));
        } catch (Throwable t) {
            LOG.error("ring {}: reading a record failed", name, t);
            if (unreadable == null) unreadable = "reading a record failed: " + t;
        }
        return 0;
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        Libbpf.call(() -> {
            lib.ringBufferFree.invokeExact(ring);
            return null;
        });
        Libc.munmap(positions);
        arena.close();
    }
}

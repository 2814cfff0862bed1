package org.electrolab.replica.offload;

/**
 * A libbpf or kernel call failed. The message names the operation, what it acted on (the program,
 * map or hook and interface) and the errno with its description, in one line.
 */
public class BpfException extends RuntimeException {

    private final String operation;
    private final String target;
    private final int errno;

    public BpfException(String operation, String target, int errno) {
        super(operation + " " + target + ": " + Errno.describe(errno)
                + (errno == Errno.EPERM ? "; run as root (or with CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON)" : ""));
        this.operation = operation;
        this.target = target;
        this.errno = errno;
    }

    /** For failures without an errno (missing library, malformed object). */
    public BpfException(String message) {
        super(message);
        this.operation = "";
        this.target = "";
        this.errno = 0;
    }

    /** The libbpf function or step that failed, e.g. {@code bpf_object__load}. */
    public String operation() {
        return operation;
    }

    /** The program, map or hook it acted on, e.g. {@code program fast_reply, xdp on ifindex 3}. */
    public String target() {
        return target;
    }

    /** The positive errno, 0 when there is none. */
    public int errno() {
        return errno;
    }
}

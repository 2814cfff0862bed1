package org.electrolab.replica.offload;

import java.util.Map;

/** Names and descriptions of the errno values libbpf and the bpf syscall return. */
final class Errno {
    private Errno() {}

    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int E2BIG = 7;
    static final int EBADF = 9;
    static final int EAGAIN = 11;
    static final int ENOMEM = 12;
    static final int EACCES = 13;
    static final int EFAULT = 14;
    static final int EBUSY = 16;
    static final int EEXIST = 17;
    static final int ENODEV = 19;
    static final int EINVAL = 22;
    static final int ENOSPC = 28;
    static final int ERANGE = 34;
    static final int ENOTSUP = 95;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(EPERM, "EPERM"), Map.entry(ENOENT, "ENOENT"), Map.entry(EINTR, "EINTR"),
            Map.entry(E2BIG, "E2BIG"), Map.entry(EBADF, "EBADF"), Map.entry(EAGAIN, "EAGAIN"),
            Map.entry(ENOMEM, "ENOMEM"), Map.entry(EACCES, "EACCES"), Map.entry(EFAULT, "EFAULT"),
            Map.entry(EBUSY, "EBUSY"), Map.entry(EEXIST, "EEXIST"), Map.entry(ENODEV, "ENODEV"),
            Map.entry(EINVAL, "EINVAL"), Map.entry(ENOSPC, "ENOSPC"), Map.entry(ERANGE, "ERANGE"),
            Map.entry(ENOTSUP, "EOPNOTSUPP"));

    /** E.g. {@code EPERM (Operation not permitted)}; libbpf's own codes (4000+) by number. */
    static String describe(int errno) {
        String name = NAMES.getOrDefault(errno, "errno " + errno);
        String text = Libc.strerror(errno);
        return text == null ? name : name + " (" + text + ")";
    }
}

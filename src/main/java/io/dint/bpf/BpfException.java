package io.dint.bpf;

import java.util.Map;

/**
 * A BPF operation failed. The message says what was attempted, the error the kernel or libbpf
 * returned, and what to do about it; a failed load also carries libbpf's warnings and the
 * verifier log.
 */
public class BpfException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(1, "EPERM"), Map.entry(2, "ENOENT"), Map.entry(3, "ESRCH"),
            Map.entry(4, "EINTR"), Map.entry(5, "EIO"), Map.entry(7, "E2BIG"),
            Map.entry(9, "EBADF"), Map.entry(11, "EAGAIN"), Map.entry(12, "ENOMEM"),
            Map.entry(13, "EACCES"), Map.entry(14, "EFAULT"), Map.entry(16, "EBUSY"),
            Map.entry(17, "EEXIST"), Map.entry(19, "ENODEV"), Map.entry(20, "ENOTDIR"),
            Map.entry(22, "EINVAL"), Map.entry(24, "EMFILE"), Map.entry(28, "ENOSPC"),
            Map.entry(34, "ERANGE"), Map.entry(38, "ENOSYS"), Map.entry(95, "EOPNOTSUPP"),
            Map.entry(524, "ENOTSUPP"));

    private final int errno;

    BpfException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    BpfException(String message, int errno, Throwable cause) {
        super(message, cause);
        this.errno = errno;
    }

    /** The positive errno (or libbpf error code, 4000 and up) behind this failure; 0 if none. */
    public int errno() {
        return errno;
    }

    /** "what failed: ENOENT (No such file or directory). hint" */
    static BpfException of(String what, int errno, String hint) {
        return new BpfException(what + ": " + describe(errno) + ". " + hint, errno);
    }

    /** As {@link #of} with libbpf's captured warnings appended. */
    static BpfException of(String what, int errno, String hint, LibbpfLog log) {
        String said = log.text();
        return new BpfException(what + ": " + describe(errno) + ". " + hint
                + (said.isEmpty() ? "" : "\nlibbpf said:\n" + said.stripTrailing()), errno);
    }

    static String describe(int errno) {
        if (errno <= 0) {
            return "no error code";
        }
        String text = errno == 524 ? "operation not supported by this kernel or device"
                : LibBpf.strerror(errno);
        String name = NAMES.get(errno);
        return name == null ? text + " (" + errno + ")" : name + " (" + text + ")";
    }
}

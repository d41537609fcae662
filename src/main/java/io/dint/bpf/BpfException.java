package io.dint.bpf;

import io.dint.sys.Errno;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A BPF operation failed. The message says what was attempted, the error the kernel or libbpf
 * returned, and what to do about it; a failed load also carries libbpf's warnings and the
 * verifier log.
 */
public class BpfException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** libbpf's own error codes (LIBBPF_ERRNO__*) start here; libc has no text for them. */
    private static final int LIBBPF_ERRNO_BASE = 4000;

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

    /** The errno by name and text ({@link Errno#describe}), or libbpf's text for its own codes. */
    static String describe(int errno) {
        if (errno < LIBBPF_ERRNO_BASE) {
            return Errno.describe(errno);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(256);
            LibBpf.LIBBPF.libbpf_strerror(errno, buf, buf.byteSize());
            return buf.getString(0) + " (libbpf error " + errno + ")";
        }
    }
}

package io.dint.sys;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A call into the C library failed. The message names the call as the caller made it (with its
 * arguments where they explain the failure), the errno by name and libc's text, and, where there is
 * one, what to do about it.
 */
public final class NativeException extends UncheckedIOException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;

    private NativeException(String call, int errno, String message) {
        super(new IOException(message));
        this.call = call;
        this.errno = errno;
    }

    /** "call failed: EINVAL (Invalid argument, errno 22). hint" */
    public static NativeException of(String call, int errno, String hint) {
        return new NativeException(call, errno, call + " failed: " + Errno.describe(errno)
                + (hint == null || hint.isEmpty() ? "" : ". " + hint));
    }

    /**
     * {@code result} if it is not negative; else the failure it stands for (a binding's -errno,
     * see {@link Errno}) thrown, naming {@code call}.
     */
    public static int check(int result, String call) {
        if (result < 0) {
            throw of(call, -result, null);
        }
        return result;
    }

    /** As {@link #check(int, String)} for a {@code long} result. */
    public static long check(long result, String call) {
        if (result < 0) {
            throw of(call, (int) -result, null);
        }
        return result;
    }

    /** The call that failed, as the message names it. */
    public String call() {
        return call;
    }

    /** The positive errno. */
    public int errno() {
        return errno;
    }

    @Override
    public String getMessage() {
        return getCause().getMessage();
    }
}

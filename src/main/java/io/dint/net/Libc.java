package io.dint.net;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The few libc calls the socket and namespace code needs, bound by hand with the FFM API.
 *
 * <p>Every handle that can fail takes a leading errno capture segment (see {@link #newCapture}).
 * Hot-path calls ({@code sendmmsg}, {@code recvmmsg}, {@code poll}) take pointers as {@code long}
 * addresses: the x86-64 and AArch64 ABIs pass both in the same integer register, and a raw address
 * lets callers point into the middle of a batch without allocating a slice.
 */
@SuppressWarnings("restricted") // this class is where native access is bound, on purpose
final class Libc {
    static final int AF_INET = 2;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_REUSEADDR = 2;
    static final int SO_SNDBUF = 7;
    static final int SO_RCVBUF = 8;
    static final int SO_NO_CHECK = 11;
    static final int SO_REUSEPORT = 15;
    static final int SO_RCVTIMEO = 20;
    static final int SO_SNDBUFFORCE = 32;
    static final int SO_RCVBUFFORCE = 33;
    static final int MSG_DONTWAIT = 0x40;
    static final int MSG_WAITFORONE = 0x10000;
    static final short POLLIN = 0x1;
    static final int SHUT_RDWR = 2;
    static final int O_RDONLY = 0;
    static final int O_CLOEXEC = 0x80000;
    static final int CLONE_NEWNET = 0x40000000;

    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int ENOBUFS = 105;


    static final MethodHandle SOCKET = bind("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    static final MethodHandle SETSOCKOPT =
            bind("setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle BIND = bind("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle GETSOCKNAME =
            bind("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    /** {@code int sendmmsg(int fd, struct mmsghdr *vec, unsigned vlen, int flags)}, vec as address. */
    static final MethodHandle SENDMMSG =
            bind("sendmmsg", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT));
    /** {@code int recvmmsg(int fd, struct mmsghdr *vec, unsigned vlen, int flags, struct timespec *t)}. */
    static final MethodHandle RECVMMSG =
            bind("recvmmsg", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG));
    /** {@code int poll(struct pollfd *fds, nfds_t n, int timeout)}, fds as address. */
    static final MethodHandle POLL = bind("poll", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    // The same three without errno capture, for hot paths: the FFM runtime slices the capture segment
    // on every call, and the JIT does not always remove that allocation. Call the capturing handle
    // after a failure to learn the errno.
    static final MethodHandle SENDMMSG_NO_ERRNO = bindNoErrno("sendmmsg",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT));
    static final MethodHandle RECVMMSG_NO_ERRNO = bindNoErrno("recvmmsg",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG));
    static final MethodHandle POLL_NO_ERRNO = bindNoErrno("poll", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    static final MethodHandle SHUTDOWN = bind("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    static final MethodHandle CLOSE = bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    /** {@code open} is variadic; the mode is passed as its one variadic argument. */
    static final MethodHandle OPEN = bind("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    static final MethodHandle SETNS = bind("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    private Libc() {}

    private static MethodHandle bind(String name, FunctionDescriptor fd, Linker.Option... extra) {
        return Downcalls.withErrno(name, fd, extra);
    }

    private static MethodHandle bindNoErrno(String name, FunctionDescriptor fd) {
        return Downcalls.withoutErrno(name, fd);
    }

    static MemorySegment newCapture(Arena arena) {
        return Downcalls.newCapture(arena);
    }

    static int errno(MemorySegment capture) {
        return Downcalls.errno(capture);
    }

    static UncheckedIOException error(String call, int errno) {
        return Downcalls.error(call, errno, null);
    }

    static int closeFd(int fd, MemorySegment capture) {
        try {
            return (int) CLOSE.invokeExact(capture, fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static RuntimeException rethrow(Throwable t) {
        return Downcalls.rethrow(t);
    }
}

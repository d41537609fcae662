package io.dint.xsk;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.dint.net.Downcalls;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The libc calls an AF_XDP socket needs, bound by hand with the FFM API, and the constants of
 * {@code <linux/if_xdp.h>} (checked against the header with a C {@code offsetof} program; the
 * struct offsets are repeated where the structs are filled).
 *
 * <p>Every handle takes a leading errno capture segment. Hot-path calls ({@code sendto},
 * {@code recvfrom}, {@code poll}) take pointers as {@code long} addresses, so no segment is made
 * per call.
 */
@SuppressWarnings("restricted") // native access is bound here, on purpose
final class Syscalls {
    static final int AF_INET = 2;
    static final int AF_XDP = 44;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_XDP = 283;

    // socket options (SOL_XDP)
    static final int XDP_MMAP_OFFSETS = 1;
    static final int XDP_RX_RING = 2;
    static final int XDP_TX_RING = 3;
    static final int XDP_UMEM_REG = 4;
    static final int XDP_UMEM_FILL_RING = 5;
    static final int XDP_UMEM_COMPLETION_RING = 6;
    static final int XDP_STATISTICS = 7;
    static final int XDP_OPTIONS = 8;

    // sockaddr_xdp.sxdp_flags
    static final int XDP_SHARED_UMEM = 1;
    static final int XDP_COPY = 1 << 1;
    static final int XDP_ZEROCOPY = 1 << 2;
    static final int XDP_USE_NEED_WAKEUP = 1 << 3;
    /** Ring flags word: the kernel waits for a syscall before it looks at the ring again. */
    static final int XDP_RING_NEED_WAKEUP = 1;
    static final int XDP_OPTIONS_ZEROCOPY = 1;

    // mmap page offsets of the rings
    static final long XDP_PGOFF_RX_RING = 0;
    static final long XDP_PGOFF_TX_RING = 0x80000000L;
    static final long XDP_UMEM_PGOFF_FILL_RING = 0x100000000L;
    static final long XDP_UMEM_PGOFF_COMPLETION_RING = 0x180000000L;

    // struct sockaddr_xdp (16 bytes)
    static final int SOCKADDR_XDP_SIZE = 16;
    static final long SXDP_FAMILY = 0, SXDP_FLAGS = 2, SXDP_IFINDEX = 4, SXDP_QUEUE_ID = 8, SXDP_SHARED_UMEM_FD = 12;
    // struct xdp_umem_reg (32 bytes with tx_metadata_len, which stays 0)
    static final int UMEM_REG_SIZE = 32;
    static final long UMEM_REG_ADDR = 0, UMEM_REG_LEN = 8, UMEM_REG_CHUNK_SIZE = 16, UMEM_REG_HEADROOM = 20,
            UMEM_REG_FLAGS = 24;
    // struct xdp_mmap_offsets: rx, tx, fr, cr; each struct xdp_ring_offset {producer, consumer, desc, flags}
    static final int MMAP_OFFSETS_SIZE = 128;
    static final int MMAP_OFFSETS_V1_SIZE = 96; // kernels before 5.4: no flags word
    static final int RING_OFFSET_SIZE = 32;
    static final int OFF_RX = 0, OFF_TX = 1, OFF_FILL = 2, OFF_COMPLETION = 3;
    // struct xdp_desc {u64 addr; u32 len; u32 options}
    static final int DESC_SIZE = 16;
    // struct xdp_statistics: six u64
    static final int STATISTICS_SIZE = 48;

    static final int PROT_READ = 1, PROT_WRITE = 2;
    static final int MAP_SHARED = 1, MAP_POPULATE = 0x8000;
    static final int MSG_DONTWAIT = 0x40;
    static final short POLLIN = 1;
    static final int SIOCGIFADDR = 0x8915;
    static final int SIOCGIFHWADDR = 0x8927;
    static final int SIOCGIFINDEX = 0x8933;
    static final int SIOCGIFMTU = 0x8921;
    static final int SIOCETHTOOL = 0x8946;
    static final int IFREQ_SIZE = 40;

    static final int EPERM = 1;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int EBUSY = 16;
    static final int ENODEV = 19;
    static final int EINVAL = 22;
    static final int EOPNOTSUPP = 95;
    static final int EAFNOSUPPORT = 97;
    static final int ENETDOWN = 100;
    static final int ENOBUFS = 105;


    static final MethodHandle SOCKET = bind("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    static final MethodHandle SETSOCKOPT =
            bind("setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle GETSOCKOPT =
            bind("getsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle BIND = bind("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    /** {@code void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)}; the result as an address. */
    static final MethodHandle MMAP = bind("mmap",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    static final MethodHandle MUNMAP = bind("munmap", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
    /** {@code ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to, socklen_t tolen)}. */
    static final MethodHandle SENDTO = bind("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    /** {@code ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from, socklen_t *fromlen)}. */
    static final MethodHandle RECVFROM = bind("recvfrom",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    /** {@code int poll(struct pollfd *fds, nfds_t n, int timeout)}, fds as address. */
    static final MethodHandle POLL = bind("poll", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    // The same three without errno capture, for the hot path: with capture the FFM runtime may
    // slice the capture segment per call where the JIT does not inline the call whole, which shows
    // as tens of bytes allocated per request. A failed call is repeated through the capturing
    // handle to learn why (all three are harmless to repeat).
    static final MethodHandle SENDTO_NO_ERRNO = bindNoErrno("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    static final MethodHandle RECVFROM_NO_ERRNO = bindNoErrno("recvfrom",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    static final MethodHandle POLL_NO_ERRNO = bindNoErrno("poll", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    /** {@code ioctl} is variadic; its one pointer argument is passed as the variadic part. */
    static final MethodHandle IOCTL = bind("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));
    static final MethodHandle CLOSE = bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private Syscalls() {}

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

    static String strerror(int errno) {
        return Downcalls.strerror(errno);
    }

    static UncheckedIOException error(String call, int errno, String hint) {
        return Downcalls.error(call, errno, hint);
    }

    static void close(int fd) {
        try (Arena a = Arena.ofConfined()) {
            int r = (int) CLOSE.invokeExact(newCapture(a), fd);
            assert r == 0 || r < 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static RuntimeException rethrow(Throwable t) {
        return Downcalls.rethrow(t);
    }
}

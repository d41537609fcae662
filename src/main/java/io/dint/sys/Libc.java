package io.dint.sys;

import io.dint.sys.Native.CString;
import io.dint.sys.Native.SetsErrno;
import io.dint.sys.Native.Symbol;
import io.dint.sys.Native.Variadic;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;

/**
 * The C library functions this project calls, and the macros it passes them, each declared once
 * ({@link #LIBC} is the bound library). Values are those of Linux on x86-64 and AArch64; the
 * {@code LibcMacrosTest} compares every one with the C headers.
 *
 * <p>Every function marked {@link SetsErrno} returns its result, or <b>-errno</b> where C returns
 * -1 ({@link Errno}): check with {@code r < 0}, throw with {@link NativeException#check}. Pointers
 * the hot paths pass are {@code long} addresses, so a call into the middle of a batch makes no
 * segment; their {@code ...NoErrno} twins capture nothing and return C's -1 (see {@link Errno}).
 */
public interface Libc {
    /** The bound C library. */
    Libc LIBC = Native.bind(MethodHandles.lookup(), Libc.class, Native.LIBC, "libc");

    int AF_INET = 2;
    int AF_XDP = 44;
    int SOCK_DGRAM = 2;
    int SOCK_RAW = 3;
    int SOCK_CLOEXEC = 0x80000;
    int SOL_SOCKET = 1;
    int SOL_XDP = 283;
    int SO_SNDBUF = 7;
    int SO_RCVBUF = 8;
    int SO_NO_CHECK = 11;
    int SO_REUSEPORT = 15;
    /** Takes a {@code struct __kernel_old_timeval} ({@link SocketStructs#OLD_TIMEVAL}). */
    int SO_RCVTIMEO = 20;
    int SO_SNDBUFFORCE = 32;
    int SO_RCVBUFFORCE = 33;
    int MSG_TRUNC = 0x20;
    int MSG_DONTWAIT = 0x40;
    int MSG_WAITFORONE = 0x10000;
    int SHUT_RDWR = 2;
    short POLLIN = 0x1;
    int O_RDONLY = 0;
    int O_CLOEXEC = 0x80000;
    int CLONE_NEWNET = 0x40000000;
    int PROT_READ = 0x1;
    int PROT_WRITE = 0x2;
    int MAP_SHARED = 0x1;
    int MAP_POPULATE = 0x8000;
    long MS_BIND = 4096;
    int SIOCGIFADDR = 0x8915;
    int SIOCGIFMTU = 0x8921;
    int SIOCGIFHWADDR = 0x8927;
    int SIOCGIFINDEX = 0x8933;
    int SIOCETHTOOL = 0x8946;
    /** The ethtool command (linux/ethtool.h) asking a device's channel counts, through SIOCETHTOOL. */
    int ETHTOOL_GCHANNELS = 0x3c;
    /** {@code SYS_bpf}, the one system call made through {@link #syscall}. */
    long SYS_BPF = "aarch64".equals(System.getProperty("os.arch")) ? 280 : 321;

    /** {@code int socket(int domain, int type, int protocol)}. */
    @SetsErrno
    int socket(int domain, int type, int protocol);

    /** {@code int setsockopt(int fd, int level, int name, const void *value, socklen_t length)}. */
    @SetsErrno
    int setsockopt(int fd, int level, int name, MemorySegment value, int length);

    /** {@code int getsockopt(int fd, int level, int name, void *value, socklen_t *length)}. */
    @SetsErrno
    int getsockopt(int fd, int level, int name, MemorySegment value, MemorySegment length);

    /** {@code int bind(int fd, const struct sockaddr *address, socklen_t length)}. */
    @SetsErrno
    int bind(int fd, MemorySegment address, int length);

    /** {@code int getsockname(int fd, struct sockaddr *address, socklen_t *length)}. */
    @SetsErrno
    int getsockname(int fd, MemorySegment address, MemorySegment length);

    /** {@code int shutdown(int fd, int how)}. */
    @SetsErrno
    int shutdown(int fd, int how);

    /** {@code int close(int fd)}. */
    @SetsErrno
    int close(int fd);

    /** {@code int open(const char *path, int flags, ...)}: the mode is the variadic part. */
    @SetsErrno
    @Variadic(2)
    int open(MemorySegment path, int flags, int mode);

    /** {@code int setns(int fd, int nstype)}. */
    @SetsErrno
    int setns(int fd, int nstype);

    /** {@code int ioctl(int fd, unsigned long request, ...)} with one pointer argument. */
    @SetsErrno
    @Variadic(2)
    int ioctl(int fd, long request, MemorySegment argument);

    /** {@code int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const void *data)}. */
    @SetsErrno
    int mount(MemorySegment source, MemorySegment target, MemorySegment fstype, long flags, MemorySegment data);

    /** {@code unsigned if_nametoindex(const char *name)}: 0 when there is none, and {@link Errno#last()} says why. */
    @SetsErrno
    int if_nametoindex(MemorySegment name);

    /**
     * {@code void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)}: the
     * address, or -errno (user addresses are below 2^63, so a negative result is never one).
     */
    @SetsErrno
    long mmap(long address, long length, int prot, int flags, int fd, long offset);

    /** {@code int munmap(void *addr, size_t length)}. */
    @SetsErrno
    int munmap(long address, long length);

    /** {@code long syscall(long number, ...)} in the one shape used: {@code bpf(cmd, attr, size)}. */
    @SetsErrno
    @Variadic(1)
    long syscall(long number, long a1, MemorySegment a2, long a3);

    /** {@code int poll(struct pollfd *fds, nfds_t n, int timeout)}. */
    @SetsErrno
    int poll(long fds, long n, int timeoutMillis);

    /** {@link #poll} without errno, for loops that must not allocate: C's -1 on failure. */
    @Symbol("poll")
    int pollNoErrno(long fds, long n, int timeoutMillis);

    /** {@code int sendmmsg(int fd, struct mmsghdr *vec, unsigned vlen, int flags)}. */
    @SetsErrno
    int sendmmsg(int fd, long vec, int vlen, int flags);

    /** {@link #sendmmsg} without errno: C's -1 on failure. */
    @Symbol("sendmmsg")
    int sendmmsgNoErrno(int fd, long vec, int vlen, int flags);

    /** {@code int recvmmsg(int fd, struct mmsghdr *vec, unsigned vlen, int flags, struct timespec *timeout)}. */
    @SetsErrno
    int recvmmsg(int fd, long vec, int vlen, int flags, long timeout);

    /** {@link #recvmmsg} without errno: C's -1 on failure. */
    @Symbol("recvmmsg")
    int recvmmsgNoErrno(int fd, long vec, int vlen, int flags, long timeout);

    /** {@code ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to, socklen_t tolen)}. */
    @SetsErrno
    long sendto(int fd, long buf, long length, int flags, long to, int toLength);

    /** {@link #sendto} without errno: C's -1 on failure. */
    @Symbol("sendto")
    long sendtoNoErrno(int fd, long buf, long length, int flags, long to, int toLength);

    /** {@code recvfrom} without errno, for wake-ups whose answer does not matter: C's -1 on failure. */
    @Symbol("recvfrom")
    long recvfromNoErrno(int fd, long buf, long length, int flags, long from, long fromLength);

    /** {@code int vsnprintf(char *buf, size_t size, const char *format, va_list ap)}; a va_list is passed as a pointer. */
    int vsnprintf(MemorySegment buf, long size, MemorySegment format, MemorySegment vaList);

    /** {@code char *strerror(int errno)}. */
    @CString
    MemorySegment strerror(int errno);
}

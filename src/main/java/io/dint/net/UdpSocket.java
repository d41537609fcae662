package io.dint.net;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An IPv4 UDP socket moving {@link MsgBatch}es with {@code sendmmsg}/{@code recvmmsg}.
 *
 * <p>The socket is opened in the network namespace of the calling thread (see {@link NetNs}).
 * Sending, receiving and polling allocate nothing on the Java heap. One thread may send while another
 * receives; {@link #close()} may be called from any thread and wakes a thread blocked in
 * {@link #receiveBlocking}. Once closed, {@code send} and {@code receive} return 0 and
 * {@code receiveBlocking} returns -1 (see {@link #isClosed()}), so worker loops end without an
 * exception when another thread shuts them down.
 */
public final class UdpSocket implements AutoCloseable {
    /** Socket buffers asked for; as root the {@code *BUFFORCE} options get past {@code net.core.[rw]mem_max}. */
    static final int BUFFER_BYTES = 8 << 20;
    /** How long a blocked receive sleeps before it looks at the closed flag again. */
    static final int BLOCKING_SLICE_MILLIS = 100;
    private static final long CLOSE_WAIT_NANOS = 2_000_000_000L;

    private final int fd;
    private final int localPort;
    private final MemorySegment sendErrno;
    private final MemorySegment recvErrno;
    private final MemorySegment pollFd;
    private final long pollFdAddress;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean closed;

    private UdpSocket(int fd, int localPort, Arena arena) {
        this.fd = fd;
        this.localPort = localPort;
        this.sendErrno = Libc.newCapture(arena);
        this.recvErrno = Libc.newCapture(arena);
        this.pollFd = arena.allocate(8, 8);
        this.pollFdAddress = pollFd.address();
        pollFd.set(JAVA_INT, 0, fd);
        pollFd.set(JAVA_SHORT, 4, Libc.POLLIN);
    }

    /**
     * Opens a socket bound to {@code ipv4Addr:port} ({@link Ipv4#ANY} and 0 for any address and an
     * ephemeral port). With {@code reusePort}, several sockets may bind the same port and the kernel
     * spreads incoming flows across them ({@code SO_REUSEPORT}).
     */
    public static UdpSocket open(int ipv4Addr, int port, boolean reusePort) {
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port " + port + " outside 0..65535");
        }
        // Small native scratch (errno captures, pollfd) lives as long as the object: no close races.
        Arena arena = Arena.ofAuto();
        MemorySegment capture = Libc.newCapture(arena);
        int fd;
        try {
            fd = (int) Libc.SOCKET.invokeExact(capture, Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
        if (fd < 0) {
            throw Libc.error("socket(AF_INET, SOCK_DGRAM)", Libc.errno(capture));
        }
        try {
            MemorySegment one = arena.allocate(JAVA_INT);
            one.set(JAVA_INT, 0, 1);
            if (reusePort) {
                setOption(fd, Libc.SO_REUSEPORT, one, capture, "SO_REUSEPORT");
            }
            MemorySegment size = arena.allocate(JAVA_INT);
            size.set(JAVA_INT, 0, BUFFER_BYTES);
            if (!trySetOption(fd, Libc.SO_RCVBUFFORCE, size, capture)) {
                setOption(fd, Libc.SO_RCVBUF, size, capture, "SO_RCVBUF");
            }
            if (!trySetOption(fd, Libc.SO_SNDBUFFORCE, size, capture)) {
                setOption(fd, Libc.SO_SNDBUF, size, capture, "SO_SNDBUF");
            }
            MemorySegment timeout = arena.allocate(16, 8); // struct timeval
            timeout.set(JAVA_LONG, 0, 0L);
            timeout.set(JAVA_LONG, 8, BLOCKING_SLICE_MILLIS * 1000L);
            setOption(fd, Libc.SO_RCVTIMEO, timeout, capture, "SO_RCVTIMEO");

            MemorySegment sa = arena.allocate(MsgBatch.SOCKADDR_IN);
            sa.set(JAVA_SHORT, MsgBatch.OFF_SIN_FAMILY, (short) Libc.AF_INET);
            sa.set(JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), MsgBatch.OFF_SIN_PORT, (short) port);
            sa.set(JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN), MsgBatch.OFF_SIN_ADDR, ipv4Addr);
            int r = (int) Libc.BIND.invokeExact(capture, fd, sa, (int) sa.byteSize());
            if (r < 0) {
                throw Libc.error("bind(" + Ipv4.format(ipv4Addr) + ":" + port + ")", Libc.errno(capture));
            }
            MemorySegment len = arena.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, (int) sa.byteSize());
            r = (int) Libc.GETSOCKNAME.invokeExact(capture, fd, sa, len);
            if (r < 0) {
                throw Libc.error("getsockname", Libc.errno(capture));
            }
            int bound = Short.toUnsignedInt(sa.get(JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), MsgBatch.OFF_SIN_PORT));
            return new UdpSocket(fd, bound, arena);
        } catch (Throwable t) {
            Libc.closeFd(fd, capture);
            throw Libc.rethrow(t);
        }
    }

    private static boolean trySetOption(int fd, int option, MemorySegment value, MemorySegment capture)
            throws Throwable {
        return (int) Libc.SETSOCKOPT.invokeExact(capture, fd, Libc.SOL_SOCKET, option, value, (int) value.byteSize()) == 0;
    }

    private static void setOption(int fd, int option, MemorySegment value, MemorySegment capture, String name)
            throws Throwable {
        if (!trySetOption(fd, option, value, capture)) {
            throw Libc.error("setsockopt(" + name + ")", Libc.errno(capture));
        }
    }

    /**
     * Sends without UDP checksum (SO_NO_CHECK; 0 is legal on IPv4): for a sender whose datagrams
     * are rewritten on their way out, e.g. shortened by a TC program, which could not fix a
     * checksum the NIC has yet to complete.
     */
    public void disableChecksum() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = Libc.newCapture(arena);
            MemorySegment one = arena.allocate(JAVA_INT);
            one.set(JAVA_INT, 0, 1);
            setOption(fd, Libc.SO_NO_CHECK, one, capture, "SO_NO_CHECK");
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public int localPort() {
        return localPort;
    }

    /**
     * Sends slots {@code 0..count-1} of {@code batch}, each to its peer, without blocking.
     *
     * @return how many were sent (the first ones); 0 when the socket buffer is full
     */
    public int send(MsgBatch batch, int count) {
        return send(batch, count, 0);
    }

    /**
     * Sends slots {@code from..count-1}: after a partial send of {@code count} slots, resend the rest with
     * {@code from} = what was sent so far.
     *
     * @return how many of those were sent; 0 when the socket buffer is full
     */
    public int send(MsgBatch batch, int count, int from) {
        if (from < 0 || from > count || count > batch.capacity()) {
            throw new IndexOutOfBoundsException("slots " + from + ".." + count + " of " + batch.capacity());
        }
        if (from == count || !enterIfOpen()) {
            return 0;
        }
        try {
            int r = sendmmsgOnce(batch.sendHdrAddress(from), count - from);
            if (r >= 0) {
                return r;
            }
            int e = -r;
            if (e == Libc.EAGAIN || e == Libc.EINTR || e == Libc.ENOBUFS) {
                return 0;
            }
            throw Libc.error("sendmmsg", e);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /**
     * Receives up to {@code batch.capacity()} datagrams into slots 0.., waiting at most
     * {@code timeoutMillis} for the first (0: do not wait).
     *
     * @return how many were received; 0 on timeout or once closed
     */
    public int receive(MsgBatch batch, int timeoutMillis) {
        if (!enterIfOpen()) {
            return 0;
        }
        try {
            int n = recvNow(batch, false);
            if (n > 0 || timeoutMillis <= 0) {
                return n;
            }
            int ready = pollOnce(timeoutMillis);
            if (ready <= 0) {
                int e = -ready;
                if (ready == 0 || e == Libc.EINTR) {
                    return 0;
                }
                throw Libc.error("poll", e);
            }
            return closed ? 0 : recvNow(batch, true);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /**
     * Takes what is queued without waiting. A failure is taken for "nothing yet" unless
     * {@code checked} (poll said the socket is ready), when its errno is learnt and an error thrown.
     */
    private int recvNow(MsgBatch batch, boolean checked) throws Throwable {
        int n = recvmmsgOnce(batch, Libc.MSG_DONTWAIT);
        if (n < 0 && checked) {
            n = recvmmsgChecked(batch);
        }
        if (n > 0) {
            if (closed) {
                return 0;
            }
            batch.finishReceive(n);
            return n;
        }
        if (n == 0) {
            return 0;
        }
        int e = -n;
        if (!checked || e == Libc.EAGAIN || e == Libc.EINTR) {
            return 0;
        }
        throw Libc.error("recvmmsg", e);
    }

    // The hot downcalls go without errno capture (Libc's *_NO_ERRNO handles): the FFM runtime slices
    // the capture segment on every capturing call, and the JIT does not always remove that
    // allocation, even from methods this small (seen: 40 bytes a poll in a busy test JVM). Only a
    // call that failed is made again with errno captured, to learn why. Each returns the result, or
    // minus the errno.

    private int sendmmsgOnce(long hdrs, int n) throws Throwable {
        int r = (int) Libc.SENDMMSG_NO_ERRNO.invokeExact(fd, hdrs, n, Libc.MSG_DONTWAIT);
        if (r >= 0) {
            return r;
        }
        // sendmmsg fails only when its first message does, so nothing went out: send again to learn why
        r = (int) Libc.SENDMMSG.invokeExact(sendErrno, fd, hdrs, n, Libc.MSG_DONTWAIT);
        return r >= 0 ? r : -Libc.errno(sendErrno);
    }

    /** Without errno: the result, or -1 for a failure of unknown cause. */
    private int recvmmsgOnce(MsgBatch batch, int flags) throws Throwable {
        return (int) Libc.RECVMMSG_NO_ERRNO.invokeExact(fd, batch.recvHdrAddress(), batch.capacity(), flags, 0L);
    }

    /** After a failure: again without waiting, errno captured. */
    private int recvmmsgChecked(MsgBatch batch) throws Throwable {
        int n = (int) Libc.RECVMMSG.invokeExact(recvErrno, fd, batch.recvHdrAddress(), batch.capacity(), Libc.MSG_DONTWAIT, 0L);
        return n >= 0 ? n : -Libc.errno(recvErrno);
    }

    private int pollOnce(int timeoutMillis) throws Throwable {
        int r = (int) Libc.POLL_NO_ERRNO.invokeExact(pollFdAddress, 1L, timeoutMillis);
        if (r >= 0) {
            return r;
        }
        r = (int) Libc.POLL.invokeExact(recvErrno, pollFdAddress, 1L, 0); // failed (EINTR, mostly): ask again, errno captured
        return r >= 0 ? r : -Libc.errno(recvErrno);
    }

    /**
     * Blocks until at least one datagram arrives, then takes what else is queued, up to
     * {@code batch.capacity()}. For server threads.
     *
     * @return how many were received (at least 1), or -1 once the socket is closed
     */
    public int receiveBlocking(MsgBatch batch) {
        if (!enterIfOpen()) {
            return -1;
        }
        try {
            while (!closed) {
                // SO_RCVTIMEO bounds each wait, so a close() that the shutdown wake-up missed is still seen.
                int n = recvmmsgOnce(batch, Libc.MSG_WAITFORONE);
                if (n < 0) {
                    if (closed) {
                        break;
                    }
                    n = recvmmsgChecked(batch); // learn why (usually the SO_RCVTIMEO slice ran out)
                }
                if (n > 0) {
                    // After shutdown() the kernel reports an empty "datagram"; that is the wake-up, not data.
                    if (closed) {
                        return -1;
                    }
                    batch.finishReceive(n);
                    return n;
                }
                if (n < 0) {
                    int e = -n;
                    if (e != Libc.EAGAIN && e != Libc.EINTR) {
                        throw Libc.error("recvmmsg", e);
                    }
                }
            }
            return -1;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes the socket. A thread blocked in {@link #receiveBlocking} returns -1. The descriptor is released only after calls in
     * progress on other threads have left, so they never touch a reused descriptor number.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Arena scratch = Arena.ofConfined();
        try (scratch) {
            MemorySegment capture = Libc.newCapture(scratch);
            // shutdown() on an unconnected UDP socket reports ENOTCONN but still wakes blocked readers.
            int ignored = (int) Libc.SHUTDOWN.invokeExact(capture, fd, Libc.SHUT_RDWR);
            long deadline = System.nanoTime() + CLOSE_WAIT_NANOS;
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            if (inFlight.get() == 0) {
                Libc.closeFd(fd, capture);
            }
            // else: a caller is stuck in the kernel; leaking the descriptor is safer than closing it under them.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** Counts the caller in before looking at {@code closed}, so close() either sees it or it sees close(). */
    private boolean enterIfOpen() {
        inFlight.incrementAndGet();
        if (closed) {
            inFlight.decrementAndGet();
            return false;
        }
        return true;
    }

    @Override
    public String toString() {
        return "UdpSocket[fd=" + fd + ", port=" + localPort + (closed ? ", closed" : "") + "]";
    }
}

package io.dint.net;

import static io.dint.sys.Libc.LIBC;
import static io.dint.sys.SocketStructs.OLD_TIMEVAL;
import static io.dint.sys.SocketStructs.SOCKADDR_IN;
import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.dint.sys.Errno;
import io.dint.sys.Libc;
import io.dint.sys.NativeException;
import io.dint.sys.PollFds;
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
    private static final long TV_USEC = OLD_TIMEVAL.byteOffset(groupElement("tv_usec"));

    private final int fd;
    private final int localPort;
    private final PollFds pollFd;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean closed;

    private UdpSocket(int fd, int localPort, Arena arena) {
        this.fd = fd;
        this.localPort = localPort;
        this.pollFd = new PollFds(arena, fd);
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
        int fd = NativeException.check(LIBC.socket(Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0),
                "socket(AF_INET, SOCK_DGRAM)");
        // The pollfd lives as long as the object: no close races.
        Arena arena = Arena.ofAuto();
        try (Arena tmp = Arena.ofConfined()) {
            if (reusePort) {
                setOption(fd, Libc.SO_REUSEPORT, tmp.allocateFrom(JAVA_INT, 1), "SO_REUSEPORT");
            }
            MemorySegment size = tmp.allocateFrom(JAVA_INT, BUFFER_BYTES);
            if (!trySetOption(fd, Libc.SO_RCVBUFFORCE, size)) {
                setOption(fd, Libc.SO_RCVBUF, size, "SO_RCVBUF");
            }
            if (!trySetOption(fd, Libc.SO_SNDBUFFORCE, size)) {
                setOption(fd, Libc.SO_SNDBUF, size, "SO_SNDBUF");
            }
            MemorySegment timeout = tmp.allocate(OLD_TIMEVAL);
            timeout.set(JAVA_LONG, TV_USEC, BLOCKING_SLICE_MILLIS * 1000L);
            setOption(fd, Libc.SO_RCVTIMEO, timeout, "SO_RCVTIMEO");

            MemorySegment sa = tmp.allocate(SOCKADDR_IN);
            sa.set(JAVA_SHORT, MsgBatch.OFF_SIN_FAMILY, (short) Libc.AF_INET);
            sa.set(JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), MsgBatch.OFF_SIN_PORT, (short) port);
            sa.set(JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN), MsgBatch.OFF_SIN_ADDR, ipv4Addr);
            NativeException.check(LIBC.bind(fd, sa, (int) sa.byteSize()), "bind(" + Ipv4.format(ipv4Addr) + ":" + port + ")");
            MemorySegment len = tmp.allocateFrom(JAVA_INT, (int) sa.byteSize());
            NativeException.check(LIBC.getsockname(fd, sa, len), "getsockname");
            int bound = Short.toUnsignedInt(sa.get(JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), MsgBatch.OFF_SIN_PORT));
            return new UdpSocket(fd, bound, arena);
        } catch (RuntimeException | Error e) {
            LIBC.close(fd);
            throw e;
        }
    }

    private static boolean trySetOption(int fd, int option, MemorySegment value) {
        return LIBC.setsockopt(fd, Libc.SOL_SOCKET, option, value, (int) value.byteSize()) == 0;
    }

    private static void setOption(int fd, int option, MemorySegment value, String name) {
        NativeException.check(LIBC.setsockopt(fd, Libc.SOL_SOCKET, option, value, (int) value.byteSize()),
                "setsockopt(" + name + ")");
    }

    /**
     * Sends without UDP checksum (SO_NO_CHECK; 0 is legal on IPv4): for a sender whose datagrams
     * are rewritten on their way out, e.g. shortened by a TC program, which could not fix a
     * checksum the NIC has yet to complete.
     */
    public void disableChecksum() {
        try (Arena arena = Arena.ofConfined()) {
            setOption(fd, Libc.SO_NO_CHECK, arena.allocateFrom(JAVA_INT, 1), "SO_NO_CHECK");
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
            if (e == Errno.EAGAIN || e == Errno.EINTR || e == Errno.ENOBUFS) {
                return 0;
            }
            throw NativeException.of("sendmmsg", e, null);
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
            int ready = pollFd.pollIn(timeoutMillis);
            if (ready <= 0) {
                int e = -ready;
                if (ready == 0 || e == Errno.EINTR) {
                    return 0;
                }
                throw NativeException.of("poll", e, null);
            }
            return closed ? 0 : recvNow(batch, true);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /**
     * Takes what is queued without waiting. A failure is taken for "nothing yet" unless
     * {@code checked} (poll said the socket is ready), when its errno is learnt and an error thrown.
     */
    private int recvNow(MsgBatch batch, boolean checked) {
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
        if (!checked || e == Errno.EAGAIN || e == Errno.EINTR) {
            return 0;
        }
        throw NativeException.of("recvmmsg", e, null);
    }

    // The hot downcalls go without errno capture (Libc's ...NoErrno bindings): the FFM runtime slices
    // the capture segment on every capturing call, and the JIT does not always remove that
    // allocation, even from methods this small (seen: 40 bytes a poll in a busy test JVM). Only a
    // call that failed is made again with errno captured, to learn why. Each returns the result, or
    // minus the errno.

    private int sendmmsgOnce(long hdrs, int n) {
        int r = LIBC.sendmmsgNoErrno(fd, hdrs, n, Libc.MSG_DONTWAIT);
        // sendmmsg fails only when its first message does, so nothing went out: send again to learn why
        return r >= 0 ? r : LIBC.sendmmsg(fd, hdrs, n, Libc.MSG_DONTWAIT);
    }

    /** Without errno: the result, or -1 for a failure of unknown cause. */
    private int recvmmsgOnce(MsgBatch batch, int flags) {
        return LIBC.recvmmsgNoErrno(fd, batch.recvHdrAddress(), batch.capacity(), flags, 0L);
    }

    /** After a failure: again without waiting, errno captured. */
    private int recvmmsgChecked(MsgBatch batch) {
        return LIBC.recvmmsg(fd, batch.recvHdrAddress(), batch.capacity(), Libc.MSG_DONTWAIT, 0L);
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
                    if (e != Errno.EAGAIN && e != Errno.EINTR) {
                        throw NativeException.of("recvmmsg", e, null);
                    }
                }
            }
            return -1;
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
        try {
            // shutdown() on an unconnected UDP socket reports ENOTCONN but still wakes blocked readers.
            LIBC.shutdown(fd, Libc.SHUT_RDWR);
            long deadline = System.nanoTime() + CLOSE_WAIT_NANOS;
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            if (inFlight.get() == 0) {
                LIBC.close(fd);
            }
            // else: a caller is stuck in the kernel; leaking the descriptor is safer than closing it under them.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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

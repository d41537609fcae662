package io.dint.xsk;

import static io.dint.sys.Libc.LIBC;
import static io.dint.xsk.IfXdp.SOCKADDR_XDP;
import static io.dint.xsk.IfXdp.UMEM_REG;
import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.dint.sys.Errno;
import io.dint.sys.Libc;
import io.dint.sys.NativeException;
import io.dint.sys.PollFds;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An AF_XDP socket bound to one queue of one interface, with its rings mapped into this process.
 *
 * <p>The socket that registers a {@link Umem} owns it and its fill and completion rings. Further
 * sockets on the same interface queue share the UMEM and, with it, those two rings
 * ({@code XDP_SHARED_UMEM}: the kernel has one buffer pool per queue): each has its own RX and TX
 * ring only. Sockets bind in copy mode ({@code XDP_COPY}: veth has no zero-copy AF_XDP) with
 * {@code XDP_USE_NEED_WAKEUP}, so the kernel says through the ring flags when it needs a syscall.
 *
 * <p>One thread at a time per ring. The hot calls ({@link #kickTx}, {@link #pollIn}) allocate nothing.
 */
final class XskSocket implements AutoCloseable {
    /** How long a bind waits for a queue that is still being released (EBUSY). */
    static final long BIND_BUSY_WAIT_MILLIS = 3000;

    private static final VarHandle REG_ADDR = UMEM_REG.varHandle(groupElement("addr"));
    private static final VarHandle REG_LEN = UMEM_REG.varHandle(groupElement("len"));
    private static final VarHandle REG_CHUNK_SIZE = UMEM_REG.varHandle(groupElement("chunk_size"));
    private static final VarHandle SXDP_FAMILY = SOCKADDR_XDP.varHandle(groupElement("sxdp_family"));
    private static final VarHandle SXDP_FLAGS = SOCKADDR_XDP.varHandle(groupElement("sxdp_flags"));
    private static final VarHandle SXDP_IFINDEX = SOCKADDR_XDP.varHandle(groupElement("sxdp_ifindex"));
    private static final VarHandle SXDP_QUEUE_ID = SOCKADDR_XDP.varHandle(groupElement("sxdp_queue_id"));
    private static final VarHandle SXDP_SHARED_UMEM_FD = SOCKADDR_XDP.varHandle(groupElement("sxdp_shared_umem_fd"));

    private final int fd;
    private final String where;
    private final Umem umem;
    private final XskRing rx;
    private final XskRing tx;
    private final XskRing fill;
    private final XskRing completion;
    private final XskMapping mapping;
    private final Arena arena;
    private final PollFds pollFd;
    private boolean closed;

    private XskSocket(int fd, String where, Umem umem, XskMapping mapping, XskRing rx, XskRing tx, XskRing fill,
                      XskRing completion) {
        this.fd = fd;
        this.where = where;
        this.umem = umem;
        this.mapping = mapping;
        this.rx = rx;
        this.tx = tx;
        this.fill = fill;
        this.completion = completion;
        this.arena = Arena.ofShared();
        this.pollFd = new PollFds(arena, fd);
    }

    /** Ring sizes (entries, powers of two; 0 for no such ring). */
    record Rings(int rx, int tx, int fill, int completion) {}

    /**
     * Opens a socket on {@code link}'s queue {@code queue} that registers {@code umem} and owns its
     * fill and completion rings.
     */
    static XskSocket open(NetLink link, int queue, Umem umem, Rings rings) {
        return open(link, queue, umem, rings, null);
    }

    /** Opens a socket on the same interface queue as {@code owner}, sharing its UMEM, fill and completion rings. */
    static XskSocket openShared(XskSocket owner, NetLink link, int queue, int rxSize, int txSize) {
        return open(link, queue, owner.umem, new Rings(rxSize, txSize, 0, 0), owner);
    }

    private static XskSocket open(NetLink link, int queue, Umem umem, Rings rings, XskSocket owner) {
        String where = link.name() + " queue " + queue;
        int fd = LIBC.socket(Libc.AF_XDP, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw NativeException.of("socket(AF_XDP, SOCK_RAW)", -fd, switch (-fd) {
                case Errno.EAFNOSUPPORT -> "This kernel has no AF_XDP sockets (CONFIG_XDP_SOCKETS)";
                case Errno.EPERM -> "AF_XDP sockets need root (CAP_NET_RAW): run as root";
                default -> null;
            });
        }
        XskMapping mapping = null;
        boolean opened = false;
        try (Arena tmp = Arena.ofConfined()) {
            if (owner == null) {
                MemorySegment reg = tmp.allocate(UMEM_REG); // headroom, flags, tx_metadata_len: 0
                REG_ADDR.set(reg, 0L, umem.memory().address());
                REG_LEN.set(reg, 0L, umem.memory().byteSize());
                REG_CHUNK_SIZE.set(reg, 0L, umem.frameSize());
                setOption(fd, IfXdp.XDP_UMEM_REG, reg, "XDP_UMEM_REG", "registering " + umem.memory().byteSize()
                        + " bytes of UMEM (locked memory: run as root or raise RLIMIT_MEMLOCK)");
                setRingSize(fd, IfXdp.XDP_UMEM_FILL_RING, rings.fill(), tmp, "XDP_UMEM_FILL_RING");
                setRingSize(fd, IfXdp.XDP_UMEM_COMPLETION_RING, rings.completion(), tmp, "XDP_UMEM_COMPLETION_RING");
            }
            if (rings.rx() > 0) {
                setRingSize(fd, IfXdp.XDP_RX_RING, rings.rx(), tmp, "XDP_RX_RING");
            }
            if (rings.tx() > 0) {
                setRingSize(fd, IfXdp.XDP_TX_RING, rings.tx(), tmp, "XDP_TX_RING");
            }
            mapping = new XskMapping(fd, tmp);
            XskRing rx = rings.rx() > 0 ? mapping.rx(rings.rx()) : null;
            XskRing tx = rings.tx() > 0 ? mapping.tx(rings.tx()) : null;
            XskRing fill = owner == null ? mapping.fill(rings.fill()) : null;
            XskRing completion = owner == null ? mapping.completion(rings.completion()) : null;

            MemorySegment sa = tmp.allocate(SOCKADDR_XDP);
            SXDP_FAMILY.set(sa, 0L, (short) Libc.AF_XDP);
            // A socket sharing a UMEM may not ask for a mode: it gets the owner's.
            SXDP_FLAGS.set(sa, 0L, (short) (owner == null ? IfXdp.XDP_COPY | IfXdp.XDP_USE_NEED_WAKEUP : IfXdp.XDP_SHARED_UMEM));
            SXDP_IFINDEX.set(sa, 0L, link.index());
            SXDP_QUEUE_ID.set(sa, 0L, queue);
            SXDP_SHARED_UMEM_FD.set(sa, 0L, owner == null ? 0 : owner.fd);
            int r = LIBC.bind(fd, sa, (int) sa.byteSize());
            // The kernel lets go of a closed socket's queue from a work queue, a little after close():
            // a socket bound right after its predecessor closed may find the queue still taken.
            for (long waited = 0; r == -Errno.EBUSY && waited < BIND_BUSY_WAIT_MILLIS; waited += 10) {
                Thread.sleep(10);
                r = LIBC.bind(fd, sa, (int) sa.byteSize());
            }
            if (r < 0) {
                throw NativeException.of("bind(AF_XDP, " + where + ")", -r, switch (-r) {
                    case Errno.EBUSY -> "Another AF_XDP socket (maybe another process) still owns this queue after "
                            + BIND_BUSY_WAIT_MILLIS + " ms";
                    case Errno.EINVAL -> "Does the interface have queue " + queue + " (it reports " + link.rxQueues() + ")?";
                    case Errno.ENETDOWN -> "The interface is down: ip link set " + link.name() + " up";
                    case Errno.ENODEV -> "The interface is gone";
                    default -> null;
                });
            }
            XskSocket socket = new XskSocket(fd, where, umem, mapping, rx, tx, fill, completion);
            opened = true;
            return socket;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding AF_XDP on " + where, e);
        } finally {
            if (!opened) {
                if (mapping != null) {
                    mapping.close();
                }
                LIBC.close(fd);
            }
        }
    }

    private static void setOption(int fd, int option, MemorySegment value, String name, String what) {
        NativeException.check(LIBC.setsockopt(fd, Libc.SOL_XDP, option, value, (int) value.byteSize()),
                "setsockopt(" + name + ")" + (what == null ? "" : " " + what));
    }

    private static void setRingSize(int fd, int option, int size, Arena tmp, String name) {
        if (Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException(name + " size must be a power of two, got " + size);
        }
        setOption(fd, option, tmp.allocateFrom(JAVA_INT, size), name, "to " + size + " entries");
    }

    int fd() {
        return fd;
    }

    Umem umem() {
        return umem;
    }

    XskRing rx() {
        return rx;
    }

    XskRing tx() {
        return tx;
    }

    /** The fill ring; only the UMEM's owner socket has it. */
    XskRing fill() {
        return fill;
    }

    /** The completion ring; only the UMEM's owner socket has it. */
    XskRing completion() {
        return completion;
    }

    /**
     * Makes the kernel send what is on the TX ring. In copy mode it sends at most 32 frames per
     * call and says EAGAIN when more are left, so this calls again until the ring is drained or the
     * kernel stops taking frames.
     *
     * @return false when the kernel stopped short (completion ring full, device busy)
     */
    boolean kickTx() {
        int rounds = tx.size() / 32 + 2;
        for (int i = 0; i < rounds; i++) {
            int e = sendtoOnce();
            if (e == Errno.ENOBUFS || e == Errno.ENETDOWN) {
                return false; // dropped or link down: the sender's timeouts deal with it
            }
            if (e != 0 && e != Errno.EAGAIN && e != Errno.EBUSY && e != Errno.EINTR) {
                throw NativeException.of("sendto (AF_XDP TX wakeup on " + where + ")", e, null);
            }
            if (tx.outstanding() == 0) {
                return true;
            }
        }
        return false;
    }

    /** One {@code sendto(fd, NULL, 0, MSG_DONTWAIT)}: 0 or the errno. Small, so the JIT inlines it whole. */
    private int sendtoOnce() {
        if (LIBC.sendtoNoErrno(fd, 0L, 0L, Libc.MSG_DONTWAIT, 0L, 0) >= 0) {
            return 0;
        }
        long r = LIBC.sendto(fd, 0L, 0L, Libc.MSG_DONTWAIT, 0L, 0); // failed: again, errno captured, to learn why
        return r >= 0 ? 0 : (int) -r;
    }

    /** Wakes the kernel up to refill from the fill ring, when it asked for it. */
    void wakeFill() {
        LIBC.recvfromNoErrno(fd, 0L, 0L, Libc.MSG_DONTWAIT, 0L, 0L); // EAGAIN is the usual answer: the wakeup is what counts
    }

    /**
     * Sleeps until the RX ring has entries or {@code timeoutMillis} pass.
     *
     * @return true when it has entries
     */
    boolean pollIn(int timeoutMillis) {
        int r = pollFd.pollIn(timeoutMillis);
        if (r < 0) {
            int e = -r;
            if (e == Errno.EINTR) {
                return false;
            }
            throw NativeException.of("poll (AF_XDP on " + where + ")", e, null);
        }
        return r > 0;
    }

    /** The kernel's counters for this socket ({@code XDP_STATISTICS}). */
    Map<String, Long> statistics() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(IfXdp.STATISTICS);
            MemorySegment len = a.allocateFrom(JAVA_INT, (int) s.byteSize());
            NativeException.check(LIBC.getsockopt(fd, Libc.SOL_XDP, IfXdp.XDP_STATISTICS, s, len),
                    "getsockopt(XDP_STATISTICS)");
            Map<String, Long> m = new LinkedHashMap<>();
            for (var counter : IfXdp.STATISTICS.memberLayouts()) { // a kernel fills those it has
                long at = IfXdp.STATISTICS.byteOffset(groupElement(counter.name().orElseThrow()));
                if (at + counter.byteSize() <= len.get(JAVA_INT, 0)) {
                    m.put(counter.name().orElseThrow(), s.get(JAVA_LONG, at));
                }
            }
            return m;
        }
    }

    /** Whether the kernel bound this socket in zero-copy mode ({@code XDP_OPTIONS}). */
    boolean zeroCopy() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment options = a.allocate(IfXdp.OPTIONS);
            MemorySegment len = a.allocateFrom(JAVA_INT, (int) options.byteSize());
            int r = LIBC.getsockopt(fd, Libc.SOL_XDP, IfXdp.XDP_OPTIONS, options, len);
            return r == 0 && (options.get(JAVA_INT, 0) & IfXdp.XDP_OPTIONS_ZEROCOPY) != 0;
        }
    }

    /** Unmaps the rings and closes the socket (the kernel frees the UMEM with its last socket). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        mapping.close();
        LIBC.close(fd);
        arena.close();
    }

    @Override
    public String toString() {
        return "XskSocket[fd " + fd + ", " + where + (closed ? ", closed" : "") + "]";
    }
}

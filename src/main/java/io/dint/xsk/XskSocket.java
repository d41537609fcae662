package io.dint.xsk;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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

    private final int fd;
    private final String where;
    private final Umem umem;
    private final XskRing rx;
    private final XskRing tx;
    private final XskRing fill;
    private final XskRing completion;
    private final long[] maps; // address, length pairs to munmap
    private final Arena arena;
    private final MemorySegment capture;
    private final long pollFd;
    private boolean closed;

    private XskSocket(int fd, String where, Umem umem, XskRing rx, XskRing tx, XskRing fill, XskRing completion,
                      long[] maps, Arena arena, MemorySegment capture) {
        this.fd = fd;
        this.where = where;
        this.umem = umem;
        this.rx = rx;
        this.tx = tx;
        this.fill = fill;
        this.completion = completion;
        this.maps = maps;
        this.arena = arena;
        this.capture = capture;
        MemorySegment p = arena.allocate(8, 8);
        p.set(JAVA_INT, 0, fd);
        p.set(JAVA_SHORT, 4, Syscalls.POLLIN);
        this.pollFd = p.address();
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
        Arena arena = Arena.ofShared();
        MemorySegment capture = Syscalls.newCapture(arena);
        int fd;
        try {
            fd = (int) Syscalls.SOCKET.invokeExact(capture, Syscalls.AF_XDP, Syscalls.SOCK_RAW | Syscalls.SOCK_CLOEXEC, 0);
        } catch (Throwable t) {
            arena.close();
            throw Syscalls.rethrow(t);
        }
        if (fd < 0) {
            int e = Syscalls.errno(capture);
            arena.close();
            throw Syscalls.error("socket(AF_XDP, SOCK_RAW)", e, switch (e) {
                case Syscalls.EAFNOSUPPORT -> "This kernel has no AF_XDP sockets (CONFIG_XDP_SOCKETS)";
                case Syscalls.EPERM -> "AF_XDP sockets need root (CAP_NET_RAW): run as root";
                default -> null;
            });
        }
        long[] maps = new long[8];
        try (Arena tmp = Arena.ofConfined()) {
            if (owner == null) {
                MemorySegment reg = tmp.allocate(Syscalls.UMEM_REG_SIZE, 8);
                reg.set(JAVA_LONG, Syscalls.UMEM_REG_ADDR, umem.memory().address());
                reg.set(JAVA_LONG, Syscalls.UMEM_REG_LEN, umem.memory().byteSize());
                reg.set(JAVA_INT, Syscalls.UMEM_REG_CHUNK_SIZE, umem.frameSize());
                reg.set(JAVA_INT, Syscalls.UMEM_REG_HEADROOM, 0);
                reg.set(JAVA_INT, Syscalls.UMEM_REG_FLAGS, 0);
                setOption(fd, Syscalls.XDP_UMEM_REG, reg, capture, "XDP_UMEM_REG",
                        "registering " + umem.memory().byteSize() + " bytes of UMEM (locked memory: run as root or raise RLIMIT_MEMLOCK)");
                setRingSize(fd, Syscalls.XDP_UMEM_FILL_RING, rings.fill(), tmp, capture, "XDP_UMEM_FILL_RING");
                setRingSize(fd, Syscalls.XDP_UMEM_COMPLETION_RING, rings.completion(), tmp, capture, "XDP_UMEM_COMPLETION_RING");
            }
            if (rings.rx() > 0) {
                setRingSize(fd, Syscalls.XDP_RX_RING, rings.rx(), tmp, capture, "XDP_RX_RING");
            }
            if (rings.tx() > 0) {
                setRingSize(fd, Syscalls.XDP_TX_RING, rings.tx(), tmp, capture, "XDP_TX_RING");
            }
            MemorySegment off = tmp.allocate(Syscalls.MMAP_OFFSETS_SIZE, 8);
            MemorySegment len = tmp.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, Syscalls.MMAP_OFFSETS_SIZE);
            int r = (int) Syscalls.GETSOCKOPT.invokeExact(capture, fd, Syscalls.SOL_XDP, Syscalls.XDP_MMAP_OFFSETS, off, len);
            if (r < 0) {
                throw Syscalls.error("getsockopt(XDP_MMAP_OFFSETS)", Syscalls.errno(capture), null);
            }
            boolean hasFlags = len.get(JAVA_INT, 0) >= Syscalls.MMAP_OFFSETS_SIZE;
            XskRing rx = rings.rx() > 0 ? map(fd, off, Syscalls.OFF_RX, hasFlags, rings.rx(), Syscalls.DESC_SIZE, false,
                    Syscalls.XDP_PGOFF_RX_RING, maps, 0, capture, "RX") : null;
            XskRing tx = rings.tx() > 0 ? map(fd, off, Syscalls.OFF_TX, hasFlags, rings.tx(), Syscalls.DESC_SIZE, true,
                    Syscalls.XDP_PGOFF_TX_RING, maps, 2, capture, "TX") : null;
            XskRing fill = owner == null ? map(fd, off, Syscalls.OFF_FILL, hasFlags, rings.fill(), 8, true,
                    Syscalls.XDP_UMEM_PGOFF_FILL_RING, maps, 4, capture, "fill") : null;
            XskRing completion = owner == null ? map(fd, off, Syscalls.OFF_COMPLETION, hasFlags, rings.completion(), 8, false,
                    Syscalls.XDP_UMEM_PGOFF_COMPLETION_RING, maps, 6, capture, "completion") : null;

            MemorySegment sa = tmp.allocate(Syscalls.SOCKADDR_XDP_SIZE, 8);
            sa.set(JAVA_SHORT, Syscalls.SXDP_FAMILY, (short) Syscalls.AF_XDP);
            // A socket sharing a UMEM may not ask for a mode: it gets the owner's.
            sa.set(JAVA_SHORT, Syscalls.SXDP_FLAGS, (short) (owner == null
                    ? Syscalls.XDP_COPY | Syscalls.XDP_USE_NEED_WAKEUP : Syscalls.XDP_SHARED_UMEM));
            sa.set(JAVA_INT, Syscalls.SXDP_IFINDEX, link.index());
            sa.set(JAVA_INT, Syscalls.SXDP_QUEUE_ID, queue);
            sa.set(JAVA_INT, Syscalls.SXDP_SHARED_UMEM_FD, owner == null ? 0 : owner.fd);
            r = (int) Syscalls.BIND.invokeExact(capture, fd, sa, Syscalls.SOCKADDR_XDP_SIZE);
            // The kernel lets go of a closed socket's queue from a work queue, a little after close():
            // a socket bound right after its predecessor closed may find the queue still taken.
            for (long waited = 0; r < 0 && Syscalls.errno(capture) == Syscalls.EBUSY && waited < BIND_BUSY_WAIT_MILLIS; waited += 10) {
                Thread.sleep(10);
                r = (int) Syscalls.BIND.invokeExact(capture, fd, sa, Syscalls.SOCKADDR_XDP_SIZE);
            }
            if (r < 0) {
                int e = Syscalls.errno(capture);
                throw Syscalls.error("bind(AF_XDP, " + where + ")", e, switch (e) {
                    case Syscalls.EBUSY -> "Another AF_XDP socket (maybe another process) still owns this queue after " + BIND_BUSY_WAIT_MILLIS + " ms";
                    case Syscalls.EINVAL -> "Does the interface have queue " + queue + " (it reports " + link.rxQueues() + ")?";
                    case Syscalls.ENETDOWN -> "The interface is down: ip link set " + link.name() + " up";
                    case Syscalls.ENODEV -> "The interface is gone";
                    default -> null;
                });
            }
            return new XskSocket(fd, where, umem, rx, tx, fill, completion, maps, arena, capture);
        } catch (Throwable t) {
            unmap(maps);
            Syscalls.close(fd);
            arena.close();
            throw Syscalls.rethrow(t);
        }
    }

    private static void setOption(int fd, int option, MemorySegment value, MemorySegment capture, String name, String what)
            throws Throwable {
        int r = (int) Syscalls.SETSOCKOPT.invokeExact(capture, fd, Syscalls.SOL_XDP, option, value, (int) value.byteSize());
        if (r < 0) {
            throw Syscalls.error("setsockopt(" + name + ")" + (what == null ? "" : " " + what), Syscalls.errno(capture), null);
        }
    }

    private static void setRingSize(int fd, int option, int size, Arena tmp, MemorySegment capture, String name) throws Throwable {
        if (Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException(name + " size must be a power of two, got " + size);
        }
        MemorySegment v = tmp.allocate(JAVA_INT);
        v.set(JAVA_INT, 0, size);
        setOption(fd, option, v, capture, name, "to " + size + " entries");
    }

    @SuppressWarnings("restricted") // the kernel's ring memory, mapped into this process
    private static XskRing map(int fd, MemorySegment offsets, int ring, boolean hasFlags, int size, int entryBytes,
                               boolean producer, long pgoff, long[] maps, int slot, MemorySegment capture, String name)
            throws Throwable {
        long base = (long) ring * (hasFlags ? Syscalls.RING_OFFSET_SIZE : 24);
        long prod = offsets.get(JAVA_LONG, base);
        long cons = offsets.get(JAVA_LONG, base + 8);
        long desc = offsets.get(JAVA_LONG, base + 16);
        long flags = hasFlags ? offsets.get(JAVA_LONG, base + 24) : -1;
        long length = desc + (long) size * entryBytes;
        long addr = (long) Syscalls.MMAP.invokeExact(capture, 0L, length, Syscalls.PROT_READ | Syscalls.PROT_WRITE,
                Syscalls.MAP_SHARED | Syscalls.MAP_POPULATE, fd, pgoff);
        if (addr == -1L) {
            throw Syscalls.error("mmap of the " + name + " ring (" + length + " bytes)", Syscalls.errno(capture), null);
        }
        maps[slot] = addr;
        maps[slot + 1] = length;
        return new XskRing(MemorySegment.ofAddress(addr).reinterpret(length), prod, cons, desc, flags, size, entryBytes, producer);
    }

    private static void unmap(long[] maps) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment capture = Syscalls.newCapture(a);
            for (int i = 0; i < maps.length; i += 2) {
                if (maps[i] != 0) {
                    int r = (int) Syscalls.MUNMAP.invokeExact(capture, maps[i], maps[i + 1]);
                    maps[i] = 0;
                    assert r == 0;
                }
            }
        } catch (Throwable t) {
            throw Syscalls.rethrow(t);
        }
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
            if (e == Syscalls.ENOBUFS || e == Syscalls.ENETDOWN) {
                return false; // dropped or link down: the sender's timeouts deal with it
            }
            if (e != 0 && e != Syscalls.EAGAIN && e != Syscalls.EBUSY && e != Syscalls.EINTR) {
                throw Syscalls.error("sendto (AF_XDP TX wakeup on " + where + ")", e, null);
            }
            if (tx.outstanding() == 0) {
                return true;
            }
        }
        return false;
    }

    /** One {@code sendto(fd, NULL, 0, MSG_DONTWAIT)}: 0 or the errno. Small, so the JIT inlines it whole. */
    private int sendtoOnce() {
        try {
            long r = (long) Syscalls.SENDTO_NO_ERRNO.invokeExact(fd, 0L, 0L, Syscalls.MSG_DONTWAIT, 0L, 0);
            if (r >= 0) {
                return 0;
            }
            r = (long) Syscalls.SENDTO.invokeExact(capture, fd, 0L, 0L, Syscalls.MSG_DONTWAIT, 0L, 0);
            return r >= 0 ? 0 : Syscalls.errno(capture);
        } catch (Throwable t) {
            throw Syscalls.rethrow(t);
        }
    }

    /** Wakes the kernel up to refill from the fill ring, when it asked for it. */
    void wakeFill() {
        try {
            long r = (long) Syscalls.RECVFROM_NO_ERRNO.invokeExact(fd, 0L, 0L, Syscalls.MSG_DONTWAIT, 0L, 0L);
            assert r >= 0 || r < 0; // EAGAIN is the usual answer: the wakeup is what counts
        } catch (Throwable t) {
            throw Syscalls.rethrow(t);
        }
    }

    /**
     * Sleeps until the RX ring has entries or {@code timeoutMillis} pass.
     *
     * @return true when it has entries
     */
    boolean pollIn(int timeoutMillis) {
        int r = pollOnce(timeoutMillis);
        if (r < 0) {
            int e = -r;
            if (e == Syscalls.EINTR) {
                return false;
            }
            throw Syscalls.error("poll (AF_XDP on " + where + ")", e, null);
        }
        return r > 0;
    }

    /** One {@code poll()} of this socket for input: ready count, or minus the errno. */
    private int pollOnce(int timeoutMillis) {
        try {
            int r = (int) Syscalls.POLL_NO_ERRNO.invokeExact(pollFd, 1L, timeoutMillis);
            if (r >= 0) {
                return r;
            }
            r = (int) Syscalls.POLL.invokeExact(capture, pollFd, 1L, 0);
            return r >= 0 ? r : -Syscalls.errno(capture);
        } catch (Throwable t) {
            throw Syscalls.rethrow(t);
        }
    }

    /** The kernel's counters for this socket ({@code XDP_STATISTICS}). */
    Map<String, Long> statistics() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(Syscalls.STATISTICS_SIZE, 8);
            MemorySegment len = a.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, Syscalls.STATISTICS_SIZE);
            MemorySegment cap = Syscalls.newCapture(a);
            int r = (int) Syscalls.GETSOCKOPT.invokeExact(cap, fd, Syscalls.SOL_XDP, Syscalls.XDP_STATISTICS, s, len);
            if (r < 0) {
                throw Syscalls.error("getsockopt(XDP_STATISTICS)", Syscalls.errno(cap), null);
            }
            String[] names = {"rx_dropped", "rx_invalid_descs", "tx_invalid_descs", "rx_ring_full",
                "rx_fill_ring_empty_descs", "tx_ring_empty_descs"};
            Map<String, Long> m = new LinkedHashMap<>();
            int n = Math.min(names.length, len.get(JAVA_INT, 0) / 8);
            for (int i = 0; i < n; i++) {
                m.put(names[i], s.get(JAVA_LONG, 8L * i));
            }
            return m;
        } catch (Throwable t) {
            throw Syscalls.rethrow(t);
        }
    }

    /** Whether the kernel bound this socket in zero-copy mode ({@code XDP_OPTIONS}). */
    boolean zeroCopy() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            MemorySegment len = a.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, 4);
            MemorySegment cap = Syscalls.newCapture(a);
            int r = (int) Syscalls.GETSOCKOPT.invokeExact(cap, fd, Syscalls.SOL_XDP, Syscalls.XDP_OPTIONS, v, len);
            return r == 0 && (v.get(JAVA_INT, 0) & Syscalls.XDP_OPTIONS_ZEROCOPY) != 0;
        } catch (Throwable t) {
            throw Syscalls.rethrow(t);
        }
    }

    /** Unmaps the rings and closes the socket (the kernel frees the UMEM with its last socket). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        unmap(maps);
        Syscalls.close(fd);
        arena.close();
    }

    @Override
    public String toString() {
        return "XskSocket[fd " + fd + ", " + where + (closed ? ", closed" : "") + "]";
    }
}

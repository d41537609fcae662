package io.dint.xsk;

import io.dint.client.Transport;
import io.dint.net.Ipv4;
import io.dint.net.UdpSocket;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * {@link Transport} over an AF_XDP socket: datagrams are built as whole Ethernet frames in UMEM
 * and handed to the driver, replies are read from UMEM where the kernel put them; the kernel's
 * IP and UDP stack is never involved. Every client runs over it unchanged.
 *
 * <p>The transport sends from, and receives on, one UDP port of its own, reserved with an ordinary
 * kernel socket that it keeps open (so no kernel socket gets the same port) but never reads: the
 * interface's XDP program hands frames to that port to this transport's socket. Several transports
 * of one process on one interface (one per client thread) share the UMEM ({@link ClientInterface}).
 *
 * <p>Destinations must have a complete entry in the kernel's neighbour table (the local cluster
 * makes permanent ones); the destination MAC is looked up once per destination. Not thread-safe:
 * one thread per transport. Nothing is allocated per datagram.
 */
public final class AfXdpTransport implements Transport {
    private static final int NEIGHBOUR_CACHE = 16;

    private final ClientInterface iface;
    private final int slot;
    private final XskSocket socket;
    private final XskRing rx;
    private final XskRing tx;
    private final Umem umem;
    private final MemorySegment mem;
    private final UdpSocket portHolder;
    private final int port;
    private final int capacity;
    private final int maxPayload;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment template;
    private final int templateSum;

    private final int[] staged;
    private final int[] txLen;
    private final int[] txDst;
    private final int[] txPort;
    private final int[] free = new int[ClientInterface.TX_FRAMES];
    private int freeCount;

    private final MemorySegment[] rxBuf;
    private final int[] rxLen;
    private final int[] held;
    private int heldCount;

    private final int[] neighbourIp = new int[NEIGHBOUR_CACHE];
    private final long[] neighbourMac = new long[NEIGHBOUR_CACHE];
    private int neighbours;
    private int lastDst;
    private long lastMac = -1;

    private long rxFrames;
    private long rxRefused;
    private long rxElsewhere;
    private long sleeps;
    private boolean closed;

    private AfXdpTransport(String ifaceName, int localAddr, int capacity) {
        if (capacity < 1 || capacity > ClientInterface.MEMBER_TX_RING) {
            throw new IllegalArgumentException("AF_XDP batch must be 1.." + ClientInterface.MEMBER_TX_RING + ", got " + capacity);
        }
        this.capacity = capacity;
        this.portHolder = UdpSocket.open(localAddr, 0, false);
        this.port = portHolder.localPort();
        ClientInterface.Member m;
        try {
            m = ClientInterface.join(ifaceName, port);
        } catch (RuntimeException | Error e) {
            portHolder.close();
            throw e;
        }
        this.iface = m.iface();
        this.slot = m.slot();
        this.socket = iface.socket(slot);
        this.rx = socket.rx();
        this.tx = socket.tx();
        this.umem = iface.umem();
        this.mem = umem.memory();
        NetLink link = iface.link();
        int src = localAddr != Ipv4.ANY ? localAddr : link.ipv4();
        this.maxPayload = Math.min(link.mtu() - UdpFrame.IP - UdpFrame.UDP, umem.maxPacket() - UdpFrame.HEADERS);
        this.template = arena.allocate(UdpFrame.HEADERS, 8);
        this.templateSum = UdpFrame.writeTemplate(template, link.mac(), src, port);
        this.freeCount = iface.reclaim(slot, free, 0);
        if (freeCount < 2 * capacity) {
            throw new IllegalStateException("AF_XDP slot " + slot + " on " + link.name() + " has only " + freeCount
                    + " send frames back (a previous client's are still in flight)");
        }
        this.staged = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            staged[i] = free[--freeCount];
        }
        this.txLen = new int[capacity];
        this.txDst = new int[capacity];
        this.txPort = new int[capacity];
        this.rxBuf = new MemorySegment[capacity];
        this.rxLen = new int[capacity];
        this.held = new int[capacity];
    }

    /**
     * Opens a transport on interface {@code iface} of the calling thread's network namespace,
     * sending from {@code localAddr} ({@link Ipv4#ANY}: the interface's address), at most
     * {@code batch} datagrams per flush or poll.
     */
    public static AfXdpTransport open(String iface, int localAddr, int batch) {
        return new AfXdpTransport(iface, localAddr, batch);
    }

    /** The UDP port this transport sends from and receives on. */
    public int localPort() {
        return port;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    /** The payload buffer of the {@code i}-th datagram of the next flush: {@link #maxPayload()} usable bytes. */
    @Override
    public MemorySegment txBuffer(int i) {
        return umem.payload(staged[i]);
    }

    /** Largest UDP payload one datagram carries (the MTU, less IP and UDP headers). */
    public int maxPayload() {
        return maxPayload;
    }

    @Override
    public void setTx(int i, int length, int dstAddr, int dstPort) {
        if (length < 0 || length > maxPayload) {
            throw new IllegalArgumentException("datagram of " + length + " bytes: AF_XDP sends 0.." + maxPayload);
        }
        if (dstPort <= 0 || dstPort > 0xffff) {
            throw new IllegalArgumentException("UDP port " + dstPort + " outside 1..65535");
        }
        txLen[i] = length;
        txDst[i] = dstAddr;
        txPort[i] = dstPort;
    }

    @Override
    public int flush(int count) {
        if (count < 0 || count > capacity) {
            throw new IndexOutOfBoundsException("flush of " + count + " datagrams, capacity " + capacity);
        }
        if (count == 0) {
            return 0;
        }
        if (freeCount < count) {
            freeCount = iface.reclaim(slot, free, freeCount);
        }
        int at = tx.producerCursor();
        int k = tx.reserve(Math.min(count, freeCount));
        for (int i = 0; i < k; i++) {
            int frame = staged[i];
            long base = umem.frameAddr(frame) + Umem.DATA_OFFSET;
            MemorySegment.copy(template, 0, mem, base, UdpFrame.HEADERS);
            UdpFrame.complete(mem, base, templateSum, macOf(txDst[i]), txDst[i], txPort[i], txLen[i]);
            tx.setDesc(at + i, base, UdpFrame.HEADERS + txLen[i]);
            staged[i] = free[--freeCount];
        }
        if (k > 0) {
            tx.submit();
        }
        if (tx.needsWakeup() && tx.outstanding() != 0) {
            socket.kickTx();
        }
        return k;
    }

    @Override
    public int poll(int timeoutMillis) {
        if (heldCount > 0) {
            iface.refill(held, heldCount);
            heldCount = 0;
        }
        int start = rx.consumerCursor();
        int n = rx.peek(capacity);
        if (n == 0 && timeoutMillis > 0) {
            if (tx.outstanding() != 0 && tx.needsWakeup()) {
                socket.kickTx(); // what the kernel did not take at flush
            }
            sleeps++;
            if (socket.pollIn(timeoutMillis)) {
                n = rx.peek(capacity);
            }
        }
        int out = 0;
        for (int i = 0; i < n; i++) {
            long addr = rx.descAddr(start + i);
            int len = rx.descLen(start + i);
            int frame = umem.frameOf(addr);
            held[heldCount++] = frame;
            int payload = UdpFrame.check(mem, addr, len, port);
            if (payload < 0) {
                rxRefused++;
                continue;
            }
            // Copy mode receives at DATA_OFFSET; the frame's own view serves unless a driver put it elsewhere.
            if (addr - umem.frameAddr(frame) == Umem.DATA_OFFSET) {
                rxBuf[out] = umem.payload(frame);
            } else {
                rxBuf[out] = mem.asSlice(addr + UdpFrame.HEADERS, payload);
                rxElsewhere++;
            }
            rxLen[out++] = payload;
        }
        if (n > 0) {
            rx.release(n);
            rxFrames += n;
        }
        return out;
    }

    @Override
    public MemorySegment rxBuffer(int i) {
        return rxBuf[i];
    }

    @Override
    public int rxLength(int i) {
        return rxLen[i];
    }

    private long macOf(int dst) {
        if (dst == lastDst && lastMac >= 0) {
            return lastMac;
        }
        for (int i = 0; i < neighbours; i++) {
            if (neighbourIp[i] == dst) {
                lastDst = dst;
                lastMac = neighbourMac[i];
                return lastMac;
            }
        }
        long mac = NetLink.neighbour(dst, iface.link().name());
        int at = neighbours < NEIGHBOUR_CACHE ? neighbours++ : (dst & (NEIGHBOUR_CACHE - 1));
        neighbourIp[at] = dst;
        neighbourMac[at] = mac;
        lastDst = dst;
        lastMac = mac;
        return mac;
    }

    /**
     * Frames received, frames refused (not well-formed UDP to our port), frames the kernel put
     * somewhere else than where copy mode puts them (each costs a slice object), and polls that
     * slept in {@code poll()}: for tests and reports.
     */
    public long[] counters() {
        return new long[] {rxFrames, rxRefused, rxElsewhere, sleeps};
    }

    /** The redirect program's and the kernel's AF_XDP counters for this interface. */
    public Map<String, Long> interfaceStats() {
        return iface.stats();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // Staged frames are free too: nothing of them is in flight.
        for (int i = 0; i < capacity; i++) {
            free[freeCount++] = staged[i];
        }
        iface.leave(slot, free, freeCount, held, heldCount);
        heldCount = 0;
        freeCount = 0;
        portHolder.close();
        arena.close();
    }
}

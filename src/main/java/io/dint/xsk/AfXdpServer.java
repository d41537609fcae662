package io.dint.xsk;

import io.dint.server.Allowlist;
import io.dint.server.DatagramService;
import io.dint.server.RecordDumps;
import io.dint.server.ServiceServer;
import io.dint.sys.PollFds;
import io.dint.wire.Stat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.nio.file.Path;
import java.util.Map;

/**
 * The {@code afxdp} backend: a {@link DatagramService} served in user space over AF_XDP, the
 * kernel's IP and UDP stack bypassed — the stand-in for the paper's kernel-bypass baselines.
 *
 * <p>One AF_XDP socket (with a UMEM of its own) per receive queue of the interface, and the
 * redirect program sending UDP to the service port to the socket of the queue it arrived on;
 * everything else (ARP, ping, other ports) goes on to the kernel. One thread busy-polls every
 * socket: takes a batch of requests off the RX ring, serves each in place in its frame, turns the
 * frame around (addresses and ports swapped) and puts the same frame on the TX ring — no copy in
 * user space, nothing allocated per request. Frames come back through the completion ring to the
 * fill ring. While polling empty it yields the CPU now and then ({@link #YIELD_EVERY}), and after
 * {@link #IDLE_NANOS} without a request it sleeps in {@code poll()} until one arrives, so an idle
 * server costs nothing.
 */
public final class AfXdpServer implements ServiceServer, RecordDumps {
    static final int FRAME_SIZE = 2048;
    static final int FRAMES = 4096;
    static final int RX_RING = 2048;
    static final int TX_RING = 2048;
    /** Twice the frames: see {@link ClientInterface#FILL_RING}; a returned frame always fits. */
    static final int FILL_RING = 2 * FRAMES;
    static final int BATCH = 64;
    static final long IDLE_NANOS = 200_000L;
    /** Empty polls between two {@code sched_yield}s: on a machine with fewer cores than busy threads the clients get to run. */
    static final int YIELD_EVERY = 64;
    private static final int IDLE_POLL_MILLIS = 10;

    private final DatagramService service;
    private final Allowlist allow;
    private final int port;
    private final NetLink link;
    private final List<Queue> queues = new ArrayList<>();
    private final XskRedirect redirect;
    private final long[] stats = new long[Stat.MAX];
    private final Arena arena = Arena.ofShared();
    private final PollFds pollFds;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;
    // AF_XDP-level counters, written by the polling thread only
    private volatile long frames;
    private volatile long refused;
    private volatile long txFull;

    /** One receive queue: its UMEM and socket, and the frames to give back to the fill ring. */
    private static final class Queue {
        final Umem umem;
        final XskSocket socket;
        final int[] recycle = new int[BATCH];

        Queue(Umem umem, XskSocket socket) {
            this.umem = umem;
            this.socket = socket;
        }
    }

    /**
     * Serves {@code service} on UDP port {@code port} of interface {@code iface} (this thread's
     * namespace) to the sources {@code allow} allows; others are dropped and counted.
     */
    public AfXdpServer(DatagramService service, String iface, int port, Allowlist allow) {
        this.service = service;
        this.allow = allow;
        this.port = port;
        this.link = NetLink.of(iface);
        int n = Math.min(link.rxQueues(), XskRedirect.MAX_SOCKETS);
        XskRedirect r = null;
        try {
            for (int q = 0; q < n; q++) {
                Umem umem = new Umem(FRAMES, FRAME_SIZE);
                XskSocket s;
                try {
                    s = XskSocket.open(link, q, umem, new XskSocket.Rings(RX_RING, TX_RING, FILL_RING, FRAMES));
                } catch (RuntimeException e) {
                    umem.close();
                    throw e;
                }
                queues.add(new Queue(umem, s));
                XskRing fill = s.fill();
                int at = fill.producerCursor();
                int k = fill.reserve(FRAMES);
                for (int i = 0; i < k; i++) {
                    fill.setAddr(at + i, umem.frameAddr(i));
                }
                fill.submit();
            }
            r = XskRedirect.attach(link);
            for (int q = 0; q < n; q++) {
                r.addSocket(q, queues.get(q).socket.fd());
            }
            r.routePort(port, XskRedirect.BY_QUEUE);
        } catch (RuntimeException | Error e) {
            if (r != null) {
                r.close();
            }
            closeQueues();
            throw e;
        }
        this.redirect = r;
        this.pollFds = new PollFds(arena, queues.stream().mapToInt(q -> q.socket.fd()).toArray());
        this.thread = Thread.ofPlatform().name("afxdp-server-" + iface).daemon().start(this::run);
    }

    private void run() {
        try {
            long lastWork = System.nanoTime();
            int spins = 0;
            while (running) {
                boolean worked = false;
                for (int q = 0; q < queues.size(); q++) {
                    worked |= serve(queues.get(q));
                }
                if (worked) {
                    spins = 0;
                    lastWork = -1;
                    continue;
                }
                if (++spins % YIELD_EVERY == 0) {
                    Thread.yield();
                    long now = System.nanoTime();
                    if (lastWork < 0) {
                        lastWork = now;
                    } else if (now - lastWork > IDLE_NANOS) {
                        sleepUntilTraffic();
                        lastWork = -1;
                    }
                } else {
                    Thread.onSpinWait();
                }
            }
        } catch (Throwable t) {
            failure = t;
            running = false;
        }
    }

    /** One batch of one queue; true when there was anything to do. */
    private boolean serve(Queue q) {
        XskSocket s = q.socket;
        XskRing rx = s.rx();
        XskRing tx = s.tx();
        Umem umem = q.umem;
        MemorySegment mem = umem.memory();
        boolean worked = reap(q);
        int start = rx.consumerCursor();
        int n = rx.peek(BATCH);
        if (n == 0) {
            return worked;
        }
        int txAt = tx.producerCursor();
        int room = tx.reserve(n);
        int sent = 0;
        int recycled = 0;
        for (int i = 0; i < n; i++) {
            long addr = rx.descAddr(start + i);
            int len = rx.descLen(start + i);
            int frame = umem.frameOf(addr);
            int payload = UdpFrame.check(mem, addr, len, port);
            int reply = -1;
            if (payload >= 0 && !allow.allows(UdpFrame.u32(mem, addr + UdpFrame.IP_SRC))) {
                stats[Stat.RX]++;
                stats[Stat.DROP_NOT_ALLOWED]++;
            } else if (payload >= 0) {
                long offset = addr - umem.frameAddr(frame);
                MemorySegment buf = offset == Umem.DATA_OFFSET ? umem.payload(frame)
                        : mem.asSlice(addr + UdpFrame.HEADERS, umem.frameSize() - offset - UdpFrame.HEADERS);
                reply = service.serve(buf, payload, stats);
            } else {
                refused++;
                stats[payload == UdpFrame.BAD_HEADER ? Stat.DROP_BAD_HEADER : Stat.DROP_BAD_LENGTH]++;
            }
            if (reply >= 0 && sent < room) {
                UdpFrame.turnAround(mem, addr, reply);
                tx.setDesc(txAt + sent++, addr, UdpFrame.HEADERS + reply);
            } else {
                if (reply >= 0) {
                    txFull++;
                }
                q.recycle[recycled++] = frame;
            }
        }
        rx.release(n);
        frames += n;
        tx.cancel(room - sent);
        if (sent > 0) {
            tx.submit();
            if (tx.needsWakeup()) {
                s.kickTx();
            }
        }
        if (recycled > 0) {
            refill(q, q.recycle, recycled);
        }
        reap(q);
        return true;
    }

    /** Frames whose replies went out: back to the fill ring. */
    private boolean reap(Queue q) {
        XskRing cq = q.socket.completion();
        int start = cq.consumerCursor();
        int n = cq.peek(FRAMES);
        if (n == 0) {
            return false;
        }
        XskRing fill = q.socket.fill();
        int at = fill.producerCursor();
        int k = fill.reserve(n); // twice as big as the frames: always room
        for (int i = 0; i < k; i++) {
            fill.setAddr(at + i, cq.addr(start + i));
        }
        fill.submit();
        cq.release(k);
        if (fill.needsWakeup()) {
            q.socket.wakeFill();
        }
        return true;
    }

    private void refill(Queue q, int[] frameList, int n) {
        XskRing fill = q.socket.fill();
        int at = fill.producerCursor();
        int k = fill.reserve(n);
        if (k != n) {
            throw new IllegalStateException("fill ring full: more frames returned than exist");
        }
        for (int i = 0; i < k; i++) {
            fill.setAddr(at + i, q.umem.frameAddr(frameList[i]));
        }
        fill.submit();
    }

    private void sleepUntilTraffic() {
        pollFds.pollIn(IDLE_POLL_MILLIS); // whatever it says, the loop looks at every ring next
    }

    @Override
    public Map<String, Object> stats() {
        Map<String, Object> m = new LinkedHashMap<>();
        long[] snapshot = stats.clone(); // written by the polling thread; counters, a torn read is harmless
        for (int i = 0; i < Stat.MAX; i++) {
            if (Stat.isNamed(i) || snapshot[i] != 0) {
                m.put(Stat.name(i), snapshot[i]);
            }
        }
        m.put("afxdp_frames", frames);
        m.put("afxdp_refused", refused);
        m.put("afxdp_tx_ring_full", txFull);
        m.put("afxdp_queues", queues.size());
        redirect.stats().forEach((k, v) -> m.put("xsk_redirect_" + k, v));
        for (Queue q : queues) {
            q.socket.statistics().forEach((k, v) -> m.merge("xsk_" + k, v, (a, b) -> ((Long) a) + ((Long) b)));
        }
        Throwable f = failure;
        if (f != null) {
            m.put("afxdp_failure", f.toString());
        }
        return m;
    }

    @Override
    public Map<String, Object> check() {
        return service.check();
    }

    @Override
    public Map<String, Object> dumpRecords(Path records, Path log) {
        return RecordDumps.of(service, records, log);
    }

    /** The interface this server answers on. */
    public String iface() {
        return link.name();
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        redirect.close();
        closeQueues();
        arena.close();
        if (service instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing " + service + " failed", e);
            }
        }
    }

    private void closeQueues() {
        for (Queue q : queues) {
            q.socket.close();
            q.umem.close();
        }
        queues.clear();
    }
}

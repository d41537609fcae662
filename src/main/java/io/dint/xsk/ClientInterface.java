package io.dint.xsk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What the AF_XDP clients of this process on one interface share: the UMEM, its fill and
 * completion rings (held by an owner socket), and the redirect program.
 *
 * <p>Why shared: on veth (and on any NIC that does not steer by port) replies all arrive on queue 0,
 * the kernel delivers a frame only to a socket bound to the queue it arrived on, and a queue has
 * one buffer pool. So each client thread gets its own socket on queue 0 with its own RX and TX
 * rings, all sharing one UMEM, fill ring and completion ring; the program sends each reply to the
 * socket of the thread whose source port it is addressed to.
 *
 * <p>Frames: the first {@link #RX_FRAMES} are for receiving and live on the fill ring, in some
 * socket's RX ring, or with a client between two polls. Each member slot owns a region of
 * {@link #TX_FRAMES} frames for sending. The two shared rings are touched under this object's
 * lock, once per batch: {@link #refill} returns received frames, {@link #reclaim} reaps the
 * completion ring for everyone and hands a member its own sent frames back.
 *
 * <p>One per (network namespace, interface), reference-counted by its members; the last to leave
 * detaches the program and frees the UMEM.
 */
final class ClientInterface {
    static final int FRAME_SIZE = 2048;
    static final int RX_FRAMES = 4096;
    static final int TX_FRAMES = 512;
    static final int MAX_MEMBERS = 16;
    static final int MEMBER_RX_RING = 2048;
    static final int MEMBER_TX_RING = 256;
    /**
     * Twice the receive frames: the kernel publishes the RX entries of a batch before it publishes
     * how far it consumed the fill ring, so a frame can come back to us before the fill ring shows
     * its slot free. With this much room a returned frame always fits.
     */
    static final int FILL_RING = 2 * RX_FRAMES;
    /** The owner socket needs some ring to bind; nothing is ever redirected to it. */
    private static final int OWNER_RX_RING = 64;
    private static final int QUEUE = 0;

    private static final Map<String, ClientInterface> OPEN = new HashMap<>();

    private final String key;
    private final NetLink link;
    private final Umem umem;
    private final XskSocket owner;
    private final XskRing fill;
    private final XskRing completion;
    private final XskRedirect redirect;
    private final XskSocket[] sockets = new XskSocket[MAX_MEMBERS];
    private final int[] ports = new int[MAX_MEMBERS];
    /** Per slot: its sent frames that came back, not yet taken by the member. */
    private final int[][] returned = new int[MAX_MEMBERS][TX_FRAMES];
    private final int[] returnedCount = new int[MAX_MEMBERS];
    private int members;

    private ClientInterface(String key, NetLink link) {
        this.key = key;
        this.link = link;
        this.umem = new Umem(RX_FRAMES + MAX_MEMBERS * TX_FRAMES, FRAME_SIZE);
        XskSocket o = null;
        XskRedirect r = null;
        try {
            o = XskSocket.open(link, QUEUE, umem,
                    new XskSocket.Rings(OWNER_RX_RING, 0, FILL_RING, Integer.highestOneBit(MAX_MEMBERS * TX_FRAMES)));
            XskRing f = o.fill();
            int at = f.producerCursor();
            int n = f.reserve(RX_FRAMES);
            for (int i = 0; i < n; i++) {
                f.setAddr(at + i, umem.frameAddr(i));
            }
            f.submit();
            r = XskRedirect.attach(link);
        } catch (RuntimeException | Error e) {
            if (o != null) {
                o.close();
            }
            umem.close();
            throw e;
        }
        this.owner = o;
        this.fill = o.fill();
        this.completion = o.completion();
        this.redirect = r;
        for (int s = 0; s < MAX_MEMBERS; s++) {
            for (int i = 0; i < TX_FRAMES; i++) {
                returned[s][i] = RX_FRAMES + s * TX_FRAMES + i;
            }
            returnedCount[s] = TX_FRAMES;
        }
    }

    /** A member: its interface and slot. */
    record Member(ClientInterface iface, int slot) {}

    /**
     * Joins the shared interface for {@code iface} in the calling thread's network namespace
     * (opened on first use) as a member receiving on UDP port {@code port}: a socket sharing the
     * UMEM, put in the redirect program's map, the port routed to it.
     */
    static Member join(String iface, int port) {
        String key = netnsOfThisThread() + "/" + iface;
        synchronized (OPEN) {
            ClientInterface ci = OPEN.get(key);
            if (ci == null) {
                ci = new ClientInterface(key, NetLink.of(iface));
                OPEN.put(key, ci);
            }
            try {
                return new Member(ci, ci.joinLocked(port));
            } catch (RuntimeException | Error e) {
                if (ci.members == 0) {
                    ci.closeLocked();
                }
                throw e;
            }
        }
    }

    private static String netnsOfThisThread() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot tell this thread's network namespace", e);
        }
    }

    NetLink link() {
        return link;
    }

    Umem umem() {
        return umem;
    }

    private synchronized int joinLocked(int port) {
        int slot = -1;
        for (int s = 0; s < MAX_MEMBERS; s++) {
            if (sockets[s] == null) {
                slot = s;
                break;
            }
        }
        if (slot < 0) {
            throw new IllegalStateException("at most " + MAX_MEMBERS + " AF_XDP clients per interface and process; "
                    + link.name() + " has them all");
        }
        XskSocket s = XskSocket.openShared(owner, link, QUEUE, MEMBER_RX_RING, MEMBER_TX_RING);
        try {
            redirect.addSocket(slot, s.fd());
            redirect.routePort(port, slot);
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        sockets[slot] = s;
        ports[slot] = port;
        members++;
        return slot;
    }

    XskSocket socket(int slot) {
        return sockets[slot];
    }

    /**
     * Removes member {@code slot}: unroutes its port, returns the frames it still holds (its free
     * frames, the received frames in {@code held}, whatever is left in its RX ring) and closes its
     * socket. The last member's leaving closes the whole interface.
     */
    void leave(int slot, int[] freeFrames, int freeCount, int[] held, int heldCount) {
        synchronized (OPEN) {
            synchronized (this) {
                XskSocket s = sockets[slot];
                redirect.unroutePort(ports[slot]);
                redirect.removeSocket(slot);
                refillLocked(held, heldCount);
                XskRing rx = s.rx();
                int start = rx.consumerCursor();
                int n = rx.peek(Integer.MAX_VALUE);
                for (int i = 0; i < n; i++) {
                    int f = umem.frameOf(rx.descAddr(start + i));
                    fill.setAddr(reserveOne(), umem.frameAddr(f));
                }
                rx.release(n);
                fill.submit();
                for (int i = 0; i < freeCount; i++) {
                    returned[slot][returnedCount[slot]++] = freeFrames[i];
                }
                s.close();
                sockets[slot] = null;
                if (--members == 0) {
                    closeLocked();
                }
            }
        }
    }

    private void closeLocked() {
        OPEN.remove(key);
        redirect.close();
        owner.close();
        umem.close();
    }

    private int reserveOne() {
        int at = fill.producerCursor();
        if (fill.reserve(1) != 1) {
            throw new IllegalStateException("fill ring full: more receive frames returned than exist");
        }
        return at;
    }

    /** Puts received frames back on the fill ring. */
    synchronized void refill(int[] frames, int n) {
        refillLocked(frames, n);
    }

    private void refillLocked(int[] frames, int n) {
        if (n == 0) {
            return;
        }
        int at = fill.producerCursor();
        if (fill.reserve(n) != n) {
            throw new IllegalStateException("fill ring full: more receive frames returned than exist");
        }
        for (int i = 0; i < n; i++) {
            fill.setAddr(at + i, umem.frameAddr(frames[i]));
        }
        fill.submit();
        if (fill.needsWakeup()) {
            owner.wakeFill();
        }
    }

    /**
     * Reaps the completion ring (every member's sent frames, each to its slot) and appends slot
     * {@code slot}'s returned frames to {@code free[freeCount..]}.
     *
     * @return the new free count
     */
    synchronized int reclaim(int slot, int[] free, int freeCount) {
        int start = completion.consumerCursor();
        int n = completion.peek(Integer.MAX_VALUE);
        for (int i = 0; i < n; i++) {
            int f = umem.frameOf(completion.addr(start + i));
            int owner = (f - RX_FRAMES) / TX_FRAMES;
            returned[owner][returnedCount[owner]++] = f;
        }
        completion.release(n);
        int[] mine = returned[slot];
        int k = returnedCount[slot];
        System.arraycopy(mine, 0, free, freeCount, k);
        returnedCount[slot] = 0;
        return freeCount + k;
    }

    /** The program's counters and the kernel's socket counters summed over members. */
    synchronized Map<String, Long> stats() {
        Map<String, Long> m = new java.util.LinkedHashMap<>(redirect.stats());
        for (XskSocket s : sockets) {
            if (s != null) {
                s.statistics().forEach((k, v) -> m.merge("xsk_" + k, v, Long::sum));
            }
        }
        return m;
    }
}

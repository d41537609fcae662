package io.dint.xsk;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.dint.bpf.BpfLink;
import io.dint.bpf.BpfMap;
import io.dint.bpf.BpfObject;
import io.dint.bpf.BpfProgram;
import io.dint.bpf.Handle;
import io.dint.server.Allowlist;
import io.dint.server.ServiceObject;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code xsk_redirect.bpf.o} loaded and attached to one interface through a bpf_link (so a killed
 * process leaves nothing attached): frames for this host's MAC and a routed UDP port go to an
 * AF_XDP socket, everything else to the kernel stack.
 *
 * <p>Sockets sit in slots of the {@code xsks} map; ports are routed to a slot, or to
 * {@link #BY_QUEUE}: the socket in the slot numbered like the queue the frame arrived on.
 */
final class XskRedirect implements AutoCloseable {
    static final String OBJECT = "xsk_redirect";
    static final String PROGRAM = "xsk_redirect";
    /** Route value: the slot is the receiving queue's index. */
    static final int BY_QUEUE = -1;
    /** Slots of the {@code xsks} map (XSK_MAX_SOCKETS in the C source). */
    static final int MAX_SOCKETS = 64;
    static final String[] STATS = {"rx", "redirect", "pass", "no_socket"};

    /** The loaded object's program and maps. */
    record Handles(BpfObject object, @Handle(PROGRAM) BpfProgram program, @Handle("xsks") BpfMap xsks,
            @Handle("ports") BpfMap ports, @Handle("xsk_stats") BpfMap stats) implements AutoCloseable {
        @Override
        public void close() {
            object.close();
        }
    }

    private final Handles object;
    private final BpfLink link;
    private final String iface;

    private XskRedirect(Handles object, BpfLink link, String iface) {
        this.object = object;
        this.link = link;
        this.iface = iface;
    }

    /** Loads the program for {@code link}'s MAC and attaches it there. */
    static XskRedirect attach(NetLink link) {
        Handles obj = load(link.mac());
        try {
            BpfLink l = obj.program().attachXdp(link.index());
            return new XskRedirect(obj, l, link.name());
        } catch (RuntimeException e) {
            obj.close();
            throw e;
        }
    }

    /** Opens and loads the object for frames to {@code mac}, not attached (test runs use it so). */
    static Handles load(long mac) {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (mac >>> (8 * (5 - i)));
        }
        // its frames go to sockets whose backends apply the allowlist
        return ServiceObject.spec(OBJECT, b, 0, Allowlist.ANY).load(Handles.class);
    }

    /** Puts socket {@code fd} into slot {@code slot}. */
    void addSocket(int slot, int fd) {
        checkSlot(slot);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            v.set(JAVA_INT, 0, fd);
            object.xsks().update(slot, v);
        }
    }

    /** Empties slot {@code slot}: frames routed to it go to the kernel stack again. */
    void removeSocket(int slot) {
        checkSlot(slot);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment k = a.allocate(JAVA_INT);
            k.set(JAVA_INT, 0, slot);
            object.xsks().delete(k);
        }
    }

    /** Routes UDP destination port {@code port} to slot {@code slot} (or {@link #BY_QUEUE}). */
    void routePort(int port, int slot) {
        route(object, port, slot);
    }

    /** {@link #routePort} on a loaded object (test runs use it unattached). */
    static void route(Handles object, int port, int slot) {
        if (slot != BY_QUEUE) {
            checkSlot(slot);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment k = a.allocate(JAVA_INT);
            MemorySegment v = a.allocate(JAVA_INT);
            k.set(JAVA_INT, 0, checkPort(port));
            v.set(JAVA_INT, 0, slot);
            object.ports().update(k, v);
        }
    }

    void unroutePort(int port) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment k = a.allocate(JAVA_INT);
            k.set(JAVA_INT, 0, checkPort(port));
            object.ports().delete(k);
        }
    }

    /** The program's counters, summed over CPUs. */
    Map<String, Long> stats() {
        BpfMap m = object.stats();
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < STATS.length; i++) {
            out.put(STATS[i], m.sumPerCpuLong(i));
        }
        return out;
    }

    /** Detaches the program and frees its maps. */
    @Override
    public void close() {
        link.close();
        object.close();
    }

    @Override
    public String toString() {
        return "XskRedirect[" + iface + "]";
    }

    private static void checkSlot(int slot) {
        if (slot < 0 || slot >= MAX_SOCKETS) {
            throw new IllegalArgumentException("socket slot " + slot + " outside 0.." + (MAX_SOCKETS - 1));
        }
    }

    private static int checkPort(int port) {
        if (port <= 0 || port > 0xffff) {
            throw new IllegalArgumentException("UDP port " + port + " outside 1..65535");
        }
        return port;
    }
}

package io.dint.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A TC program attached as a direct-action filter to an interface's clsact qdisc. TC filters are
 * not bpf_links: this one stays after the process exits unless it is closed. Closing detaches
 * the filter and removes the clsact qdisc if the attachment created it (along with any other
 * filter attached to it since).
 */
public final class TcAttachment implements AutoCloseable {

    static final int INGRESS = 1; // BPF_TC_INGRESS
    static final int EGRESS = 2;  // BPF_TC_EGRESS

    private static final int ENOENT = 2;
    private static final int ENODEV = 19;
    private static final int EEXIST = 17;

    // struct bpf_tc_hook (bpf/libbpf.h): sz, ifindex @8, attach_point @12, parent @16; 24 bytes.
    private static final long HOOK_SIZE = 24;
    private static final long HOOK_IFINDEX = 8;
    private static final long HOOK_ATTACH_POINT = 12;
    // struct bpf_tc_opts: sz, prog_fd @8, flags @12, prog_id @16, handle @20, priority @24; 32 bytes.
    private static final long OPTS_SIZE = 32;
    private static final long OPTS_PROG_FD = 8;
    private static final long OPTS_PROG_ID = 16;
    private static final long OPTS_HANDLE = 20;
    private static final long OPTS_PRIORITY = 24;

    private final String program;
    private final int ifindex;
    private final int attachPoint;
    private final int handle;
    private final int priority;
    private final int programId;
    private final boolean createdHook;
    private boolean closed;

    private TcAttachment(String program, int ifindex, int attachPoint, int handle, int priority,
            int programId, boolean createdHook) {
        this.program = program;
        this.ifindex = ifindex;
        this.attachPoint = attachPoint;
        this.handle = handle;
        this.priority = priority;
        this.programId = programId;
        this.createdHook = createdHook;
    }

    static TcAttachment attach(int progFd, String program, int ifindex, int attachPoint) {
        String where = (attachPoint == EGRESS ? "egress" : "ingress") + " of ifindex " + ifindex;
        try (Arena arena = Arena.ofConfined(); LibbpfLog log = LibbpfLog.capture()) {
            MemorySegment hook = hook(arena, ifindex, attachPoint);
            int rc = LibBpf.tcHookCreate(hook);
            if (rc < 0 && rc != -EEXIST) {
                throw BpfException.of("creating the clsact qdisc on ifindex " + ifindex + " failed",
                        -rc, rc == -ENODEV || rc == -22 ? "No interface has index " + ifindex
                                : "Run as root (CAP_NET_ADMIN)", log);
            }
            boolean created = rc == 0;
            if (!created) {
                log.discard(); // libbpf warns about the existing qdisc it was told to expect
            }
            MemorySegment opts = arena.allocate(OPTS_SIZE, 8);
            opts.set(JAVA_LONG, 0, OPTS_SIZE);
            opts.set(JAVA_INT, OPTS_PROG_FD, progFd);
            rc = LibBpf.tcAttach(hook, opts);
            if (rc < 0) {
                if (created) {
                    destroyQdisc(arena, ifindex);
                }
                throw BpfException.of("attaching TC program '" + program + "' to " + where + " failed",
                        -rc, "Is it a TC program (SEC(\"tc\"))?", log);
            }
            return new TcAttachment(program, ifindex, attachPoint, opts.get(JAVA_INT, OPTS_HANDLE),
                    opts.get(JAVA_INT, OPTS_PRIORITY), opts.get(JAVA_INT, OPTS_PROG_ID), created);
        }
    }

    private static MemorySegment hook(Arena arena, int ifindex, int attachPoint) {
        MemorySegment hook = arena.allocate(HOOK_SIZE, 8);
        hook.set(JAVA_LONG, 0, HOOK_SIZE);
        hook.set(JAVA_INT, HOOK_IFINDEX, ifindex);
        hook.set(JAVA_INT, HOOK_ATTACH_POINT, attachPoint);
        return hook;
    }

    /** bpf_tc_hook_destroy removes the qdisc only when asked for both directions at once. */
    private static int destroyQdisc(Arena arena, int ifindex) {
        return LibBpf.tcHookDestroy(hook(arena, ifindex, INGRESS | EGRESS));
    }

    /**
     * Removes the clsact qdisc of {@code ifindex} and with it every TC filter on it: what a
     * process restarted in place of a killed one does to the filters its predecessor left.
     * Harmless when there is none.
     */
    public static void removeQdisc(int ifindex) {
        try (Arena arena = Arena.ofConfined(); LibbpfLog log = LibbpfLog.capture()) {
            int rc = destroyQdisc(arena, ifindex);
            if (rc < 0 && rc != -ENOENT && rc != -ENODEV && rc != -22) {
                throw BpfException.of("removing the clsact qdisc of ifindex " + ifindex + " failed", -rc,
                        "Remove it with tc qdisc del dev <if> clsact", log);
            }
            log.discard();
        }
    }

    public int ifindex() {
        return ifindex;
    }

    /** The filter's handle and priority, as `tc filter show` prints them. */
    public int handle() {
        return handle;
    }

    public int priority() {
        return priority;
    }

    /** The kernel's id of the attached program. */
    public int programId() {
        return programId;
    }

    /** Whether this attachment created the clsact qdisc (and will remove it on close). */
    public boolean createdQdisc() {
        return createdHook;
    }

    /** Detaches the filter. Harmless when repeated, or when the interface is already gone. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (Arena arena = Arena.ofConfined(); LibbpfLog log = LibbpfLog.capture()) {
            MemorySegment opts = arena.allocate(OPTS_SIZE, 8);
            opts.set(JAVA_LONG, 0, OPTS_SIZE);
            opts.set(JAVA_INT, OPTS_HANDLE, handle);
            opts.set(JAVA_INT, OPTS_PRIORITY, priority);
            int rc = LibBpf.tcDetach(hook(arena, ifindex, attachPoint), opts);
            if (rc < 0 && rc != -ENOENT && rc != -ENODEV && rc != -22) {
                throw BpfException.of("detaching TC program '" + program + "' from ifindex "
                        + ifindex + " failed", -rc, "Run as root (CAP_NET_ADMIN)", log);
            }
            if (createdHook && rc != -ENODEV) {
                rc = destroyQdisc(arena, ifindex);
                if (rc < 0 && rc != -ENOENT && rc != -ENODEV && rc != -22) {
                    throw BpfException.of("removing the clsact qdisc of ifindex " + ifindex
                            + " failed", -rc, "Remove it with tc qdisc del dev <if> clsact", log);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "TcAttachment[" + program + " on ifindex " + ifindex + " "
                + (attachPoint == EGRESS ? "egress" : "ingress") + ", handle " + handle
                + ", priority " + priority + (closed ? ", closed" : "") + "]";
    }
}

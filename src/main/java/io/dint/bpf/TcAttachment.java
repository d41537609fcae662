package io.dint.bpf;

import static io.dint.bpf.BpfStructs.BPF_TC_HOOK;
import static io.dint.bpf.BpfStructs.BPF_TC_OPTS;
import static io.dint.bpf.LibBpf.LIBBPF;
import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

import io.dint.sys.Errno;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * A TC program attached as a direct-action filter to an interface's clsact qdisc. TC filters are
 * not bpf_links: this one stays after the process exits unless it is closed. Closing detaches
 * the filter and removes the clsact qdisc if the attachment created it (along with any other
 * filter attached to it since).
 */
public final class TcAttachment implements AutoCloseable {

    /** enum bpf_tc_attach_point (bpf/libbpf.h). */
    static final int INGRESS = 1; // BPF_TC_INGRESS
    static final int EGRESS = 2;  // BPF_TC_EGRESS

    private static final VarHandle HOOK_SZ = BPF_TC_HOOK.varHandle(groupElement("sz"));
    private static final VarHandle HOOK_IFINDEX = BPF_TC_HOOK.varHandle(groupElement("ifindex"));
    private static final VarHandle HOOK_ATTACH_POINT = BPF_TC_HOOK.varHandle(groupElement("attach_point"));
    private static final VarHandle OPTS_SZ = BPF_TC_OPTS.varHandle(groupElement("sz"));
    private static final VarHandle OPTS_PROG_FD = BPF_TC_OPTS.varHandle(groupElement("prog_fd"));
    private static final VarHandle OPTS_PROG_ID = BPF_TC_OPTS.varHandle(groupElement("prog_id"));
    private static final VarHandle OPTS_HANDLE = BPF_TC_OPTS.varHandle(groupElement("handle"));
    private static final VarHandle OPTS_PRIORITY = BPF_TC_OPTS.varHandle(groupElement("priority"));

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
            int rc = LIBBPF.bpf_tc_hook_create(hook);
            if (rc < 0 && rc != -Errno.EEXIST) {
                throw BpfException.of("creating the clsact qdisc on ifindex " + ifindex + " failed",
                        -rc, rc == -Errno.ENODEV || rc == -Errno.EINVAL ? "No interface has index " + ifindex
                                : "Run as root (CAP_NET_ADMIN)", log);
            }
            boolean created = rc == 0;
            if (!created) {
                log.discard(); // libbpf warns about the existing qdisc it was told to expect
            }
            MemorySegment opts = opts(arena);
            OPTS_PROG_FD.set(opts, 0L, progFd);
            rc = LIBBPF.bpf_tc_attach(hook, opts);
            if (rc < 0) {
                if (created) {
                    destroyQdisc(arena, ifindex);
                }
                throw BpfException.of("attaching TC program '" + program + "' to " + where + " failed",
                        -rc, "Is it a TC program (SEC(\"tc\"))?", log);
            }
            return new TcAttachment(program, ifindex, attachPoint, (int) OPTS_HANDLE.get(opts, 0L),
                    (int) OPTS_PRIORITY.get(opts, 0L), (int) OPTS_PROG_ID.get(opts, 0L), created);
        }
    }

    private static MemorySegment hook(Arena arena, int ifindex, int attachPoint) {
        MemorySegment hook = arena.allocate(BPF_TC_HOOK);
        HOOK_SZ.set(hook, 0L, BPF_TC_HOOK.byteSize());
        HOOK_IFINDEX.set(hook, 0L, ifindex);
        HOOK_ATTACH_POINT.set(hook, 0L, attachPoint);
        return hook;
    }

    private static MemorySegment opts(Arena arena) {
        MemorySegment opts = arena.allocate(BPF_TC_OPTS);
        OPTS_SZ.set(opts, 0L, BPF_TC_OPTS.byteSize());
        return opts;
    }

    /** bpf_tc_hook_destroy removes the qdisc only when asked for both directions at once. */
    private static int destroyQdisc(Arena arena, int ifindex) {
        return LIBBPF.bpf_tc_hook_destroy(hook(arena, ifindex, INGRESS | EGRESS));
    }

    /**
     * Removes the clsact qdisc of {@code ifindex} and with it every TC filter on it: what a
     * process restarted in place of a killed one does to the filters its predecessor left.
     * Harmless when there is none.
     */
    public static void removeQdisc(int ifindex) {
        try (Arena arena = Arena.ofConfined(); LibbpfLog log = LibbpfLog.capture()) {
            int rc = destroyQdisc(arena, ifindex);
            if (rc < 0 && rc != -Errno.ENOENT && rc != -Errno.ENODEV && rc != -Errno.EINVAL) {
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
            MemorySegment opts = opts(arena);
            OPTS_HANDLE.set(opts, 0L, handle);
            OPTS_PRIORITY.set(opts, 0L, priority);
            int rc = LIBBPF.bpf_tc_detach(hook(arena, ifindex, attachPoint), opts);
            if (rc < 0 && !gone(rc)) {
                throw BpfException.of("detaching TC program '" + program + "' from ifindex "
                        + ifindex + " failed", -rc, "Run as root (CAP_NET_ADMIN)", log);
            }
            if (createdHook && rc != -Errno.ENODEV) {
                rc = destroyQdisc(arena, ifindex);
                if (rc < 0 && !gone(rc)) {
                    throw BpfException.of("removing the clsact qdisc of ifindex " + ifindex
                            + " failed", -rc, "Remove it with tc qdisc del dev <if> clsact", log);
                }
            }
        }
    }

    /** Whether a detach failed only because the filter, the qdisc or the interface is gone already. */
    private static boolean gone(int rc) {
        return rc == -Errno.ENOENT || rc == -Errno.ENODEV || rc == -Errno.EINVAL;
    }

    @Override
    public String toString() {
        return "TcAttachment[" + program + " on ifindex " + ifindex + " "
                + (attachPoint == EGRESS ? "egress" : "ingress") + ", handle " + handle
                + ", priority " + priority + (closed ? ", closed" : "") + "]";
    }
}

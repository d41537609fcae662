package io.dint.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** One program of a {@link BpfObject}: attached to an interface or run on test input once loaded. */
public final class BpfProgram {

    /** Room the output of a test run gets beyond the input, for programs that grow the packet. */
    static final int TEST_RUN_GROWTH = 4096;

    // struct bpf_test_run_opts (bpf/bpf.h, libbpf 1.1), x86_64/aarch64 LP64: 80 bytes.
    private static final long TR_SIZE = 80;
    private static final long TR_DATA_IN = 8;
    private static final long TR_DATA_OUT = 16;
    private static final long TR_DATA_SIZE_IN = 24;
    private static final long TR_DATA_SIZE_OUT = 28;
    private static final long TR_RETVAL = 56;
    private static final long TR_REPEAT = 60;
    private static final long TR_DURATION = 64;
    private static final long TR_CTX_IN = 32;
    private static final long TR_CTX_SIZE_IN = 48;
    private static final long TR_FLAGS = 68;
    private static final long TR_BATCH_SIZE = 76;
    /** BPF_F_TEST_XDP_LIVE_FRAMES (linux/bpf.h): what the program returns is carried out. */
    private static final int F_TEST_XDP_LIVE_FRAMES = 1 << 1;
    // struct xdp_md: data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex.
    private static final long XDP_MD_SIZE = 24;
    private static final long XDP_MD_DATA_END = 4;
    private static final long XDP_MD_INGRESS_IFINDEX = 12;

    // struct bpf_prog_info (linux/bpf.h): run_time_ns and run_cnt; the kernel fills what we ask for.
    private static final int INFO_SIZE = 232;
    private static final long INFO_RUN_TIME_NS = 192;
    private static final long INFO_RUN_CNT = 200;

    private final BpfObject owner;
    private final MemorySegment prog;
    private final String name;
    private int fd = -1;

    BpfProgram(BpfObject owner, MemorySegment prog, String name) {
        this.owner = owner;
        this.prog = prog;
        this.name = name;
    }

    /** The C function name. */
    public String name() {
        return name;
    }

    /** The program's fd; the object must be loaded. */
    public int fd() {
        if (fd < 0) {
            owner.checkLoaded("the fd of program '" + name + "'");
            int f = LibBpf.programFd(prog);
            if (f < 0) {
                throw BpfException.of("program '" + name + "' has no fd", -f,
                        "Was it loaded (autoload off)?");
            }
            fd = f;
        }
        owner.checkOpen();
        return fd;
    }

    /**
     * Makes the verifier log this program at {@code level} (1 the path taken, 2 every state, 4
     * statistics) even when it loads; before load. By default the log is only made, at level 1,
     * when the load fails. A successful load whose log exceeds 4 MiB fails with ENOSPC.
     */
    public void setLogLevel(int level) {
        owner.checkNotLoaded("setLogLevel on program '" + name + "'");
        int rc = LibBpf.programSetLogLevel(prog, level);
        if (rc < 0) {
            throw BpfException.of("bpf_program__set_log_level(" + name + ", " + level + ") failed",
                    -rc, "Levels are 0 to 7");
        }
    }

    /**
     * Attaches this XDP program to the interface through a bpf_link (native mode where the driver
     * has it): it is detached when the link is closed or the process dies, unless the link is
     * pinned.
     */
    public BpfLink attachXdp(int ifindex) {
        fd();
        try (Arena arena = Arena.ofConfined(); LibbpfLog log = LibbpfLog.capture()) {
            MemorySegment state = arena.allocate(LibBpf.CALL_STATE);
            MemorySegment link = LibBpf.programAttachXdp(state, prog, ifindex);
            if (link.equals(MemorySegment.NULL)) {
                int errno = LibBpf.errno(state);
                String hint = switch (errno) {
                    case 16, 17 -> "Another XDP program is attached to the interface: remove it "
                            + "(ip link set dev <if> xdp off) or close its link";
                    case 19 -> "No interface has index " + ifindex;
                    case 22 -> "Is '" + name + "' an XDP program (SEC(\"xdp\"))?";
                    default -> "Check that the interface is up and supports XDP";
                };
                throw BpfException.of("attaching XDP program '" + name + "' to ifindex " + ifindex
                        + " failed", errno, hint, log);
            }
            return new BpfLink(link, "xdp:" + name + "@" + ifindex);
        }
    }

    /**
     * Attaches this TC program (SEC("tc")) to the interface's egress through a clsact qdisc,
     * which is created if missing and then removed again when the attachment is closed.
     */
    public TcAttachment attachTcEgress(int ifindex) {
        return TcAttachment.attach(fd(), name, ifindex, TcAttachment.EGRESS);
    }

    /** As {@link #attachTcEgress} on the ingress side. */
    public TcAttachment attachTcIngress(int ifindex) {
        return TcAttachment.attach(fd(), name, ifindex, TcAttachment.INGRESS);
    }

    /** Runs the program once on {@code packet} in the kernel (BPF_PROG_TEST_RUN). */
    public TestRun testRun(byte[] packet) {
        return testRun(packet, 1);
    }

    /**
     * Runs the program {@code repeat} times on {@code packet} (an Ethernet frame for XDP and TC
     * programs) without any interface: map side effects happen {@code repeat} times. Returns the
     * last verdict, the output packet and the mean time of one run.
     */
    public TestRun testRun(byte[] packet, int repeat) {
        if (repeat < 1) {
            throw new IllegalArgumentException("repeat must be at least 1: " + repeat);
        }
        int fd = fd();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocate(Math.max(packet.length, 1));
            MemorySegment.copy(packet, 0, in, JAVA_BYTE, 0, packet.length);
            int outCapacity = packet.length + TEST_RUN_GROWTH;
            MemorySegment out = arena.allocate(outCapacity);
            MemorySegment opts = arena.allocate(TR_SIZE, 8);
            opts.set(JAVA_LONG, 0, TR_SIZE);
            opts.set(ADDRESS, TR_DATA_IN, in);
            opts.set(ADDRESS, TR_DATA_OUT, out);
            opts.set(JAVA_INT, TR_DATA_SIZE_IN, packet.length);
            opts.set(JAVA_INT, TR_DATA_SIZE_OUT, outCapacity);
            opts.set(JAVA_INT, TR_REPEAT, repeat);
            int rc = LibBpf.progTestRunOpts(fd, opts);
            if (rc < 0) {
                String hint = switch (-rc) {
                    case 22 -> "XDP and TC programs need at least a 14-byte Ethernet frame; "
                            + "some program types cannot be test-run";
                    case 28 -> "The program grew the packet by more than " + TEST_RUN_GROWTH + " bytes";
                    case 524, 95 -> "This program type has no BPF_PROG_TEST_RUN";
                    default -> "Check the program type and the input";
                };
                throw BpfException.of("BPF_PROG_TEST_RUN of '" + name + "' failed", -rc, hint);
            }
            int outLength = Math.min(opts.get(JAVA_INT, TR_DATA_SIZE_OUT), outCapacity);
            return new TestRun(opts.get(JAVA_INT, TR_RETVAL),
                    out.asSlice(0, outLength).toArray(JAVA_BYTE),
                    Integer.toUnsignedLong(opts.get(JAVA_INT, TR_DURATION)));
        }
    }

    /**
     * Runs this XDP program {@code repeat} times on fresh copies of {@code frame} as if it had
     * arrived on interface {@code ifindex} of the calling thread's network namespace, and carries
     * out what it returns (BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES): XDP_TX sends the frame
     * out of that interface, XDP_REDIRECT redirects it. Runs on the calling CPU.
     */
    public void runLive(byte[] frame, int ifindex, int repeat) {
        if (repeat < 1) {
            throw new IllegalArgumentException("repeat must be at least 1: " + repeat);
        }
        int fd = fd();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocate(frame.length);
            MemorySegment.copy(frame, 0, in, JAVA_BYTE, 0, frame.length);
            MemorySegment md = arena.allocate(XDP_MD_SIZE, 4);
            md.set(JAVA_INT, XDP_MD_DATA_END, frame.length);
            md.set(JAVA_INT, XDP_MD_INGRESS_IFINDEX, ifindex);
            MemorySegment opts = arena.allocate(TR_SIZE, 8);
            opts.set(JAVA_LONG, 0, TR_SIZE);
            opts.set(ADDRESS, TR_DATA_IN, in);
            opts.set(JAVA_INT, TR_DATA_SIZE_IN, frame.length);
            opts.set(ADDRESS, TR_CTX_IN, md);
            opts.set(JAVA_INT, TR_CTX_SIZE_IN, (int) XDP_MD_SIZE);
            opts.set(JAVA_INT, TR_REPEAT, repeat);
            opts.set(JAVA_INT, TR_FLAGS, F_TEST_XDP_LIVE_FRAMES);
            opts.set(JAVA_INT, TR_BATCH_SIZE, Math.min(repeat, 256));
            int rc = LibBpf.progTestRunOpts(fd, opts);
            if (rc < 0) {
                throw BpfException.of("BPF_PROG_RUN (live frames) of '" + name + "' on ifindex " + ifindex + " failed", -rc,
                        "Live frames need an XDP program, a frame of at least 14 bytes, and an interface of this"
                                + " thread's namespace that is up (kernel >= 5.18)");
            }
        }
    }

    /**
     * The kernel's run count and total run time of this program, counted only while statistics
     * are on ({@link BpfStats#enable()}).
     */
    public ProgStats stats() {
        int fd = fd();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(INFO_SIZE, 8);
            MemorySegment length = arena.allocate(JAVA_INT);
            length.set(JAVA_INT, 0, INFO_SIZE);
            int rc = LibBpf.objGetInfoByFd(fd, info, length);
            if (rc < 0) {
                throw BpfException.of("bpf_obj_get_info_by_fd of program '" + name + "' failed", -rc,
                        "Is the program still loaded?");
            }
            return new ProgStats(info.get(JAVA_LONG, INFO_RUN_TIME_NS), info.get(JAVA_LONG, INFO_RUN_CNT));
        }
    }

    @Override
    public String toString() {
        return "BpfProgram[" + name + "]";
    }
}

package io.dint.bpf;

import static io.dint.bpf.BpfStructs.BPF_PROG_INFO;
import static io.dint.bpf.BpfStructs.BPF_TEST_RUN_OPTS;
import static io.dint.bpf.BpfStructs.XDP_MD;
import static io.dint.bpf.LibBpf.LIBBPF;
import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.dint.sys.Errno;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/** One program of a {@link BpfObject}: attached to an interface or run on test input once loaded. */
public final class BpfProgram extends BpfObjectPart {

    /** Room the output of a test run gets beyond the input, for programs that grow the packet. */
    static final int TEST_RUN_GROWTH = 4096;

    /** BPF_F_TEST_XDP_LIVE_FRAMES (linux/bpf.h): what the program returns is carried out. */
    static final int F_TEST_XDP_LIVE_FRAMES = 1 << 1;

    private static final VarHandle TR_SZ = field(BPF_TEST_RUN_OPTS, "sz");
    private static final VarHandle TR_DATA_IN = field(BPF_TEST_RUN_OPTS, "data_in");
    private static final VarHandle TR_DATA_OUT = field(BPF_TEST_RUN_OPTS, "data_out");
    private static final VarHandle TR_DATA_SIZE_IN = field(BPF_TEST_RUN_OPTS, "data_size_in");
    private static final VarHandle TR_DATA_SIZE_OUT = field(BPF_TEST_RUN_OPTS, "data_size_out");
    private static final VarHandle TR_CTX_IN = field(BPF_TEST_RUN_OPTS, "ctx_in");
    private static final VarHandle TR_CTX_SIZE_IN = field(BPF_TEST_RUN_OPTS, "ctx_size_in");
    private static final VarHandle TR_RETVAL = field(BPF_TEST_RUN_OPTS, "retval");
    private static final VarHandle TR_REPEAT = field(BPF_TEST_RUN_OPTS, "repeat");
    private static final VarHandle TR_DURATION = field(BPF_TEST_RUN_OPTS, "duration");
    private static final VarHandle TR_FLAGS = field(BPF_TEST_RUN_OPTS, "flags");
    private static final VarHandle TR_BATCH_SIZE = field(BPF_TEST_RUN_OPTS, "batch_size");
    private static final VarHandle MD_DATA_END = field(XDP_MD, "data_end");
    private static final VarHandle MD_INGRESS_IFINDEX = field(XDP_MD, "ingress_ifindex");
    private static final VarHandle INFO_RUN_TIME_NS = field(BPF_PROG_INFO, "run_time_ns");
    private static final VarHandle INFO_RUN_CNT = field(BPF_PROG_INFO, "run_cnt");

    BpfProgram(BpfObject owner, MemorySegment prog, String name) {
        super(owner, prog, name, "program", LIBBPF::bpf_program__fd, "Was it loaded (autoload off)?");
    }

    /**
     * Makes the verifier log this program at {@code level} (1 the path taken, 2 every state, 4
     * statistics) even when it loads; before load. By default the log is only made, at level 1,
     * when the load fails. A successful load whose log exceeds 4 MiB fails with ENOSPC.
     */
    public void setLogLevel(int level) {
        owner.checkNotLoaded("setLogLevel on program '" + name + "'");
        check(LIBBPF.bpf_program__set_log_level(ptr, level), "bpf_program__set_log_level(" + name + ", " + level
                + ") failed", "Levels are 0 to 7");
    }

    /**
     * Attaches this XDP program to the interface through a bpf_link (native mode where the driver
     * has it): it is detached when the link is closed or the process dies, unless the link is
     * pinned.
     */
    public BpfLink attachXdp(int ifindex) {
        fd();
        try (LibbpfLog log = LibbpfLog.capture()) {
            MemorySegment link = LIBBPF.bpf_program__attach_xdp(ptr, ifindex);
            if (link.equals(MemorySegment.NULL)) {
                int errno = Errno.last();
                String hint = switch (errno) {
                    case Errno.EBUSY, Errno.EEXIST -> "Another XDP program is attached to the interface: remove it "
                            + "(ip link set dev <if> xdp off) or close its link";
                    case Errno.ENODEV -> "No interface has index " + ifindex;
                    case Errno.EINVAL -> "Is '" + name + "' an XDP program (SEC(\"xdp\"))?";
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
            MemorySegment opts = testRunOpts(arena, in, packet.length, repeat);
            TR_DATA_OUT.set(opts, 0L, out);
            TR_DATA_SIZE_OUT.set(opts, 0L, outCapacity);
            int rc = LIBBPF.bpf_prog_test_run_opts(fd, opts);
            if (rc < 0) {
                String hint = switch (-rc) {
                    case Errno.EINVAL -> "XDP and TC programs need at least a 14-byte Ethernet frame; "
                            + "some program types cannot be test-run";
                    case Errno.ENOSPC -> "The program grew the packet by more than " + TEST_RUN_GROWTH + " bytes";
                    case Errno.ENOTSUPP, Errno.EOPNOTSUPP -> "This program type has no BPF_PROG_TEST_RUN";
                    default -> "Check the program type and the input";
                };
                throw BpfException.of("BPF_PROG_TEST_RUN of '" + name + "' failed", -rc, hint);
            }
            int outLength = Math.min((int) TR_DATA_SIZE_OUT.get(opts, 0L), outCapacity);
            return new TestRun((int) TR_RETVAL.get(opts, 0L),
                    out.asSlice(0, outLength).toArray(JAVA_BYTE),
                    Integer.toUnsignedLong((int) TR_DURATION.get(opts, 0L)));
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
            MemorySegment md = arena.allocate(XDP_MD);
            MD_DATA_END.set(md, 0L, frame.length);
            MD_INGRESS_IFINDEX.set(md, 0L, ifindex);
            MemorySegment opts = testRunOpts(arena, in, frame.length, repeat);
            TR_CTX_IN.set(opts, 0L, md);
            TR_CTX_SIZE_IN.set(opts, 0L, (int) XDP_MD.byteSize());
            TR_FLAGS.set(opts, 0L, F_TEST_XDP_LIVE_FRAMES);
            TR_BATCH_SIZE.set(opts, 0L, Math.min(repeat, 256));
            int rc = LIBBPF.bpf_prog_test_run_opts(fd, opts);
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
            MemorySegment info = arena.allocate(BPF_PROG_INFO);
            MemorySegment length = arena.allocateFrom(JAVA_INT, (int) BPF_PROG_INFO.byteSize());
            check(LIBBPF.bpf_obj_get_info_by_fd(fd, info, length), "bpf_obj_get_info_by_fd of program '" + name
                    + "' failed", "Is the program still loaded?");
            return new ProgStats((long) INFO_RUN_TIME_NS.get(info, 0L), (long) INFO_RUN_CNT.get(info, 0L));
        }
    }

    /** bpf_test_run_opts of its own size, for {@code repeat} runs on {@code length} bytes at {@code in}. */
    private static MemorySegment testRunOpts(Arena arena, MemorySegment in, int length, int repeat) {
        MemorySegment opts = arena.allocate(BPF_TEST_RUN_OPTS);
        TR_SZ.set(opts, 0L, BPF_TEST_RUN_OPTS.byteSize());
        TR_DATA_IN.set(opts, 0L, in);
        TR_DATA_SIZE_IN.set(opts, 0L, length);
        TR_REPEAT.set(opts, 0L, repeat);
        return opts;
    }

    private static VarHandle field(StructLayout layout, String name) {
        return layout.varHandle(groupElement(name));
    }

    @Override
    public String toString() {
        return "BpfProgram[" + name + "]";
    }
}

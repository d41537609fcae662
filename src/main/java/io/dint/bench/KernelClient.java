package io.dint.bench;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.dint.bpf.BpfLink;
import io.dint.bpf.BpfMap;
import io.dint.bpf.BpfObject;
import io.dint.bpf.Handle;
import io.dint.bpf.ObjectSpec;
import io.dint.bpf.BpfProgram;
import io.dint.bpf.NetIf;
import io.dint.cluster.Host;
import io.dint.net.NetNs;
import io.dint.wire.Header;
import io.dint.wire.KvMessage;
import io.dint.wire.LockMessage;
import io.dint.wire.LogMessage;
import io.dint.wire.OccMessage;
import io.dint.wire.Wire;
import io.dint.xsk.UdpFrame;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.HdrHistogram.Histogram;

/**
 * The in-kernel closed-loop load generator ({@code loadgen.bpf.c}) on a client host's interface:
 * {@code slots} requests in flight against one server, each reply turned into the slot's next
 * request in the kernel. This class fills the trace, starts every slot with a kick (a frame run
 * through the program with BPF_PROG_RUN in live-frame mode, which sends what the program makes of
 * it), resends requests that got no answer within the timeout the same way, and reads the
 * program's counters and latency histograms.
 *
 * <p>Everything runs on one platform thread inside the client's namespace (live frames and
 * interface indexes are per namespace); pin the caller to the client's cores before {@link #start}
 * so that thread, and the kicks it sends, stay there.
 */
public final class KernelClient implements AutoCloseable {
    /** The service a generator speaks, as {@code enum lg_service}, with its message size. */
    public enum Service {
        LOCK2PL(LoadGenLayout.LOCK2PL, LockMessage.SIZE),
        OCC(LoadGenLayout.OCC, OccMessage.SIZE),
        LOG(LoadGenLayout.LOG, LogMessage.SIZE),
        KV(LoadGenLayout.KV, KvMessage.SIZE);

        final int id;
        final int messageSize;

        Service(int id, int messageSize) {
            this.id = id;
            this.messageSize = messageSize;
        }
    }

    /** Transactions for the generator: keys in ascending order, some exclusive (2PL), written (OCC) or SET (KV). */
    public interface Trace {
        int length();

        int keys(int txn);

        long key(int txn, int i);

        boolean exclusive(int txn, int i);
    }

    /** UDP port the generator's requests come from (replies to it are the generator's). */
    public static final int CLIENT_PORT = 40_000;
    private static final long WATCHDOG_PERIOD_NANOS = 2_000_000L;
    private static final long DRAIN_NANOS = 10_000_000_000L; // a loaded machine's server may take seconds to answer every slot
    private static final VarHandle INT_RELEASE = JAVA_INT.varHandle();

    private final Service service;
    private final int slots;
    private final long timeoutNanos;
    private final Thread thread;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private volatile boolean running = true;
    private volatile Throwable failure;
    private volatile int unparked = -1;
    // set by the generator's thread before ready completes
    /** {@code loadgen.bpf.o} loaded: its XDP program and the maps this side reads and writes. */
    record LoadGenObject(BpfObject object, @Handle("loadgen_xdp") BpfProgram xdp, @Handle("trace") BpfMap trace,
            @Handle("counters") BpfMap counters, @Handle("latency") BpfMap latency, @Handle("control") BpfMap control,
            @Handle("slots") BpfMap slots) {}

    private LoadGenObject object;
    private BpfMap counters;
    private BpfMap latency;
    private MemorySegment control;
    private MemorySegment slotTable;

    private KernelClient(Service service, int slots, long timeoutNanos, Host client, Host server, Trace trace, int clientId) {
        this.service = service;
        this.slots = slots;
        this.timeoutNanos = timeoutNanos;
        this.thread = Thread.ofPlatform().name("kernel-client").daemon().unstarted(() -> run(client, server, trace, clientId));
    }

    /**
     * Loads the generator on {@code client}'s interface, fills the trace and starts {@code slots}
     * requests in flight against {@code server}; requests unanswered after {@code timeoutNanos}
     * are resent. Returns once every slot has been started.
     */
    public static KernelClient start(Service service, int slots, long timeoutNanos, Host client, Host server, Trace trace,
                                     int clientId) {
        if (slots < 1 || slots > LoadGenLayout.MAX_SLOTS) {
            throw new IllegalArgumentException("the kernel client keeps 1.." + LoadGenLayout.MAX_SLOTS
                    + " requests in flight, asked for " + slots);
        }
        if (trace.length() < 1) {
            throw new IllegalArgumentException("the kernel client needs a trace of at least one transaction");
        }
        KernelClient k = new KernelClient(service, slots, timeoutNanos, client, server, trace, clientId);
        k.thread.start();
        try {
            k.ready.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            k.close();
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            k.close();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("the kernel client did not start within 60 s", e);
        }
        return k;
    }

    private void run(Host client, Host server, Trace trace, int clientId) {
        BpfLink link = null;
        try (Arena arena = Arena.ofShared()) {
            try {
                if (client.netns() != null) { // null: the client host is this process's own
                    NetNs.enter(client.netns());
                }
                object = ObjectSpec.of("loadgen").size("trace", trace.length())
                        .set("lg_cfg", LoadGenLayout.CONFIG, cfg -> configure(cfg, trace.length(), clientId))
                        .load(LoadGenObject.class);
                fill(object.trace().mmap(arena), trace);
                counters = object.counters();
                latency = object.latency();
                control = object.control().mmap(arena);
                slotTable = object.slots().mmap(arena);
                int ifindex = NetIf.index(client.iface());
                BpfProgram program = object.xdp();
                link = program.attachXdp(ifindex);
                byte[] kick = kickFrame(client, server);
                int[] all = new int[slots];
                for (int i = 0; i < slots; i++) {
                    all[i] = i;
                }
                kick(program, kick, ifindex, all, slots);
                ready.complete(null);
                watch(program, kick, ifindex);
            } catch (Throwable t) {
                failure = t;
                ready.completeExceptionally(t);
            } finally {
                if (control != null) {
                    control.set(JAVA_INT, LoadGenLayout.CONTROL_STOP, 2);
                }
                if (link != null) {
                    link.close();
                }
                if (object != null) {
                    object.object().close();
                }
            }
        }
    }

    private void configure(MemorySegment cfg, int traceLength, int clientId) {
        cfg.set(JAVA_INT, LoadGenLayout.CONFIG_SERVICE, service.id);
        cfg.set(JAVA_INT, LoadGenLayout.CONFIG_SLOTS, slots);
        cfg.set(JAVA_INT, LoadGenLayout.CONFIG_TRACE_LEN, traceLength);
        cfg.set(JAVA_INT, LoadGenLayout.CONFIG_CLIENT_ID, clientId);
        cfg.set(JAVA_INT, LoadGenLayout.CONFIG_INCARNATION, ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE));
        cfg.set(JAVA_SHORT, LoadGenLayout.CONFIG_CLIENT_PORT, Short.reverseBytes((short) CLIENT_PORT));
        cfg.set(JAVA_LONG, LoadGenLayout.CONFIG_RESEND_NS, timeoutNanos / 2);
    }

    private static void fill(MemorySegment table, Trace trace) {
        long size = LoadGenLayout.TXN.byteSize();
        for (int t = 0; t < trace.length(); t++) {
            long at = t * size;
            int n = trace.keys(t);
            if (n < 1 || n > LoadGenLayout.MAX_KEYS) {
                throw new IllegalArgumentException("transaction " + t + " of the trace has " + n + " keys; the kernel client takes 1.."
                        + LoadGenLayout.MAX_KEYS);
            }
            int exclusive = 0;
            for (int i = 0; i < n; i++) {
                table.set(JAVA_LONG, at + LoadGenLayout.TXN_KEY + 8L * i, trace.key(t, i));
                if (trace.exclusive(t, i)) {
                    exclusive |= 1 << i;
                }
            }
            table.set(JAVA_INT, at + LoadGenLayout.TXN_N, n);
            table.set(JAVA_INT, at + LoadGenLayout.TXN_EXCLUSIVE, exclusive);
        }
    }

    /** A frame addressed like the server's reply to the generator, carrying a kick. */
    private byte[] kickFrame(Host client, Host server) {
        byte[] payload = new byte[service.messageSize];
        MemorySegment p = MemorySegment.ofArray(payload);
        Header.encodeRequest(p, 0, 0, 0); // op NONE
        Header.setStatus(p, LoadGenLayout.KICK);
        return UdpFrame.frame(UdpFrame.parseMac(server.mac()), server.ipv4(), Wire.PORT,
                UdpFrame.parseMac(client.mac()), client.ipv4(), CLIENT_PORT, payload);
    }

    private void kick(BpfProgram program, byte[] frame, int ifindex, int[] which, int count) {
        for (int i = 0; i < count; i++) {
            control.set(JAVA_INT, LoadGenLayout.CONTROL_KICK + 4L * i, which[i]);
        }
        INT_RELEASE.setRelease(control, LoadGenLayout.CONTROL_KICK_NEXT, 0);
        program.runLive(frame, ifindex, count);
    }

    /**
     * Resends what has waited longer than the timeout until asked to stop; then lets every slot
     * give back what it holds and park (still resending), for at most {@link #DRAIN_NANOS}.
     */
    private void watch(BpfProgram program, byte[] frame, int ifindex) throws InterruptedException {
        int[] stuck = new int[slots];
        long stride = LoadGenLayout.SLOT.byteSize();
        long drainDeadline = 0;
        for (;;) {
            TimeUnit.NANOSECONDS.sleep(WATCHDOG_PERIOD_NANOS);
            long now = System.nanoTime(); // CLOCK_MONOTONIC, as bpf_ktime_get_ns
            if (!running && drainDeadline == 0) {
                INT_RELEASE.setRelease(control, LoadGenLayout.CONTROL_STOP, 1);
                drainDeadline = now + DRAIN_NANOS;
            }
            int n = 0;
            int parked = 0;
            for (int s = 0; s < slots; s++) {
                if (slotTable.get(JAVA_INT, s * stride + LoadGenLayout.SLOT_PHASE) == LoadGenLayout.PHASE_PARKED) {
                    parked++;
                } else if (now - slotTable.get(JAVA_LONG, s * stride + LoadGenLayout.SLOT_SENT_NS) > timeoutNanos) {
                    stuck[n++] = s;
                }
            }
            if (drainDeadline != 0 && (parked == slots || now > drainDeadline)) {
                unparked = slots - parked;
                return;
            }
            if (n > 0) {
                kick(program, frame, ifindex, stuck, n);
            }
        }
    }

    /** Slots that had not given back everything when the generator stopped (0 after a clean stop). */
    public int unparked() {
        return unparked;
    }

    /** Program counters summed over CPUs, indexed by {@code LoadGenLayout.STAT_*}. */
    public long[] counters() {
        requireRunning();
        long[] sum = new long[LoadGenLayout.STAT_MAX];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(counters.valueBytes(), 8);
            if (counters.lookup(0, v)) {
                int stride = counters.perCpuValueSize();
                for (int cpu = 0; cpu < BpfMap.possibleCpus(); cpu++) {
                    for (int i = 0; i < sum.length; i++) {
                        sum[i] += v.get(JAVA_LONG, (long) cpu * stride + 8L * i);
                    }
                }
            }
        }
        return sum;
    }

    /** Bucket counts of the request ({@code txn == false}) or transaction latency histogram, summed over CPUs. */
    public long[] histogram(boolean txn) {
        requireRunning();
        long[] h = new long[LoadGenLayout.HIST_BUCKETS];
        int base = txn ? LoadGenLayout.HIST_BUCKETS : 0;
        for (int b = 0; b < h.length; b++) {
            h[b] = latency.sumPerCpuLong(base + b);
        }
        return h;
    }

    /** The latencies between two histogram readings, as an HdrHistogram (each at its bucket's low bound). */
    public static Histogram delta(long[] before, long[] after) {
        Histogram h = new Histogram(3);
        for (int b = 0; b < after.length; b++) {
            long n = after[b] - before[b];
            if (n > 0) {
                h.recordValueWithCount(Math.max(1, LoadGenLayout.bucketLow(b)), n);
            }
        }
        return h;
    }

    private void requireRunning() {
        if (failure != null) {
            throw new IllegalStateException("the kernel client failed: " + failure, failure);
        }
    }

    /**
     * Stops the loop: every transaction gives back what it holds (releases its locks, aborts its
     * OCC locks) and its slot parks; then the program is detached and unloaded.
     */
    @Override
    public void close() {
        running = false; // the thread drains, then detaches and unloads
        try {
            thread.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

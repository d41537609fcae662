package io.dint.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bpf.BpfMap;
import io.dint.bpf.BpfObject;
import io.dint.bpf.BpfProgram;
import io.dint.bpf.ObjectSpec;
import io.dint.bpf.Tc;
import io.dint.bpf.TestRun;
import io.dint.bpf.Xdp;
import io.dint.kv.KvObject;
import io.dint.kv.KvService;
import io.dint.kv.KvSlowPath;
import io.dint.kv.KvStore;
import io.dint.lock.LockObject;
import io.dint.lock.LockTable;
import io.dint.lock.LockTableCheck;
import io.dint.occ.OccObject;
import io.dint.occ.OccTable;
import io.dint.occ.OccTableCheck;
import io.dint.server.Allowlist;
import io.dint.server.DatagramService;
import io.dint.server.StatCounters;
import io.dint.shard.ShardLog;
import io.dint.shard.ShardObject;
import io.dint.shard.ShardSlowPath;
import io.dint.shard.ShardStore;
import io.dint.shard.ShardXdpServer;
import io.dint.testing.CacheInvariants;
import io.dint.testing.FrameMutator;
import io.dint.testing.Frames;
import io.dint.testing.Fuzz;
import io.dint.testing.ServiceProgram;
import io.dint.testing.WellFormed;
import io.dint.wire.Header;
import io.dint.wire.Stat;
import io.dint.wire.Status;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every service's XDP program through BPF_PROG_TEST_RUN with {@link Fuzz#frames} frames from a
 * {@link FrameMutator}: well-formed requests, mutations of them and random bytes, from inside and
 * outside the allowlist. For every frame: never XDP_ABORTED; a reply (XDP_TX) or a request passed
 * up to the slow path only for what {@link WellFormed} calls a well-formed request, and never a
 * drop or an untouched pass of one; a reply that is the request turned around, its header echoed,
 * and byte for byte what the Java twin of the service answers (lock2pl, occ, kv); a slow-path trip
 * (Java slow path, then the TC egress program) completed with TC_ACT_OK. After every batch of
 * {@link #BATCH}: the counters account for every verdict, and the maps' invariants hold — lock
 * entries consistent and not spinning, no bucket locked, every cached key in its bucket with its
 * Bloom bit, ring cursors sane and one ring record per ACKed append.
 */
class XdpFuzzTest {
    static final int BATCH = 1000;
    static final Allowlist ALLOW = Allowlist.parse("10.231.0.0/24");
    private static final int[] DROPS = {Stat.DROP_IP_OPTIONS, Stat.DROP_TRUNCATED, Stat.DROP_BAD_LENGTH, Stat.DROP_BAD_OP,
        Stat.DROP_NOT_ALLOWED, Stat.DROP_BAD_HEADER};

    @ParameterizedTest
    @EnumSource(ServiceProgram.class)
    void everyFrameGetsAVerdictAndOnlyWellFormedRequestsAnAnswer(ServiceProgram service) {
        int frames = Fuzz.frames();
        SplittableRandom rnd = new SplittableRandom(Fuzz.seed() ^ service.ordinal());
        try (BpfObject obj = service.load(ALLOW); Twin twin = Twin.of(service)) {
            BpfProgram xdp = obj.program(service.program());
            BpfProgram tc = service.tcProgram() == null ? null : obj.program(service.tcProgram());
            twin.attach(obj);
            FrameMutator frames0 = new FrameMutator(rnd, seq -> twin.adjust(service.request(rnd, seq), rnd));
            StatCounters before = StatCounters.read(obj);
            int[] outcomes = new int[OUTCOMES];
            int ok = 0;
            for (int i = 1; i <= frames; i++) {
                byte[] f = frames0.next();
                TestRun r = xdp.testRun(f);
                String what = "frame " + i + " " + HexFormat.of().formatHex(f);
                byte[] reply = judge(service, f, r, twin, tc, what);
                int outcome = outcome(f, r);
                outcomes[outcome]++;
                ok += outcome == TX && Header.status(MemorySegment.ofArray(reply)) == Status.OK ? 1 : 0;
                if (i % BATCH == 0 || i == frames) {
                    StatCounters now = StatCounters.read(obj);
                    assertThat(now.since(before, Stat.RX)).as("RX counts every frame").isEqualTo(i);
                    assertThat(now.since(before, Stat.TX)).as("TX counts every reply").isEqualTo(outcomes[TX]);
                    assertThat(since(now, before, DROPS)).as("drop counters").isEqualTo(outcomes[DROP]);
                    assertThat(since(now, before, Stat.PASS_NOT_OURS, Stat.KV_SLOW)).as("pass counters")
                            .isEqualTo(outcomes[PASS] + outcomes[GROWN]);
                    twin.checkInvariants(obj, ok, "after " + i + " frames");
                    twin.batchDone(i / BATCH);
                }
            }
            twin.finish();
            assertThat(outcomes[TX] + outcomes[GROWN]).as("well-formed requests served").isGreaterThan(frames / 5);
            assertThat(outcomes[DROP]).as("frames dropped").isGreaterThan(frames / 10);
            if (tc != null) {
                assertThat(outcomes[GROWN]).as("slow-path trips").isPositive();
            }
            Fuzz.report(service.file(), frames);
        }
    }

    static final int TX = 0, PASS = 1, GROWN = 2, DROP = 3, OUTCOMES = 4;

    /** TX, PASS (untouched), GROWN (passed up to the slow path) or DROP; {@link #judge} has checked the verdict. */
    static int outcome(byte[] f, TestRun r) {
        return switch (r.verdict()) {
            case Xdp.TX -> TX;
            case Xdp.DROP -> DROP;
            default -> Arrays.equals(r.output(), f) ? PASS : GROWN;
        };
    }

    /**
     * Holds one frame's test run to the rules: never XDP_ABORTED (or any verdict but TX, PASS,
     * DROP); a reply or a pass up to the slow path only for a well-formed request, whose reply is
     * the request turned around and what the twin answers; a drop or an untouched pass never for a
     * well-formed request. Completes a slow-path trip through the twin's slow path and {@code tc}.
     * Returns the reply payload, or null when there is none.
     */
    static byte[] judge(ServiceProgram service, byte[] f, TestRun r, Twin twin, BpfProgram tc, String what) {
        byte[] request = WellFormed.request(f, service, ALLOW);
        switch (r.verdict()) {
            case Xdp.TX -> {
                assertThat(request).as("answered, so well-formed: %s", what).isNotNull();
                byte[] reply = reply(f, r.output(), service.size(), what);
                twin.compare(request, reply, what);
                return reply;
            }
            case Xdp.PASS -> {
                if (Arrays.equals(r.output(), f)) {
                    assertThat(request).as("a well-formed request passed up untouched: %s", what).isNull();
                    return null;
                }
                assertThat(request).as("passed up to the slow path, so well-formed: %s", what).isNotNull();
                assertThat(tc).as("grown by a service without slow path: %s", what).isNotNull();
                byte[] reply = slowPathTrip(r.output(), twin, tc, service.size(), what);
                twin.compare(request, reply, what);
                return reply;
            }
            case Xdp.DROP -> {
                assertThat(r.output()).as("dropped untouched: %s", what).isEqualTo(f);
                assertThat(request).as("a well-formed request dropped: %s", what).isNull();
                return null;
            }
            default -> throw new AssertionError("verdict " + r.verdict() + " (never XDP_ABORTED): " + what);
        }
    }

    /**
     * The judge fails a program that answers what it should not, drops a well-formed request or
     * aborts: the test fixture's XDP program, whose verdict is a constant, stands in for a broken
     * lock2pl.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {Xdp.TX, Xdp.DROP, Xdp.PASS, Xdp.ABORTED})
    void theJudgeFailsAProgramThatBreaksTheRules(int verdict) throws Exception {
        SplittableRandom rnd = new SplittableRandom(1);
        FrameMutator gen = new FrameMutator(rnd, seq -> ServiceProgram.LOCK2PL.request(rnd, seq));
        try (BpfObject fixture = io.dint.bpf.TestObjects.openFixture(); Twin twin = Twin.of(ServiceProgram.LOCK2PL);
             Arena arena = Arena.ofConfined()) {
            fixture.variable("verdict").set(arena.allocateFrom(ValueLayout.JAVA_INT, verdict));
            fixture.load();
            BpfProgram p = fixture.program("fixture_xdp");
            int failed = 0;
            for (int i = 0; i < 50; i++) {
                byte[] f = gen.next();
                try {
                    judge(ServiceProgram.LOCK2PL, f, p.testRun(f), twin, null, "frame " + i);
                } catch (AssertionError expected) {
                    failed++;
                }
            }
            assertThat(failed).as("frames judged wrong among 50").isPositive();
        }
    }

    /** The bridge ports' program passes every frame untouched. */
    @org.junit.jupiter.api.Test
    void thePassProgramPassesEverythingUntouched() {
        int frames = Fuzz.frames();
        SplittableRandom rnd = new SplittableRandom(Fuzz.seed() ^ 0x9a55);
        FrameMutator gen = new FrameMutator(rnd, seq -> ServiceProgram.LOCK2PL.request(rnd, seq));
        try (BpfObject obj = BpfObject.openBundled("pass")) {
            obj.load();
            BpfProgram p = obj.program("pass_xdp");
            for (int i = 0; i < frames; i++) {
                byte[] f = gen.next();
                TestRun r = p.testRun(f);
                assertThat(r.verdict()).isEqualTo(Xdp.PASS);
                assertThat(r.output()).isEqualTo(f);
            }
        }
        Fuzz.report("pass", frames);
    }

    /** The reply payload of an XDP_TX frame, after checking the frame is the request turned around with the header echoed. */
    static byte[] reply(byte[] request, byte[] out, int size, String what) {
        byte[] reply = Arrays.copyOfRange(out, WellFormed.PAYLOAD, WellFormed.PAYLOAD + size);
        assertThat(out).as("the reply frame: %s", what).isEqualTo(Frames.expectedReply(request, reply));
        MemorySegment q = MemorySegment.ofArray(Arrays.copyOfRange(request, WellFormed.PAYLOAD, WellFormed.PAYLOAD + size));
        MemorySegment a = MemorySegment.ofArray(reply);
        assertThat(Header.op(a)).as("op echoed: %s", what).isEqualTo(Header.op(q));
        assertThat(Header.clientId(a)).as("client echoed: %s", what).isEqualTo(Header.clientId(q));
        assertThat(Header.seq(a)).as("seq echoed: %s", what).isEqualTo(Header.seq(q));
        assertThat(Header.status(a)).as("a reply's status: %s", what).isNotEqualTo(Status.REQUEST);
        return reply;
    }

    /**
     * Completes a request XDP passed up: its datagram served by the Java slow path, whose reply (the
     * frame the stack would send: the request's headers turned around, no padding) goes through the
     * TC egress program, which must let it out shrunk to the plain message. Returns its payload.
     */
    static byte[] slowPathTrip(byte[] grown, Twin twin, BpfProgram tc, int size, String what) {
        int ipLen = WellFormedBytes.u16(grown, 16);
        byte[] datagram = Arrays.copyOf(grown, 14 + ipLen);
        byte[] up = Arrays.copyOfRange(datagram, WellFormed.PAYLOAD, datagram.length);
        assertThat(up.length).as("grown by a trailer: %s", what).isEqualTo(size + Wire.KV_SLOW_SIZE);
        assertThat(Frames.ipChecksum(datagram, 14, 20)).as("grown frame's IP checksum: %s", what)
                .isEqualTo(WellFormedBytes.u16(datagram, 24));
        byte[] slowReply = twin.slowPath(up);
        assertThat(slowReply).as("the slow path answers what XDP passed up: %s", what).isNotNull();
        TestRun e = tc.testRun(Frames.expectedReply(datagram, slowReply));
        assertThat(e.verdict()).as("TC verdict: %s", what).isEqualTo(Tc.OK);
        byte[] out = e.output();
        assertThat(out.length).as("shrunk: %s", what).isEqualTo(WellFormed.PAYLOAD + size);
        assertThat(WellFormedBytes.u16(out, 16)).isEqualTo(28 + size);
        assertThat(WellFormedBytes.u16(out, 38)).isEqualTo(8 + size);
        assertThat(Frames.ipChecksum(out, 14, 20)).as("IP checksum after TC: %s", what).isEqualTo(WellFormedBytes.u16(out, 24));
        return Arrays.copyOfRange(out, WellFormed.PAYLOAD, WellFormed.PAYLOAD + size);
    }

    /** How much the counters {@code which} grew together since {@code before}. */
    private static long since(StatCounters now, StatCounters before, int... which) {
        long n = 0;
        for (int stat : which) {
            n += now.since(before, stat);
        }
        return n;
    }

    /** Byte access for frames. */
    static final class WellFormedBytes {
        static int u16(byte[] f, int at) {
            return ((f[at] & 0xff) << 8) | (f[at + 1] & 0xff);
        }
    }

    /**
     * The Java side of a service under fuzz: its slow path (kv, shard), its Java twin that must
     * answer every well-formed request as the kernel did (lock2pl, occ, kv), and its maps' invariants.
     */
    abstract static class Twin implements AutoCloseable {
        final long[] stats = new long[Stat.MAX];
        private final Arena arena = Arena.ofConfined();
        final MemorySegment buf = arena.allocate(2048, 8);

        static Twin of(ServiceProgram service) {
            return switch (service) {
                case LOCK2PL -> TableTwin.locks();
                case OCC -> TableTwin.occ();
                case LOG -> new LogTwin();
                case KV -> new KvTwin();
                case SHARD -> new ShardTwin();
            };
        }

        /** {@code service} serves {@code payload}; returns its reply, or null when it drops it. */
        byte[] serve(DatagramService service, byte[] payload) {
            MemorySegment.copy(MemorySegment.ofArray(payload), 0, buf, 0, payload.length);
            int n = service.serve(buf, payload.length, stats);
            return n < 0 ? null : buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        }

        /** Asserts the twin's reply to {@code request} is {@code kernel}; nothing for services without a twin. */
        void compare(byte[] request, byte[] kernel, String what) {
        }

        byte[] slowPath(byte[] up) {
            throw new AssertionError("no slow path");
        }

        /** The loaded object under fuzz, before the first frame. */
        void attach(BpfObject obj) {
        }

        /** A well-formed request as the twin wants it sent (some carry state only the twin knows). */
        byte[] adjust(byte[] request, SplittableRandom rnd) {
            return request;
        }

        /** After batch {@code batch} (from 1) and its checks. */
        void batchDone(int batch) {
        }

        /** After the last frame: asserts what the fuzz must have reached. */
        void finish() {
        }

        /** {@code ok}: replies with status OK so far. */
        abstract void checkInvariants(BpfObject obj, int ok, String when);

        @Override
        public void close() {
            arena.close();
        }
    }

    /**
     * A lock table service (lock2pl, occ) and its Java twin: every reply the same, and after every
     * batch the same table, no entry spinning or breaking the rules.
     *
     * @param <C> what a scan of the table finds
     */
    static final class TableTwin<C> extends Twin {
        private final DatagramService table;
        private final Function<BpfObject, C> kernelScan;
        private final Supplier<C> javaScan;
        private final ToLongFunction<C> spinning;
        private final ToLongFunction<C> inconsistent;

        TableTwin(DatagramService table, Function<BpfObject, C> kernelScan, Supplier<C> javaScan, ToLongFunction<C> spinning,
                  ToLongFunction<C> inconsistent) {
            this.table = table;
            this.kernelScan = kernelScan;
            this.javaScan = javaScan;
            this.spinning = spinning;
            this.inconsistent = inconsistent;
        }

        static TableTwin<LockTableCheck> locks() {
            LockTable t = new LockTable(64);
            return new TableTwin<>(t, o -> ObjectSpec.assign(o, LockObject.class).scan(), t::scan, LockTableCheck::spinning, LockTableCheck::inconsistent);
        }

        static TableTwin<OccTableCheck> occ() {
            OccTable t = new OccTable(64);
            return new TableTwin<>(t, o -> ObjectSpec.assign(o, OccObject.class).scan(), t::scan, OccTableCheck::spinning, OccTableCheck::inconsistent);
        }

        @Override
        void compare(byte[] request, byte[] kernel, String what) {
            assertThat(serve(table, request)).as("the Java table's reply: %s", what).isEqualTo(kernel);
        }

        @Override
        void checkInvariants(BpfObject obj, int ok, String when) {
            C k = kernelScan.apply(obj);
            assertThat(spinning.applyAsLong(k)).as("spinning entries %s", when).isZero();
            assertThat(inconsistent.applyAsLong(k)).as("inconsistent entries %s", when).isZero();
            assertThat(k).as("the kernel's table is the Java table's %s", when).isEqualTo(javaScan.get());
        }

        @Override
        public void close() {
            if (table instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            super.close();
        }
    }

    /** The log has no twin here (its Java rings are another file); its rings are checked and drained. */
    static final class LogTwin extends Twin {
        private long appended;

        @Override
        void checkInvariants(BpfObject obj, int ok, String when) {
            BpfMap cursors = obj.map("log_cursor");
            int slots = obj.map("log_ring").maxEntries() / cursors.maxEntries();
            try (Arena a = Arena.ofConfined()) {
                MemorySegment c = a.allocate(Wire.LOG_CURSOR_SIZE, 8);
                for (int cpu = 0; cpu < cursors.maxEntries(); cpu++) {
                    cursors.lookup(cpu, c);
                    long head = c.get(ValueLayout.JAVA_LONG, Wire.LOG_CURSOR_HEAD);
                    long tail = c.get(ValueLayout.JAVA_LONG, Wire.LOG_CURSOR_TAIL);
                    assertThat(tail).as("ring %d tail <= head %s", cpu, when).isLessThanOrEqualTo(head);
                    assertThat(head - tail).as("ring %d within its slots %s", cpu, when).isLessThanOrEqualTo(slots);
                    appended += head - tail;
                    c.set(ValueLayout.JAVA_LONG, Wire.LOG_CURSOR_TAIL, head); // drained, as the drainer would
                    cursors.update(cpu, c);
                }
            }
            assertThat(appended).as("one ring record per ACKed append %s", when).isEqualTo(ok);
        }
    }

    static final class KvTwin extends Twin {
        final KvStore store = new KvStore(ServiceProgram.KV_BUCKETS);
        final KvSlowPath slow = new KvSlowPath(store, 0);
        final KvService twin = new KvService(new KvStore(ServiceProgram.KV_BUCKETS));
        final long[] slowStats = new long[Stat.MAX];

        @Override
        void compare(byte[] request, byte[] kernel, String what) {
            assertThat(serve(twin, request)).as("KvService's reply: %s", what).isEqualTo(kernel);
        }

        @Override
        byte[] slowPath(byte[] up) {
            return serve(slow, up);
        }

        @Override
        void checkInvariants(BpfObject obj, int ok, String when) {
            assertThat(CacheInvariants.violations(obj.map(KvObject.CACHE), ServiceProgram.KV_BUCKETS)).as(when).isEmpty();
            Map<String, Object> check = ObjectSpec.assign(obj, KvObject.class).check(store);
            assertThat(check).as("cache against store %s", when).containsEntry("ok", true);
        }

        @Override
        public void close() {
            slow.close();
            twin.close();
            super.close();
        }
    }

    /**
     * The shard: its slow path, and its own rules on each reply ({@link ServiceProgram#shardReplyFault}).
     * After every batch every lock's lease is made to have run out, so that conflicting requests
     * take over locks whose holder never logged and keep those of one that did; LOGs name the
     * epoch now, none or one left; the third batch runs in a grace period.
     */
    static final class ShardTwin extends Twin {
        private static final int GRACE_BATCH = 3;
        final ShardStore store = new ShardStore(1024, new ShardLog(1024));
        final ShardSlowPath slow = new ShardSlowPath(store, ServiceProgram.SHARD_BUCKETS);
        private final java.util.Set<java.util.List<Long>> ids = new java.util.HashSet<>();
        private BpfObject obj;
        private boolean grace;

        @Override
        void attach(BpfObject obj) {
            this.obj = obj;
        }

        @Override
        byte[] adjust(byte[] request, SplittableRandom rnd) {
            int op = request[Wire.HDR_OP] & 0xff;
            if (op == io.dint.wire.Op.TXN_COMMIT_LOG || op == io.dint.wire.Op.TXN_INSERT_LOG || op == io.dint.wire.Op.TXN_DELETE_LOG) {
                int epoch = ObjectSpec.assign(obj, ShardObject.class).epoch();
                int[] epochs = {0, epoch, epoch - 1};
                Header.setReserved(MemorySegment.ofArray(request), epochs[rnd.nextInt(epochs.length)]);
            }
            return request;
        }

        @Override
        void compare(byte[] request, byte[] kernel, String what) {
            MemorySegment q = MemorySegment.ofArray(request);
            boolean seen = !ids.add(java.util.List.of((long) Header.clientId(q), Header.seq(q)));
            assertThat(ServiceProgram.shardReplyFault(request, kernel, ObjectSpec.assign(obj, ShardObject.class).epoch(), grace, seen)).as(what).isNull();
        }

        @Override
        void batchDone(int batch) {
            BpfMap locks = obj.map("lock_table");
            try (Arena a = Arena.ofConfined()) {
                MemorySegment e = a.allocate(Wire.LOCK_ENTRY_SIZE, 8);
                long past = System.nanoTime() - 2L * ServiceProgram.SHARD_LOCK_LEASE_MS * 1_000_000;
                for (int i = 0; i < locks.maxEntries(); i++) {
                    locks.lookup(i, e);
                    e.set(ValueLayout.JAVA_LONG, Wire.LOCK_ENTRY_GRANTED_NS, past);
                    locks.update(i, e);
                }
            }
            grace = batch + 1 == GRACE_BATCH;
            ShardObject shard = ObjectSpec.assign(obj, ShardObject.class);
            shard.setEpoch(shard.epoch(), grace ? Long.MAX_VALUE : 0);
        }

        @Override
        void finish() {
            StatCounters stats = StatCounters.read(obj);
            assertThat(stats.get(Stat.TXN_LOCK_TAKEOVER)).as("locks taken over").isPositive();
            assertThat(stats.get(Stat.TXN_STALE)).as("LOGs of a left epoch refused").isPositive();
            if (Fuzz.frames() > GRACE_BATCH * BATCH) {
                assertThat(stats.get(Stat.TXN_GRACE)).as("reads and locks in the grace period").isPositive();
            }
        }

        @Override
        byte[] slowPath(byte[] up) {
            return serve(slow, up);
        }

        @Override
        void checkInvariants(BpfObject obj, int ok, String when) {
            assertThat(CacheInvariants.violations(obj.map("shard_cache"), ServiceProgram.SHARD_BUCKETS)).as(when).isEmpty();
            BpfMap locks = obj.map("lock_table");
            try (Arena a = Arena.ofConfined()) {
                MemorySegment all = a.allocate((long) locks.maxEntries() * Wire.LOCK_ENTRY_SIZE, 8);
                locks.copyAll(all);
                LockTableCheck k = LockTableCheck.scan(all, locks.maxEntries());
                assertThat(k.spinning()).as("spinning lock entries %s", when).isZero();
                assertThat(k.inconsistent()).as("inconsistent lock entries %s", when).isZero();
            }
            Map<String, Object> check = ShardXdpServer.check(ObjectSpec.assign(obj, ShardObject.class), store);
            assertThat(check).as(when).containsEntry("locked_buckets", 0L).containsEntry("write_back_failed", 0L);
        }

        @Override
        public void close() {
            slow.close();
            super.close();
        }
    }
}

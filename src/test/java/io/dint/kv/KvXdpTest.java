package io.dint.kv;

import static io.dint.testing.KvMessages.reply;
import static io.dint.testing.KvMessages.value;
import static io.dint.testing.KvMessages.version;
import static io.dint.testing.KvMessages.zeroValue;
import static io.dint.testing.Messages.status;
import static io.dint.testing.Messages.withStatus;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bpf.Tc;
import io.dint.bpf.TestRun;
import io.dint.bpf.Xdp;
import io.dint.testing.BadFrames;
import io.dint.testing.Frames;
import io.dint.testing.KvMessages;
import io.dint.testing.ServiceProgram;
import io.dint.testing.SlowPathTrip;
import io.dint.testing.XdpCase;
import io.dint.wire.KvMessage;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Status;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The KV cache programs through BPF_PROG_TEST_RUN, as tables of rows where a request is answered
 * in the kernel (request frame -> XDP verdict and frame, the counters it moves, the bucket it
 * leaves) and as trips where it is not: a request passed up -> the Java slow path -> its reply
 * through the TC egress program -> the shrunk reply frame; and the cache bucket and counters after
 * each step. Verdicts are PASS, DROP, TX or TC_ACT_OK (SHOT only when a shrink fails), never
 * XDP_ABORTED.
 */
class KvXdpTest {
    private static final int BUCKETS = 8;
    private static final long LONG_LEASE = 10_000_000_000L; // nothing expires on its own in these tests

    private KvKernel k;

    /** Every test starts on a write-back cache with Bloom filter, whose locks outlive the test. */
    @BeforeEach
    void load() {
        kernel(KvPolicy.WRITE_BACK_BLOOM, LONG_LEASE);
    }

    /** Replaces the kernel by one of {@code policy} whose bucket locks are leased for {@code leaseNanos}. */
    private void kernel(KvPolicy policy, long leaseNanos) {
        close();
        k = new KvKernel(BUCKETS, policy, leaseNanos);
    }

    @AfterEach
    void close() {
        if (k != null) {
            k.close();
            k = null;
        }
    }

    /** Six keys of the bucket in the store, of which prewarm caches four. */
    private long[] sixKeys(int bucket) {
        long[] keys = k.keysInBucket(bucket, 6, 1);
        for (long key : keys) {
            k.put(key, value(key, 0));
        }
        k.prewarm();
        return keys;
    }

    /** A key of {@code bucket} in the store and the cache ({@link #cached(long)}). */
    private long cachedKeyOf(int bucket) {
        return cached(k.keysInBucket(bucket, 1, 1)[0]);
    }

    /** Puts {@code key} in the store and caches it (prewarm); returns it. */
    private long cached(long key) {
        k.put(key, value(key, 0));
        k.prewarm();
        return key;
    }

    private long[] uncached(long[] keys) {
        return Arrays.stream(keys).filter(key -> k.wayOf(key) < 0).toArray();
    }

    private long cached(long[] keys) {
        return Arrays.stream(keys).filter(key -> k.wayOf(key) >= 0).findFirst().orElseThrow();
    }

    /** A GET of a key of {@code bucket} that the store holds and the cache does not (a bucket of {@link #sixKeys}). */
    private byte[] missIn(int bucket) {
        return req(Op.KV_GET, uncached(sixKeys(bucket))[0], zeroValue());
    }

    /** The key a request names. */
    private static long keyOf(byte[] req) {
        return KvMessage.key(MemorySegment.ofArray(req));
    }

    /** A key of the bucket whose Bloom bit none of {@code others} has. */
    private long freshKey(int bucket, long from, long... others) {
        long bits = 0;
        for (long o : others) {
            bits |= KvStore.bloomBit(o);
        }
        for (long c = from; ; c++) {
            if (k.store.bucketOf(c) == bucket && (KvStore.bloomBit(c) & bits) == 0) {
                return c;
            }
        }
    }

    /** Adds key to the store only, and its bit to the bucket's Bloom word (as if evicted earlier). */
    private void storeOnly(long key, byte[] value) {
        k.put(key, value);
        int b = k.store.bucketOf(key);
        MemorySegment v = k.bucket(b);
        v.set(JAVA_LONG, Wire.KV_BUCKET_BLOOM, v.get(JAVA_LONG, Wire.KV_BUCKET_BLOOM) | KvStore.bloomBit(key));
        k.writeBucket(b, v);
    }

    private byte[] req(int op, long key, byte[] value) {
        return k.request(op, key, value);
    }

    /** A row: the request answered in the kernel with {@code reply}, moving {@code stat}. */
    private static XdpCase hit(String description, byte[] request, byte[] reply, int stat) {
        return XdpCase.request(description, request).reply(reply).counts(stat);
    }

    private static byte[] trailer(byte[] grownFrame) {
        int off = 14 + 20 + 8 + KvMessage.SIZE;
        return Arrays.copyOfRange(grownFrame, off, off + Wire.KV_SLOW_SIZE);
    }

    /** The trailer of a request passed up for {@code bucket}, checked to name it and the lease its lock is held under. */
    private ByteBuffer lockedUnder(byte[] trailer, int bucket) {
        ByteBuffer t = le(trailer);
        long lease = t.getLong(Wire.KV_SLOW_LEASE);
        assertThat(lease).as("lease: the lock's timestamp").isNotZero();
        assertThat(k.lock(bucket)).as("bucket left locked under the lease").isEqualTo(lease);
        assertThat(t.getInt(Wire.KV_SLOW_BUCKET)).as("the trailer's bucket").isEqualTo(bucket);
        return t;
    }

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void hitsAreAnsweredInTheKernelAndWritesStayThere() {
        long a = cachedKeyOf(0);
        long n = freshKey(0, a + 1, a);
        byte[] get = req(Op.KV_GET, a, zeroValue());
        byte[] set = req(Op.KV_SET, a, value(a, 1));
        byte[] get2 = req(Op.KV_GET, a, zeroValue());
        byte[] ins = req(Op.KV_INSERT, n, value(n, 7));
        byte[] ins2 = req(Op.KV_INSERT, n, value(n, 8));
        byte[] ins3 = req(Op.KV_INSERT, a, value(a, 8));
        k.xdp.run(
            hit("a GET hit", get, reply(get, Status.KV_OK, 1, value(a, 0)), Stat.KV_GET_HIT),
            hit("a SET hit", set, reply(set, Status.KV_OK, 2, value(a, 1)), Stat.KV_SET_HIT)
                    .leaves("SET hit: in place, version+1, dirty", () -> k.slot(0, k.wayOf(a)), new long[] {a, 2, 1, 1})
                    .leaves("the slot's value", () -> k.slotValue(0, k.wayOf(a)), value(a, 1))
                    .leaves("write-back: user space not told", () -> k.storedVersion(a), 1L)
                    .leaves("the stored value", () -> k.stored(a), value(a, 0)),
            hit("a GET of the written value", get2, reply(get2, Status.KV_OK, 2, value(a, 1)), Stat.KV_GET_HIT),
            hit("an INSERT of a new key", ins, reply(ins, Status.KV_OK, 1, value(n, 7)), Stat.KV_INSERT_HIT)
                    .then(() -> assertThat(k.wayOf(n)).as("installed in the kernel").isNotNegative())
                    .leaves("the new slot", () -> k.slot(0, Math.max(0, k.wayOf(n))), new long[] {n, 1, 1, 1})
                    .leaves("Bloom bit set", () -> (k.bloom(0) & KvStore.bloomBit(n)) != 0, true)
                    .leaves("user space learns it on write-back", () -> k.storedVersion(n), -1L),
            hit("an INSERT of a cached key", ins2, withStatus(ins2, Status.KV_EXISTS), Stat.KV_INSERT_HIT),
            hit("an INSERT of the other cached key", ins3, withStatus(ins3, Status.KV_EXISTS), Stat.KV_INSERT_HIT));
        assertThat(k.stat(Stat.KV_GET_HIT)).isEqualTo(2);
        assertThat(k.stat(Stat.KV_SET_HIT)).isEqualTo(1);
        assertThat(k.stat(Stat.KV_INSERT_HIT)).isEqualTo(3);
        assertThat(k.stat(Stat.TX)).isEqualTo(6);
        assertThat(k.stat(Stat.KV_SLOW)).isZero();
        assertThat(k.lock(0)).isZero();
    }

    @Test
    void aClearBloomBitAnswersNotExistInTheKernel() {
        long a = cachedKeyOf(3);
        long m = freshKey(3, a + 1, a);
        for (int op : new int[] {Op.KV_GET, Op.KV_SET, Op.KV_DELETE}) {
            k.xdp.run(XdpCase.request("op " + op + " of a key the Bloom word rules out", req(op, m, value(m, 1)))
                    .answers(Status.KV_NOT_EXIST).counts(Stat.KV_NOT_EXIST).keeps("bucket 3", () -> k.bucketBytes(3)));
        }
        assertThat(k.stat(Stat.KV_NOT_EXIST)).isEqualTo(3);
        assertThat(k.stat(Stat.KV_SLOW)).isZero();
        assertThat(k.lock(3)).isZero();
    }

    @Test
    void aMissLocksTheBucketAndPassesTheRequestGrownWithTheChosenSlot() {
        // the row's counters say it: KV_SLOW once, KV_WRITEBACK not
        TestRun r = k.xdp.run(XdpCase.request("a GET miss", missIn(1)).verdict(Xdp.PASS).counts(Stat.KV_SLOW));
        ByteBuffer t = lockedUnder(trailer(r.output()), 1);
        assertThat(t.get(Wire.KV_SLOW_WAY)).as("all valid and clean: the first clean slot").isEqualTo((byte) 0);
        assertThat(t.get(Wire.KV_SLOW_FLAGS)).as("no dirty victim").isZero();
    }

    /**
     * Without tailroom (a veth frame cut to size by another XDP program) the room is made at the
     * head, headers and message moved forward: the same layout. Ethernet padding fills the
     * test-run buffer here so that the tail cannot grow.
     */
    @Test
    void withoutTailroomTheRequestGrowsAtTheHead() {
        byte[] get = missIn(1);
        long missing = keyOf(get);
        byte[] frame = Frames.udpTo(Wire.PORT).payload(get).build();
        byte[] padded = Arrays.copyOf(frame, 3500); // test-run buffers end at 4096 - 256 - 320
        Arrays.fill(padded, frame.length, padded.length, (byte) 0xee);
        TestRun r = k.xdp.run(XdpCase.frame("a GET miss in a padded frame", padded).verdict(Xdp.PASS).counts(Stat.KV_SLOW));
        byte[] out = r.output();
        assertThat(out).hasSize(padded.length + Wire.KV_SLOW_SIZE);
        int end = frame.length;
        byte[] expectedHead = frame.clone();
        ByteBuffer e = ByteBuffer.wrap(expectedHead);
        e.putShort(16, (short) (e.getShort(16) + Wire.KV_SLOW_SIZE));
        e.putShort(38, (short) (e.getShort(38) + Wire.KV_SLOW_SIZE));
        e.putShort(40, (short) 0);
        e.putShort(24, (short) Frames.ipChecksum(expectedHead, 14, 20));
        assertThat(Arrays.copyOf(out, end)).as("headers and message moved to the new start, lengths fixed").isEqualTo(expectedHead);
        lockedUnder(Arrays.copyOfRange(out, end, end + Wire.KV_SLOW_SIZE), 1);
        assertThat(Arrays.copyOfRange(out, end + Wire.KV_SLOW_SIZE, out.length)).as("then the padding").containsOnly((byte) 0xee);

        byte[] slowReply = k.slowPath(Arrays.copyOfRange(out, 42, end + Wire.KV_SLOW_SIZE));
        byte[] grown = Arrays.copyOf(out, end + Wire.KV_SLOW_SIZE);
        k.xdp.run(XdpCase.frame("the slow path's reply", Frames.expectedReply(grown, slowReply)).tc().verdict(Tc.OK)
                .output(Frames.expectedReply(frame, reply(get, Status.KV_OK, 1, value(missing, 0)))).counts(Stat.KV_TC_INSTALL)
                .leaves("bucket 1's lock", () -> k.lock(1), 0L));
        assertThat(k.stat(Stat.KV_RETRY)).isZero();
    }

    @Test
    void theSlowPathsReplyIsInstalledUnlockedAndShrunkByTc() {
        byte[] get = missIn(2);
        long missing = keyOf(get);
        SlowPathTrip trip = k.send(get); // checks the TC output frame byte for byte
        assertThat(trip.slowPath()).isTrue();
        assertThat(trip.reply()).isEqualTo(reply(get, Status.KV_OK, 1, value(missing, 0)));
        assertThat(le(trip.slowReply()).get(KvMessage.SIZE + Wire.KV_SLOW_FLAGS)).isEqualTo((byte) Wire.KV_INSTALL);
        assertThat(k.lock(2)).as("unlocked by TC").isZero();
        assertThat(k.slot(2, 0)).as("installed clean in the chosen slot").containsExactly(missing, 1, 1, 0);
        assertThat(k.slotValue(2, 0)).isEqualTo(value(missing, 0));
        assertThat(k.stat(Stat.KV_TC_INSTALL)).isEqualTo(1);
        byte[] again = req(Op.KV_GET, missing, zeroValue());
        assertThat(k.send(again).verdict()).as("now a hit").isEqualTo(Xdp.TX);
    }

    @Test
    void victimsAreTheFirstInvalidThenTheFirstCleanThenADirtyOneWrittenBack() {
        long[] keys = k.keysInBucket(4, 7, 1);
        for (int i = 0; i < 3; i++) {
            k.put(keys[i], value(keys[i], 0));
        }
        k.prewarm();
        assertThat(k.slot(4, 3)[2]).as("way 3 free").isZero();

        storeOnly(keys[3], value(keys[3], 0));
        SlowPathTrip t = k.send(req(Op.KV_GET, keys[3], zeroValue()));
        assertThat(trailer(t.grown())[Wire.KV_SLOW_WAY]).as("first invalid").isEqualTo((byte) 3);
        assertThat(k.wayOf(keys[3])).isEqualTo(3);

        int w0 = k.wayOf(keys[0]);
        k.exchange(req(Op.KV_SET, keys[0], value(keys[0], 1)));
        storeOnly(keys[4], value(keys[4], 0));
        t = k.send(req(Op.KV_GET, keys[4], zeroValue()));
        int firstClean = w0 == 0 ? 1 : 0;
        assertThat(trailer(t.grown())[Wire.KV_SLOW_WAY]).as("first clean").isEqualTo((byte) firstClean);
        assertThat(trailer(t.grown())[Wire.KV_SLOW_FLAGS]).isZero();

        for (int w = 0; w < Wire.KV_WAYS; w++) { // make every slot dirty
            long key = k.slot(4, w)[0];
            k.exchange(req(Op.KV_SET, key, value(key, 2)));
        }
        MemorySegment before = k.bucket(4);
        storeOnly(keys[5], value(keys[5], 0));
        t = k.send(req(Op.KV_GET, keys[5], zeroValue()));
        ByteBuffer tr = le(trailer(t.grown()));
        int way = tr.get(Wire.KV_SLOW_WAY);
        assertThat(way).isBetween(0, 3);
        assertThat(tr.get(Wire.KV_SLOW_FLAGS)).as("a dirty victim rides along").isEqualTo((byte) Wire.KV_VICTIM);
        long slot = KvKernel.slotOffset(way) + Wire.KV_SLOT_OBJ;
        byte[] victim = before.asSlice(slot, Wire.KV_OBJECT_SIZE).toArray(JAVA_BYTE);
        assertThat(Arrays.copyOfRange(trailer(t.grown()), Wire.KV_SLOW_VICTIM, Wire.KV_SLOW_VICTIM + Wire.KV_OBJECT_SIZE))
                .as("the victim is the slot's object").isEqualTo(victim);
        long victimKey = le(victim).getLong(Wire.KV_OBJECT_KEY);
        assertThat(k.storedVersion(victimKey)).as("written back").isEqualTo(le(victim).getLong(Wire.KV_OBJECT_VERSION));
        assertThat(k.stored(victimKey)).isEqualTo(value(victimKey, 2));
        assertThat(k.slot(4, way)).as("the new key took its place").containsExactly(keys[5], 1, 1, 0);
        assertThat(k.stat(Stat.KV_WRITEBACK)).isEqualTo(1);
        k.assertCacheAgreesWithStore();
    }

    @Test
    void aBusyBucketIsAnsweredRetryAndLeftUntouched() {
        long other = k.keysInBucket(6, 1, 1)[0];
        k.put(other, value(other, 0));
        long[] keys = sixKeys(5);
        long missing = uncached(keys)[0];
        long cached = cached(keys);
        TestRun pass = k.xdp.run(XdpCase.request("a miss locks bucket 5", req(Op.KV_GET, missing, zeroValue()))
                .verdict(Xdp.PASS).counts(Stat.KV_SLOW));

        for (int op : new int[] {Op.KV_GET, Op.KV_SET, Op.KV_INSERT, Op.KV_DELETE}) {
            k.xdp.run(XdpCase.request("op " + op + " of a cached key in the locked bucket", req(op, cached, value(cached, 9)))
                    .answers(Status.RETRY).counts(Stat.KV_RETRY).keeps("RETRY changes nothing", () -> k.bucketBytes(5)));
        }
        assertThat(k.stat(Stat.KV_RETRY)).isEqualTo(4);
        assertThat(status(k.exchange(req(Op.KV_GET, other, zeroValue())))).as("other buckets go on").isEqualTo(Status.KV_OK);

        byte[] slowReply = k.slowPath(Arrays.copyOfRange(pass.output(), 42, pass.output().length));
        k.xdp.run(XdpCase.frame("the miss's reply", Frames.expectedReply(pass.output(), slowReply)).tc().verdict(Tc.OK)
                .counts(Stat.KV_TC_INSTALL).leaves("bucket 5's lock", () -> k.lock(5), 0L));
        assertThat(status(k.exchange(req(Op.KV_GET, cached, zeroValue())))).isEqualTo(Status.KV_OK);
    }

    @Test
    void aLockOlderThanTheLeaseIsTakenOverAndItsLateReplyChangesNothing() {
        long[] keys = sixKeys(7);
        long[] missing = uncached(keys);
        long cached = cached(keys);

        // A: a SET miss whose reply is lost for now
        byte[] setA = req(Op.KV_SET, missing[0], value(missing[0], 5));
        TestRun a = k.xdp.send(setA);
        assertThat(a.verdict()).isEqualTo(Xdp.PASS);
        assertThat(status(k.exchange(req(Op.KV_GET, cached, zeroValue())))).isEqualTo(Status.RETRY);

        k.setLock(7, 1); // A's lock as old as the machine's uptime: past any lease
        byte[] get = req(Op.KV_GET, cached, zeroValue());
        assertThat(k.exchange(get)).isEqualTo(reply(get, Status.KV_OK, 1, value(cached, 0)));
        assertThat(k.stat(Stat.KV_LEASE_TAKEOVER)).isEqualTo(1);
        assertThat(k.lock(7)).isZero();

        // B: a miss after the takeover, served before A's request reaches user space
        k.setLock(7, 1);
        byte[] getB = req(Op.KV_GET, missing[1], zeroValue());
        SlowPathTrip b = k.send(getB);
        assertThat(b.slowPath()).isTrue();
        assertThat(b.reply()).isEqualTo(reply(getB, Status.KV_OK, 1, value(missing[1], 0)));
        assertThat(k.stat(Stat.KV_LEASE_TAKEOVER)).isEqualTo(2);
        MemorySegment afterB = k.bucket(7);

        // A arrives late: its lease is older than B's, so user space refuses it and TC leaves the cache
        byte[] lateA = k.slowPath(Arrays.copyOfRange(a.output(), 42, a.output().length));
        assertThat(status(lateA)).isEqualTo(Status.RETRY);
        assertThat(k.storedVersion(missing[0])).as("A not applied").isEqualTo(1);
        TestRun e = k.xdp.tc().testRun(Frames.expectedReply(a.output(), lateA));
        assertThat(e.verdict()).isEqualTo(Tc.OK);
        assertThat(e.output()).as("shrunk all the same").hasSize(14 + 20 + 8 + KvMessage.SIZE);
        assertThat(k.stat(Stat.KV_TC_STALE)).isEqualTo(1);
        assertThat(k.bucket(7).mismatch(afterB)).as("a stale reply changes nothing").isEqualTo(-1);
        k.assertCacheAgreesWithStore();
    }

    @Test
    void aLostSlowPathReplyStopsBlockingItsBucketOnceTheLeaseRunsOut() throws Exception {
        kernel(KvPolicy.WRITE_BACK_BLOOM, 20_000_000L); // 20 ms
        long[] keys = sixKeys(0);
        long missing = uncached(keys)[0];
        long cached = cached(keys);
        assertThat(k.xdp.send(req(Op.KV_GET, missing, zeroValue())).verdict()).isEqualTo(Xdp.PASS); // reply never comes
        Thread.sleep(50);
        byte[] get = req(Op.KV_GET, cached, zeroValue());
        assertThat(k.exchange(get)).isEqualTo(reply(get, Status.KV_OK, 1, value(cached, 0)));
        assertThat(k.stat(Stat.KV_LEASE_TAKEOVER)).isEqualTo(1);
        byte[] again = req(Op.KV_GET, missing, zeroValue());
        assertThat(k.exchange(again)).as("the lost request's resend is served").isEqualTo(reply(again, Status.KV_OK, 1, value(missing, 0)));
        k.assertCacheAgreesWithStore();
    }

    @Test
    void deleteRebuildsTheBloomWordFromEachRemainingKey() {
        long a = k.keysInBucket(2, 1, 1)[0];
        long b = freshKey(2, a + 1, a);
        long c = freshKey(2, b + 1, a, b);
        for (long key : new long[] {a, b, c}) {
            k.put(key, value(key, 0));
        }
        k.prewarm();
        long d = freshKey(2, c + 1, a, b, c);
        assertThat(status(k.exchange(req(Op.KV_INSERT, d, value(d, 0))))).as("d lives in the cache only, dirty").isEqualTo(Status.KV_OK);

        byte[] del = req(Op.KV_DELETE, b, zeroValue());
        SlowPathTrip t = k.send(del);
        assertThat(t.slowPath()).isTrue();
        assertThat(t.reply()).isEqualTo(withStatus(del, Status.KV_OK));
        long expected = KvStore.bloomBit(a) | KvStore.bloomBit(c) | KvStore.bloomBit(d);
        assertThat(k.bloom(2)).as("one bit per remaining key, the cache-only d included").isEqualTo(expected);
        assertThat(k.wayOf(b)).isNegative();
        assertThat(k.storedVersion(b)).isEqualTo(-1);

        byte[] get = req(Op.KV_GET, b, zeroValue());
        SlowPathTrip gone = k.send(get);
        assertThat(gone.verdict()).as("answered from the rebuilt Bloom word").isEqualTo(Xdp.TX);
        assertThat(gone.reply()).isEqualTo(withStatus(get, Status.KV_NOT_EXIST));

        byte[] delD = req(Op.KV_DELETE, d, zeroValue());
        SlowPathTrip td = k.send(delD);
        assertThat(trailer(td.grown())[Wire.KV_SLOW_FLAGS]).as("d written back before its delete").isEqualTo((byte) Wire.KV_VICTIM);
        assertThat(td.reply()).isEqualTo(withStatus(delD, Status.KV_OK));
        assertThat(k.bloom(2)).isEqualTo(KvStore.bloomBit(a) | KvStore.bloomBit(c));
        assertThat(k.storedVersion(d)).isEqualTo(-1);

        long notCached = freshKey(2, d + 1, a, c);
        storeOnly(notCached, value(notCached, 0));
        byte[] delN = req(Op.KV_DELETE, notCached, zeroValue());
        SlowPathTrip tn = k.send(delN);
        assertThat(trailer(tn.grown())[Wire.KV_SLOW_WAY] & 0xff).isEqualTo(Wire.KV_NO_WAY);
        assertThat(tn.reply()).isEqualTo(withStatus(delN, Status.KV_OK));
        assertThat(k.bloom(2)).isEqualTo(KvStore.bloomBit(a) | KvStore.bloomBit(c));
        k.assertCacheAgreesWithStore();
    }

    @Test
    void writeThroughSendsEveryWriteToUserSpaceAndKeepsTheCacheClean() {
        kernel(KvPolicy.WRITE_THROUGH, LONG_LEASE);
        long a = cachedKeyOf(1);
        int way = k.wayOf(a);
        byte[] set = req(Op.KV_SET, a, value(a, 1));
        SlowPathTrip t = k.send(set);
        assertThat(t.slowPath()).isTrue();
        assertThat(trailer(t.grown())[Wire.KV_SLOW_WAY]).as("the key's own slot").isEqualTo((byte) way);
        assertThat(t.reply()).isEqualTo(reply(set, Status.KV_OK, 2, value(a, 1)));
        assertThat(k.slot(1, way)).containsExactly(a, 2, 1, 0);
        assertThat(k.storedVersion(a)).isEqualTo(2);
        assertThat(k.send(req(Op.KV_GET, a, zeroValue())).verdict()).as("GET hits stay in the kernel").isEqualTo(Xdp.TX);

        long m = freshKey(1, a + 1, a);
        byte[] get = req(Op.KV_GET, m, zeroValue());
        SlowPathTrip miss = k.send(get);
        assertThat(miss.slowPath()).as("no Bloom filter: a missing key goes up").isTrue();
        assertThat(miss.reply()).isEqualTo(withStatus(get, Status.KV_NOT_EXIST));
        assertThat(k.stat(Stat.KV_TC_RELEASE)).isEqualTo(1);
        byte[] ins = req(Op.KV_INSERT, m, value(m, 0));
        assertThat(k.send(ins).slowPath()).isTrue();
        assertThat(k.slot(1, k.wayOf(m))).containsExactly(m, 1, 1, 0);
        assertThat(k.assertCacheAgreesWithStore()).containsEntry("dirty", 0L);
    }

    /** A write that went up and whose reply was lost must not leave the old value cached. */
    @ParameterizedTest
    @EnumSource(value = KvPolicy.class, names = {"WRITE_THROUGH", "WRITE_BACK_BLOOM"})
    void aLostReplyToAWriteLeavesNoStaleCopyCached(KvPolicy policy) {
        kernel(policy, LONG_LEASE);
        long a = cachedKeyOf(3);
        int op = policy == KvPolicy.WRITE_THROUGH ? Op.KV_SET : Op.KV_DELETE;
        TestRun up = k.xdp.send(req(op, a, value(a, 1)));
        assertThat(up.verdict()).isEqualTo(Xdp.PASS);
        assertThat(k.wayOf(a)).as("the clean copy is dropped before the write goes up").isNegative();
        assertThat(k.slowPath(Arrays.copyOfRange(up.output(), 42, up.output().length))).isNotNull(); // applied; reply lost
        k.setLock(3, 1); // the lease runs out
        byte[] get = req(Op.KV_GET, a, zeroValue());
        SlowPathTrip t = k.send(get);
        assertThat(t.slowPath()).as("no stale hit").isTrue();
        assertThat(t.reply()).isEqualTo(op == Op.KV_SET
                ? reply(get, Status.KV_OK, 2, value(a, 1)) : withStatus(get, Status.KV_NOT_EXIST));
        k.assertCacheAgreesWithStore();
    }

    @Test
    void writeBackWithoutBloomSendsEveryMissToUserSpace() {
        kernel(KvPolicy.WRITE_BACK, LONG_LEASE);
        long a = cachedKeyOf(1);
        long m = freshKey(1, a + 1, a);
        byte[] get = req(Op.KV_GET, m, zeroValue());
        SlowPathTrip t = k.send(get);
        assertThat(t.slowPath()).isTrue();
        assertThat(t.reply()).isEqualTo(withStatus(get, Status.KV_NOT_EXIST));
        byte[] ins = req(Op.KV_INSERT, m, value(m, 0));
        SlowPathTrip i = k.send(ins);
        assertThat(i.slowPath()).as("without Bloom the kernel cannot tell the key is new").isTrue();
        assertThat(i.reply()).isEqualTo(reply(ins, Status.KV_OK, 1, value(m, 0)));
        assertThat(k.slot(1, k.wayOf(m))).containsExactly(m, 1, 1, 0);
        byte[] set = req(Op.KV_SET, a, value(a, 3));
        assertThat(k.send(set).verdict()).as("SET hits stay in the kernel").isEqualTo(Xdp.TX);
        assertThat(k.stat(Stat.KV_NOT_EXIST)).isZero();
    }

    @Test
    void framesThatAreNotWellFormedRequestsAreNeverAnswered() {
        long key = cached(99);
        byte[] req = req(Op.KV_GET, key, zeroValue());
        List<BadFrames.Case> cases = BadFrames.of(ServiceProgram.KV, req, Status.KV_OK);
        cases.add(new BadFrames.Case("payload cut to 40 bytes", Frames.udpTo(Wire.PORT).payload(Arrays.copyOf(req, 40)).build(),
                Xdp.DROP, Stat.DROP_TRUNCATED));
        cases.add(new BadFrames.Case("a lock message", Frames.udpTo(Wire.PORT).payload(Arrays.copyOf(req, Wire.LOCK_MSG_SIZE)).build(),
                Xdp.DROP, Stat.DROP_TRUNCATED));
        cases.add(new BadFrames.Case("a request already grown", Frames.udpTo(Wire.PORT).payload(Arrays.copyOf(req, KvMessage.SLOW_SIZE)).build(),
                Xdp.DROP, Stat.DROP_BAD_LENGTH));
        int bucket = k.store.bucketOf(key);
        byte[] before = k.bucketBytes(bucket);
        BadFrames.assertNeverAnswered(k.xdp, cases);
        assertThat(k.bucketBytes(bucket)).as("no bad frame touched the cache").isEqualTo(before);
        assertThat(k.stat(Stat.KV_SLOW)).isZero();
    }

    @Test
    void tcLeavesAloneWhatIsNotASlowPathReply() {
        long key = cached(5);
        int bucket = k.store.bucketOf(key);
        byte[] msg = withStatus(req(Op.KV_GET, key, zeroValue()), Status.KV_OK);
        byte[] slowReply = Arrays.copyOf(msg, KvMessage.SLOW_SIZE);
        le(slowReply).putInt(KvMessage.SIZE + Wire.KV_SLOW_BUCKET, bucket);
        byte[] wrongBucket = slowReply.clone();
        le(wrongBucket).putInt(KvMessage.SIZE + Wire.KV_SLOW_BUCKET, bucket + 1);
        byte[] asRequest = withStatus(slowReply, Status.REQUEST);
        byte[] cut = Arrays.copyOf(Frames.expectedReply(Frames.udpTo(Wire.PORT).payload(slowReply).build(), slowReply), 100);
        k.xdp.run(
            leftAlone("another port's datagram", Frames.expectedReply(Frames.udpTo(Wire.PORT + 1).payload(slowReply).build(), slowReply), 0),
            leftAlone("ARP", Frames.udpTo(Wire.PORT).etherType(0x0806).payload(slowReply).build(), 0),
            leftAlone("a plain reply from our port", Frames.expectedReply(Frames.udpTo(Wire.PORT).payload(msg).build(), msg), 1),
            leftAlone("a trailer for the wrong bucket", Frames.expectedReply(Frames.udpTo(Wire.PORT).payload(wrongBucket).build(), wrongBucket), 1),
            leftAlone("a request from our port", Frames.expectedReply(Frames.udpTo(Wire.PORT).payload(asRequest).build(), asRequest), 1),
            leftAlone("cut short", cut, 1));
    }

    /** A row for the TC program: passed on untouched, counted as a bad reply when it comes from our port ({@code bad} 1). */
    private XdpCase leftAlone(String description, byte[] frame, int bad) {
        return XdpCase.frame(description, frame).tc().verdict(Tc.OK).untouched().counts(Stat.KV_TC_BAD, bad)
                .keeps("the key's bucket", () -> k.bucketBytes(k.store.bucketOf(5)));
    }

    /** Kernel + slow path + TC answer a long random sequence exactly as the all-Java store does. */
    @ParameterizedTest
    @EnumSource(KvPolicy.class)
    void theKernelCacheAnswersAsTheJavaStoreDoes(KvPolicy policy) {
        kernel(policy, LONG_LEASE);
        SplittableRandom rnd = new SplittableRandom(17);
        try (KvService java = new KvService(new KvStore(3))) {
            MemorySegment buf = Arena.ofAuto().allocate(KvMessage.SIZE);
            long[] stats = new long[Stat.MAX];
            for (long key = 0; key < 60; key += 2) {
                k.put(key, value(key, 0));
                MemorySegment v = MemorySegment.ofArray(value(key, 0));
                byte[] ins = KvMessages.request(Op.KV_INSERT, key, v.toArray(JAVA_BYTE), 0);
                MemorySegment.copy(MemorySegment.ofArray(ins), 0, buf, 0, ins.length);
                assertThat(java.serve(buf, ins.length, stats)).isEqualTo(KvMessage.SIZE);
            }
            k.prewarm();
            int[] statuses = new int[64];
            for (int i = 0; i < 3000; i++) {
                int op = switch (rnd.nextInt(10)) {
                    case 0, 1, 2, 3, 4 -> Op.KV_GET;
                    case 5, 6 -> Op.KV_SET;
                    case 7, 8 -> Op.KV_INSERT;
                    default -> Op.KV_DELETE;
                };
                long key = rnd.nextLong(90);
                byte[] r = req(op, key, op == Op.KV_GET || op == Op.KV_DELETE ? zeroValue() : value(key, i));
                byte[] fromKernel = k.exchange(r);
                MemorySegment.copy(MemorySegment.ofArray(r), 0, buf, 0, r.length);
                java.serve(buf, r.length, stats);
                assertThat(fromKernel).as("step %d: op %d key %d", i, op, key).isEqualTo(buf.toArray(JAVA_BYTE));
                statuses[status(fromKernel)]++;
            }
            assertThat(statuses[Status.KV_OK]).isPositive();
            assertThat(statuses[Status.KV_NOT_EXIST]).isPositive();
            assertThat(statuses[Status.KV_EXISTS]).isPositive();
            assertThat(k.stat(Stat.KV_SLOW)).as("misses went up").isPositive();
            assertThat(k.stat(Stat.KV_GET_HIT)).as("hits stayed down").isPositive();
            if (policy != KvPolicy.WRITE_THROUGH) {
                assertThat(k.stat(Stat.KV_WRITEBACK)).as("dirty victims written back").isPositive();
            }
            k.assertCacheAgreesWithStore();
            assertThat(version(buf.toArray(JAVA_BYTE))).isNotNegative();
        }
    }
}

package io.dint.shard;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bpf.BpfMap;
import io.dint.bpf.BpfObject;
import io.dint.bpf.BpfProgram;
import io.dint.testing.BadFrames;
import io.dint.testing.Frames;
import io.dint.log.FsyncPolicy;
import io.dint.log.LogDrainer;
import io.dint.log.LogFile;
import io.dint.log.RingStorage;
import io.dint.testing.SlowPathTrip;
import io.dint.wire.Hash64;
import io.dint.wire.Header;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Status;
import io.dint.wire.TxnMessage;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shard program through BPF_PROG_TEST_RUN with its Java slow path and TC egress program, and
 * against the udp backend's {@link ShardStore}: the same requests must get the same replies,
 * whether the kernel answers from its cache, from its Bloom word or through the slow path.
 */
class ShardXdpTest {
    private static final int BUCKETS = 2; // 8 slots: most records live in the slow path
    private static final int LOCK_ENTRIES = 4096;
    private static final long LONG_LEASE = 10_000_000_000L;

    private final Arena arena = Arena.ofShared();
    private ShardObject shard;
    private BpfObject obj;
    private BpfProgram xdp;
    private BpfProgram tc;
    private ShardStore slowStore;
    private ShardSlowPath slow;
    private final long[] slowStats = new long[Stat.MAX];
    private long seq;

    @BeforeEach
    void load() {
        shard = ShardObject.load(BUCKETS, LOCK_ENTRIES, 4096, LONG_LEASE, 0, Frames.SERVER_MAC, io.dint.server.Allowlist.ANY,
                null); // rings nobody drains here
        obj = shard.object();
        xdp = shard.xdp();
        tc = shard.tc();
        slowStore = new ShardStore(1024, new ShardLog(1024));
        slow = new ShardSlowPath(slowStore, BUCKETS);
    }

    @AfterEach
    void close() {
        obj.close();
        slow.close();
        arena.close();
    }

    private byte[] request(int op, long key, long txn) {
        MemorySegment b = arena.allocate(TxnMessage.SIZE);
        TxnMessage.encodeRequest(b, op, 7, ++seq, key, txn);
        return b.toArray(JAVA_BYTE);
    }

    private byte[] install(int op, long key, long txn, int version, int flags, long word) {
        MemorySegment b = arena.allocate(TxnMessage.SIZE);
        MemorySegment value = arena.allocate(TxnMessage.VALUE_SIZE);
        value.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0, word);
        value.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 32, ~word);
        TxnMessage.encodeInstall(b, op, 7, ++seq, key, txn, version, flags, value, 0);
        return b.toArray(JAVA_BYTE);
    }

    private SlowPathTrip send(byte[] req) {
        return SlowPathTrip.send(xdp, tc, TxnMessage.SIZE, Wire.TXN_FLAGS, req, this::slowPath);
    }

    private byte[] slowPath(byte[] payload) {
        MemorySegment buf = arena.allocate(2048);
        MemorySegment.copy(MemorySegment.ofArray(payload), 0, buf, 0, payload.length);
        int len = slow.serve(buf, payload.length, slowStats);
        return len < 0 ? null : buf.asSlice(0, len).toArray(JAVA_BYTE);
    }

    private static int status(byte[] reply) {
        return reply[Wire.HDR_STATUS] & 0xff;
    }

    private static int version(byte[] reply) {
        return ByteBuffer.wrap(reply).order(ByteOrder.LITTLE_ENDIAN).getInt(Wire.TXN_VERSION);
    }

    private static int flags(byte[] reply) {
        return reply[Wire.TXN_FLAGS] & 0xff;
    }

    private static long word(byte[] reply) {
        return ByteBuffer.wrap(reply).order(ByteOrder.LITTLE_ENDIAN).getLong(Wire.TXN_VALUE);
    }

    private long stat(int s) {
        return obj.map("stats").sumPerCpuLong(s);
    }

    /** Keys whose lock-table entries differ, so that the kernel's locks are per key like the store's. */
    private static long[] keys(int n) {
        long[] keys = new long[n];
        Set<Long> entries = new HashSet<>();
        int i = 0;
        for (long k = 0x0100_0000_0000_0001L; i < n; k++) {
            if (entries.add(Long.remainderUnsigned(Hash64.hash(k), LOCK_ENTRIES))) {
                keys[i++] = k;
            }
        }
        return keys;
    }

    @Test
    void installedRecordsAreReadFromTheCacheAndLocksGoWithTheirInstall() {
        long key = keys(1)[0];
        assertThat(status(send(install(Op.TXN_INSERT_PRIMARY, key, 1, 1, 0, 100)).reply())).isEqualTo(Status.APPLIED);
        assertThat(stat(Stat.TXN_INSTALL_HIT)).isEqualTo(1);

        SlowPathTrip lock = send(request(Op.TXN_OCC_LOCK, key, 5));
        assertThat(lock.slowPath()).as("a cached record is answered in the kernel").isFalse();
        assertThat(status(lock.reply())).isEqualTo(Status.GRANT);
        assertThat(version(lock.reply())).isEqualTo(1);
        assertThat(flags(lock.reply())).isEqualTo(Wire.TXN_F_EXISTS);
        assertThat(word(lock.reply())).isEqualTo(100);

        byte[] other = send(request(Op.TXN_VALIDATE, key, 6)).reply();
        assertThat(flags(other)).as("locked by another transaction").isEqualTo(Wire.TXN_F_EXISTS | Wire.TXN_F_LOCKED);
        assertThat(status(send(request(Op.TXN_OCC_LOCK, key, 6)).reply())).isEqualTo(Status.REJECT);

        assertThat(status(send(install(Op.TXN_COMMIT_PRIMARY, key, 5, 2, Wire.TXN_F_UNLOCK, 200)).reply())).isEqualTo(Status.APPLIED);
        byte[] after = send(request(Op.TXN_VALIDATE, key, 6)).reply();
        assertThat(version(after)).isEqualTo(2);
        assertThat(flags(after)).as("the primary's install unlocked it").isEqualTo(Wire.TXN_F_EXISTS);
        assertThat(word(after)).isEqualTo(200);
        assertThat(status(send(install(Op.TXN_COMMIT_BACKUP, key, 9, 2, 0, 200)).reply())).as("this very write again")
                .isEqualTo(Status.ALREADY_APPLIED);
        byte[] conflict = send(install(Op.TXN_COMMIT_BACKUP, key, 9, 2, 0, 999)).reply();
        assertThat(status(conflict)).as("the same version with another value").isEqualTo(Status.REFUSED);
        byte[] older = send(install(Op.TXN_COMMIT_BACKUP, key, 9, 1, 0, 100)).reply();
        assertThat(status(older)).isEqualTo(Status.REFUSED);
        assertThat(version(older)).as("the reply carries the record's version").isEqualTo(2);
        assertThat(word(send(request(Op.TXN_READ, key, 6)).reply())).as("an install that is not newer changes nothing").isEqualTo(200);
    }

    @Test
    void aKeyTheBucketNeverHadIsAnsweredAbsentInTheKernel() {
        long key = keys(1)[0];
        SlowPathTrip t = send(request(Op.TXN_READ, key, 1));
        assertThat(t.slowPath()).isFalse();
        assertThat(status(t.reply())).isEqualTo(Status.OK);
        assertThat(version(t.reply())).isZero();
        assertThat(flags(t.reply())).isZero();
        assertThat(stat(Stat.TXN_ABSENT)).isEqualTo(1);
    }

    @Test
    void aFullBucketWritesItsVictimBackAndTheSlowPathServesTheRest() {
        long[] keys = keys(40);
        for (int i = 0; i < keys.length; i++) {
            assertThat(status(send(install(Op.TXN_INSERT_BACKUP, keys[i], 1, 1, 0, i)).reply())).isEqualTo(Status.APPLIED);
        }
        assertThat(stat(Stat.KV_SLOW)).as("8 slots for 40 records").isGreaterThan(0);
        assertThat(stat(Stat.KV_WRITEBACK)).isGreaterThan(0);
        for (int i = 0; i < keys.length; i++) {
            byte[] r = send(request(Op.TXN_LOCK_SHARED, keys[i], 3)).reply();
            assertThat(status(r)).isEqualTo(Status.GRANT);
            assertThat(word(r)).as("record %d", i).isEqualTo(i);
            assertThat(flags(r)).isEqualTo(Wire.TXN_F_EXISTS);
        }
        Map<String, Object> check = ShardXdpServer.check(shard, slowStore);
        assertThat(check.get("locks_held")).isEqualTo(40L);
        assertThat(check.get("locked_buckets")).isEqualTo(0L);
        @SuppressWarnings("unchecked")
        Map<String, Object> tables = (Map<String, Object>) check.get("tables");
        assertThat(tables.get("1").toString()).contains("rows=40");
    }

    @Test
    void aRetransmittedLockIsGrantedOnceAndAnsweredWithTheRecordAgain() {
        long key = keys(1)[0];
        send(install(Op.TXN_INSERT_PRIMARY, key, 1, 1, 0, 77));
        byte[] req = request(Op.TXN_LOCK_SHARED, key, 4);
        assertThat(status(send(req).reply())).isEqualTo(Status.GRANT);
        byte[] again = send(req).reply();
        assertThat(status(again)).isEqualTo(Status.GRANT);
        assertThat(word(again)).isEqualTo(77);
        assertThat(stat(Stat.DUPLICATE)).isEqualTo(1);
        assertThat(status(send(request(Op.TXN_RELEASE_SHARED, key, 4)).reply())).isEqualTo(Status.OK);
        assertThat(status(send(request(Op.TXN_RELEASE_SHARED, key, 4)).reply())).as("granted once, released once")
                .isEqualTo(Status.NOT_HELD);
    }

    @Test
    void aTransactionNeverConflictsWithItselfOnASharedLockEntry() {
        long key = keys(1)[0];
        assertThat(status(send(request(Op.TXN_LOCK_SHARED, key, 4)).reply())).isEqualTo(Status.GRANT);
        assertThat(status(send(request(Op.TXN_LOCK_EXCLUSIVE, key, 5)).reply())).as("another reader's").isEqualTo(Status.REJECT);
        assertThat(status(send(request(Op.TXN_LOCK_EXCLUSIVE, key, 4)).reply())).as("its own").isEqualTo(Status.GRANT);
        assertThat(status(send(request(Op.TXN_LOCK_SHARED, key, 5)).reply())).isEqualTo(Status.REJECT);
        assertThat(status(send(request(Op.TXN_RELEASE_EXCLUSIVE, key, 4)).reply())).isEqualTo(Status.OK);
        assertThat(status(send(request(Op.TXN_LOCK_SHARED, key, 5)).reply())).isEqualTo(Status.GRANT);
        assertThat(status(send(request(Op.TXN_LOCK_EXCLUSIVE, key, 4)).reply())).as("two readers").isEqualTo(Status.REJECT);
        assertThat(status(send(request(Op.TXN_RELEASE_SHARED, key, 4)).reply())).isEqualTo(Status.OK);
        assertThat(status(send(request(Op.TXN_RELEASE_SHARED, key, 5)).reply())).isEqualTo(Status.OK);
        assertThat(ShardXdpServer.check(shard, slowStore).get("locks_held")).isEqualTo(0L);
    }

    @Test
    void aLockedBucketIsAnsweredRetryAndChangesNothing() {
        long key = keys(1)[0];
        send(install(Op.TXN_INSERT_PRIMARY, key, 1, 1, 0, 5));
        int bucket = (int) Long.remainderUnsigned(Hash64.hash(key), BUCKETS);
        BpfMap cache = obj.map(ShardObject.CACHE);
        MemorySegment b = arena.allocate(Wire.KV_BUCKET_SIZE, 8);
        cache.lookup(bucket, b);
        b.set(java.lang.foreign.ValueLayout.JAVA_LONG, Wire.KV_BUCKET_LOCK, System.nanoTime() | 1); // someone's, unexpired
        cache.update(bucket, b);
        assertThat(status(send(install(Op.TXN_COMMIT_PRIMARY, key, 1, 2, 0, 6)).reply())).isEqualTo(Status.RETRY);
        assertThat(status(send(request(Op.TXN_READ, key, 1)).reply())).isEqualTo(Status.RETRY);
        b.set(java.lang.foreign.ValueLayout.JAVA_LONG, Wire.KV_BUCKET_LOCK, 0);
        cache.update(bucket, b);
        byte[] r = send(request(Op.TXN_READ, key, 1)).reply();
        assertThat(version(r)).isEqualTo(1);
        assertThat(word(r)).isEqualTo(5);
    }

    /** Installs that go up to the slow path are answered as the cache answers them: applied, already applied, refused. */
    @Test
    void theSlowPathAnswersInstallsAsTheCacheDoes() {
        long[] keys = keys(40);
        for (int i = 0; i < keys.length; i++) {
            assertThat(status(send(install(Op.TXN_INSERT_BACKUP, keys[i], 1, 1, 0, i)).reply())).isEqualTo(Status.APPLIED);
        }
        int wentUp = 0;
        for (int i = 0; i < keys.length; i++) {
            SlowPathTrip again = send(install(Op.TXN_INSERT_BACKUP, keys[i], 1, 1, 0, i));
            wentUp += again.slowPath() ? 1 : 0;
            assertThat(status(again.reply())).as("record %d again", i).isEqualTo(Status.ALREADY_APPLIED);
            SlowPathTrip newer = send(install(Op.TXN_COMMIT_BACKUP, keys[i], 1, 3, 0, 100 + i));
            assertThat(status(newer.reply())).as("record %d, version 3", i).isEqualTo(Status.APPLIED);
            byte[] older = send(install(Op.TXN_COMMIT_BACKUP, keys[i], 1, 2, 0, 100 + i)).reply();
            assertThat(status(older)).as("record %d, version 2 after 3", i).isEqualTo(Status.REFUSED);
            assertThat(version(older)).isEqualTo(3);
        }
        assertThat(wentUp).as("some records were answered by the slow path").isPositive();
    }

    /**
     * An unlocking install that goes up keeps its lock until the slow path's answer passes TC:
     * lost on its way up, it leaves the lock held and the record unwritten, and its retransmission
     * is served again; TC then unlocks and remembers the answer, so a retransmission after a newer
     * write still hears APPLIED.
     */
    @Test
    void anUnlockingInstallThatGoesUpKeepsItsLockUntilItsAnswerPassesTc() {
        long key = keys(1)[0];
        send(install(Op.TXN_INSERT_PRIMARY, key, 1, 1, 0, 10));
        assertThat(status(send(request(Op.TXN_OCC_LOCK, key, 5)).reply())).isEqualTo(Status.GRANT);
        ShardXdpServer.check(shard, slowStore); // writes the dirty record back into the store
        uncache(key);

        byte[] commit = install(Op.TXN_COMMIT_PRIMARY, key, 5, 2, Wire.TXN_F_UNLOCK, 20);
        SlowPathTrip lost = SlowPathTrip.send(xdp, tc, TxnMessage.SIZE, Wire.TXN_FLAGS, commit, payload -> null);
        assertThat(lost.slowPath()).isTrue();
        assertThat(exclusiveLocks(key)).as("held while the install is on its way").isEqualTo(1);
        expireBucketLock(key);

        SlowPathTrip served = send(commit);
        assertThat(served.slowPath()).as("the retransmission goes up again").isTrue();
        assertThat(status(served.reply())).isEqualTo(Status.APPLIED);
        assertThat(exclusiveLocks(key)).as("TC released it with the answer").isZero();
        assertThat(stat(Stat.DUPLICATE)).isZero();

        assertThat(status(send(request(Op.TXN_OCC_LOCK, key, 6)).reply())).isEqualTo(Status.GRANT);
        assertThat(status(send(install(Op.TXN_COMMIT_PRIMARY, key, 6, 3, Wire.TXN_F_UNLOCK, 30)).reply())).isEqualTo(Status.APPLIED);
        SlowPathTrip late = send(commit);
        assertThat(late.slowPath()).isFalse();
        assertThat(status(late.reply())).as("answered as it was, not REFUSED by the newer write").isEqualTo(Status.APPLIED);
        assertThat(stat(Stat.DUPLICATE)).isEqualTo(1);
        assertThat(word(send(request(Op.TXN_READ, key, 7)).reply())).isEqualTo(30);
        assertThat(exclusiveLocks(key)).isZero();
    }

    /** Drops key's slot from the cache (its record must be in the store): the next access goes up. */
    private void uncache(long key) {
        int bucket = (int) Long.remainderUnsigned(Hash64.hash(key), BUCKETS);
        BpfMap cache = obj.map(ShardObject.CACHE);
        MemorySegment b = arena.allocate(Wire.KV_BUCKET_SIZE, 8);
        cache.lookup(bucket, b);
        for (int way = 0; way < Wire.KV_WAYS; way++) {
            long slot = Wire.KV_BUCKET_SLOT + (long) way * Wire.KV_SLOT_SIZE;
            if (b.get(java.lang.foreign.ValueLayout.JAVA_LONG, slot + Wire.KV_SLOT_OBJ + Wire.KV_OBJECT_KEY) == key) {
                b.set(JAVA_BYTE, slot + Wire.KV_SLOT_VALID, (byte) 0);
            }
        }
        cache.update(bucket, b);
    }

    /** Makes key's bucket lock look older than any lease, as if its holder's packet was lost long ago. */
    private void expireBucketLock(long key) {
        int bucket = (int) Long.remainderUnsigned(Hash64.hash(key), BUCKETS);
        BpfMap cache = obj.map(ShardObject.CACHE);
        MemorySegment b = arena.allocate(Wire.KV_BUCKET_SIZE, 8);
        cache.lookup(bucket, b);
        assertThat(b.get(java.lang.foreign.ValueLayout.JAVA_LONG, Wire.KV_BUCKET_LOCK)).as("locked by the request gone up").isNotZero();
        b.set(java.lang.foreign.ValueLayout.JAVA_LONG, Wire.KV_BUCKET_LOCK, 1);
        cache.update(bucket, b);
    }

    /**
     * Sets key's lock entry's grant time back past {@code leaseMs} in the kernel and in
     * {@code reference} alike (both read CLOCK_MONOTONIC), as if its holder had vanished long ago.
     */
    private void ageLock(long key, ShardStore reference, int leaseMs) {
        long past = System.nanoTime() - 2L * leaseMs * 1_000_000;
        MemorySegment e = arena.allocate(Wire.LOCK_ENTRY_SIZE, 8);
        int idx = (int) Long.remainderUnsigned(Hash64.hash(key), LOCK_ENTRIES);
        obj.map(ShardObject.LOCKS).lookup(idx, e);
        e.set(java.lang.foreign.ValueLayout.JAVA_LONG, Wire.LOCK_ENTRY_GRANTED_NS, past);
        obj.map(ShardObject.LOCKS).update(idx, e);
        long r = reference.records().find(key, false);
        if (r >= 0) {
            reference.records().memory().set(java.lang.foreign.ValueLayout.JAVA_LONG, r + RecordTable.LOCK + Wire.LOCK_ENTRY_GRANTED_NS, past);
        }
    }

    private int exclusiveLocks(long key) {
        MemorySegment e = arena.allocate(Wire.LOCK_ENTRY_SIZE, 8);
        obj.map(ShardObject.LOCKS).lookup((int) Long.remainderUnsigned(Hash64.hash(key), LOCK_ENTRIES), e);
        return e.get(java.lang.foreign.ValueLayout.JAVA_INT, Wire.LOCK_ENTRY_EXCLUSIVE);
    }

    @Test
    void logRecordsGoToThisCpusRing() {
        long key = keys(1)[0];
        assertThat(status(send(install(Op.TXN_COMMIT_LOG, key, 1, 3, 0, 9)).reply())).isEqualTo(Status.OK);
        assertThat(stat(Stat.LOG_APPEND)).isEqualTo(1);
        var rings = shard.rings(null);
        try {
            assertThat(rings.rings().pending()).isEqualTo(1);
        } finally {
            rings.close(false);
        }
    }

    /**
     * The kernel's commit log, drained to its file and read back, replays to exactly the records
     * the shard holds — until a write is installed that was never logged.
     */
    @Test
    void theDrainedLogReplaysToTheRecordsTheShardHolds(@TempDir Path dir) {
        long[] keys = keys(20);
        for (int i = 0; i < keys.length; i++) {
            // as a commit does: logged, then installed (some of them go up to the slow path)
            assertThat(status(send(install(Op.TXN_INSERT_LOG, keys[i], 1, 1, 0, i)).reply())).isEqualTo(Status.OK);
            assertThat(status(send(install(Op.TXN_INSERT_BACKUP, keys[i], 1, 1, 0, i)).reply())).isEqualTo(Status.APPLIED);
        }
        send(install(Op.TXN_DELETE_LOG, keys[3], 2, 2, 0, 0));
        send(install(Op.TXN_DELETE_BACKUP, keys[3], 2, 2, 0, 0));
        Path file = dir.resolve("shard.log");
        assertThat(replayedDigest(file)).isEqualTo(ShardXdpServer.check(shard, slowStore).get("digest"));

        send(install(Op.TXN_COMMIT_BACKUP, keys[5], 3, 2, 0, 55)); // never logged
        assertThat(replayedDigest(file)).isNotEqualTo(ShardXdpServer.check(shard, slowStore).get("digest"));
        send(install(Op.TXN_COMMIT_LOG, keys[5], 3, 2, 0, 55));
        assertThat(replayedDigest(file)).as("logged after all").isEqualTo(ShardXdpServer.check(shard, slowStore).get("digest"));
    }

    /** Drains the object's log rings to the end of {@code file} and replays the whole file. */
    private String replayedDigest(Path file) {
        RingStorage rings = shard.rings(null);
        try (LogFile log = LogFile.open(file)) {
            try (LogDrainer drainer = new LogDrainer(rings.rings(), log, FsyncPolicy.standard(), 100_000)) {
                drainer.start();
                assertThat(drainer.awaitDrained(10_000_000_000L)).isTrue();
            }
        }
        try (ShardLog replayed = ShardLog.replay(file, 0, 1024)) {
            return Long.toHexString(replayed.digest());
        }
    }

    private static int epochOf(byte[] reply) {
        return ByteBuffer.wrap(reply).order(ByteOrder.LITTLE_ENDIAN).getShort(Wire.HDR_RESERVED) & 0xffff;
    }

    /** A LOG carrying the epoch of its sender's grants at the shard. */
    private byte[] log(long key, long txn, int version, int grantEpoch) {
        byte[] b = install(Op.TXN_COMMIT_LOG, key, txn, version, 0, version);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putShort(Wire.HDR_RESERVED, (short) grantEpoch);
        return b;
    }

    /**
     * Leases, pins and epochs, in the kernel and in the Java shard side by side (every reply the
     * same): a lock is not taken over within its lease; past it, one held by a transaction that
     * has not logged is taken over and the epoch advances, so that the old holder's LOG is
     * refused STALE and its release finds nothing; a lock whose holder logged here, and a shared
     * lock of several transactions, are not taken over; a LOG of a transaction without locks here
     * is taken in any epoch; every reply carries the epoch; a recovering shard answers reads and
     * locks RETRY until its grace period ends, LOG and installs as ever.
     */
    @Test
    void leasesPinsAndEpochsAsTheJavaShardKeepsThem() throws InterruptedException {
        int lease = 1000;
        int epoch = 0x1234;
        long[] k = keys(4);
        long a = k[0], b = k[1], c = k[2], d = k[3];
        ShardObject leased = ShardObject.load(BUCKETS, LOCK_ENTRIES, 4096, LONG_LEASE, lease, Frames.SERVER_MAC,
                io.dint.server.Allowlist.ANY, null);
        try (ShardStore reference = new ShardStore(1024, new ShardLog(1024))) {
            leased.setEpoch(epoch, 0);
            reference.setEpoch(epoch);
            reference.setLockLease(lease);
            BpfProgram x = leased.xdp(), t = leased.tc();
            long[] javaStats = new long[Stat.MAX];
            MemorySegment buf = arena.allocate(TxnMessage.SIZE);
            java.util.function.Function<byte[], byte[]> both = req -> {
                byte[] kernel = SlowPathTrip.send(x, t, TxnMessage.SIZE, Wire.TXN_FLAGS, req, this::slowPath).reply();
                MemorySegment.copy(MemorySegment.ofArray(req), 0, buf, 0, req.length);
                byte[] java = buf.asSlice(0, reference.serve(buf, req.length, javaStats)).toArray(JAVA_BYTE);
                assertThat(kernel).as("%s key %x", Op.name(req[Wire.HDR_OP] & 0xff), ByteBuffer.wrap(req)
                        .order(ByteOrder.LITTLE_ENDIAN).getLong(Wire.TXN_KEY)).isEqualTo(java);
                return java;
            };
            for (long key : k) {
                both.apply(install(Op.TXN_INSERT_BACKUP, key, 9, 1, 0, key));
            }
            byte[] granted = both.apply(request(Op.TXN_LOCK_EXCLUSIVE, a, 1));
            assertThat(status(granted)).isEqualTo(Status.GRANT);
            assertThat(epochOf(granted)).as("replies carry the epoch").isEqualTo(epoch);
            assertThat(status(both.apply(request(Op.TXN_LOCK_EXCLUSIVE, a, 2)))).as("within the lease").isEqualTo(Status.REJECT);
            assertThat(status(both.apply(request(Op.TXN_LOCK_SHARED, b, 3)))).isEqualTo(Status.GRANT);
            assertThat(status(both.apply(request(Op.TXN_LOCK_SHARED, b, 4)))).isEqualTo(Status.GRANT);
            assertThat(status(both.apply(request(Op.TXN_LOCK_EXCLUSIVE, c, 5)))).isEqualTo(Status.GRANT);
            assertThat(status(both.apply(log(c, 5, 2, epoch)))).as("logged: pinned").isEqualTo(Status.OK);

            Thread.sleep(lease + 200); // past every lease

            byte[] first = request(Op.TXN_LOCK_EXCLUSIVE, a, 9);
            assertThat(status(both.apply(first))).as("past its lease, from a holder that never logged").isEqualTo(Status.GRANT);
            Thread.sleep(lease + 200);
            byte[] takeover = both.apply(request(Op.TXN_LOCK_EXCLUSIVE, a, 2));
            assertThat(status(takeover)).as("and again").isEqualTo(Status.GRANT);
            int next = epoch + 2;
            assertThat(epochOf(takeover)).as("a takeover advances the epoch").isEqualTo(next);
            assertThat(leased.epoch()).isEqualTo(next);
            assertThat(reference.epoch()).isEqualTo(next);
            assertThat(status(both.apply(log(a, 1, 2, epoch)))).as("the old holder may not commit").isEqualTo(Status.STALE);
            assertThat(status(both.apply(first))).as("a retransmitted grant of a lock taken over is no grant").isEqualTo(Status.REJECT);
            assertThat(status(both.apply(request(Op.TXN_RELEASE_EXCLUSIVE, a, 1)))).isEqualTo(Status.NOT_HELD);
            assertThat(status(both.apply(log(a, 2, 2, next)))).as("the new holder may").isEqualTo(Status.OK);
            assertThat(status(both.apply(request(Op.TXN_LOCK_EXCLUSIVE, b, 6)))).as("shared by two: never taken over")
                    .isEqualTo(Status.REJECT);
            assertThat(status(both.apply(request(Op.TXN_LOCK_EXCLUSIVE, c, 6)))).as("its holder logged here: pinned")
                    .isEqualTo(Status.REJECT);
            assertThat(status(both.apply(log(d, 7, 2, 0)))).as("no locks here: any epoch").isEqualTo(Status.OK);
            assertThat(leased.object().map("stats").sumPerCpuLong(Stat.TXN_LOCK_TAKEOVER)).isEqualTo(2);
            assertThat(javaStats[Stat.TXN_LOCK_TAKEOVER]).isEqualTo(2);
            assertThat(javaStats[Stat.TXN_STALE]).isEqualTo(1);

            long graceEnd = System.nanoTime() + 60_000_000_000L;
            leased.setEpoch(0x4321, graceEnd);
            reference.setEpoch(0x4321);
            reference.setGraceUntil(graceEnd);
            assertThat(status(both.apply(request(Op.TXN_READ, d, 8)))).as("recovering: reads wait").isEqualTo(Status.RETRY);
            assertThat(status(both.apply(request(Op.TXN_LOCK_SHARED, d, 8)))).as("and locks").isEqualTo(Status.RETRY);
            assertThat(status(both.apply(log(d, 8, 3, 0)))).as("logs do not").isEqualTo(Status.OK);
            assertThat(status(both.apply(install(Op.TXN_COMMIT_BACKUP, d, 8, 3, 0, 3)))).as("nor installs").isEqualTo(Status.APPLIED);
            leased.setEpoch(0x4321, 0);
            reference.setGraceUntil(0);
            assertThat(status(both.apply(request(Op.TXN_READ, d, 8)))).isEqualTo(Status.OK);
        } finally {
            leased.close();
        }
    }

    @Test
    void malformedFramesAreNeverAnswered() {
        byte[] req = request(Op.TXN_READ, keys(1)[0], 1);
        List<BadFrames.Case> cases = BadFrames.around(req);
        cases.add(BadFrames.badOp("a lock-service opcode", BadFrames.withOp(req, Op.LOCK_ACQUIRE_SHARED)));
        cases.add(BadFrames.badOp("opcode past the shard range", BadFrames.withOp(req, Op.TXN_DELETE_PRIMARY + 1)));
        byte[] reply = req.clone();
        reply[Wire.HDR_STATUS] = (byte) Status.OK;
        cases.add(BadFrames.badOp("a reply sent to us", reply));
        byte[] zeroKey = request(Op.TXN_READ, 0, 1);
        cases.add(BadFrames.badOp("key 0", zeroKey));
        cases.add(BadFrames.badOp("an install of version 0", install(Op.TXN_COMMIT_BACKUP, keys(1)[0], 1, 0, 0, 1)));
        BadFrames.assertNeverAnswered(xdp, obj.map("stats"), cases);
    }

    /**
     * Random requests of three transactions at a time on twelve keys through the kernel (8 cache
     * slots: evictions, write-backs, slow-path reads and installs) and through the udp backend's
     * store, both with lock leases: every step replayed, upgrades, repeated locks, retransmitted
     * grants, LOGs of the current, of an earlier and of no epoch, and locks whose lease ran out
     * (both sides' grant time set back) taken over or kept for a holder that logged; every reply
     * the same, and the same records and locks at the end.
     */
    @Test
    void theKernelAnswersAsTheJavaShardDoes() {
        int lease = 60_000; // never runs out by itself here: steps age a lock on both sides at once
        obj.close();
        shard = ShardObject.load(BUCKETS, LOCK_ENTRIES, 4096, LONG_LEASE, lease, Frames.SERVER_MAC, io.dint.server.Allowlist.ANY,
                null);
        obj = shard.object();
        xdp = shard.xdp();
        tc = shard.tc();
        int epoch = 0x0100;
        shard.setEpoch(epoch, 0);
        long[] keys = keys(12);
        SplittableRandom rnd = new SplittableRandom(2024);
        int[] ops = {Op.TXN_READ, Op.TXN_LOCK_SHARED, Op.TXN_LOCK_EXCLUSIVE, Op.TXN_RELEASE_SHARED,
            Op.TXN_RELEASE_EXCLUSIVE, Op.TXN_OCC_LOCK, Op.TXN_OCC_ABORT, Op.TXN_VALIDATE, Op.TXN_COMMIT_LOG,
            Op.TXN_COMMIT_BACKUP, Op.TXN_COMMIT_PRIMARY, Op.TXN_INSERT_PRIMARY, Op.TXN_DELETE_BACKUP};
        List<String> steps = new ArrayList<>();
        Map<Long, Map<Long, Integer>> sharedBy = new HashMap<>(); // key -> txn -> shared grants
        Map<Long, long[]> exclusive = new HashMap<>(); // key -> {holder, grants}
        int upgrades = 0, repeated = 0, aged = 0, grantsGone = 0, pinnedKept = 0;
        List<byte[]> grants = new ArrayList<>(); // granted lock requests, for retransmissions
        try (ShardStore reference = new ShardStore(1024, new ShardLog(1024))) {
            reference.setEpoch(epoch);
            reference.setLockLease(lease);
            long[] javaStats = new long[Stat.MAX];
            MemorySegment buf = arena.allocate(TxnMessage.SIZE);
            Set<Long> logged = new HashSet<>();
            for (int i = 0; i < 3000; i++) {
                long key = keys[rnd.nextInt(keys.length)];
                // a new trio every 250 steps: the old ones' locks stay behind for leases to end;
                // only the first of a trio logs, and its pin keeps its locks
                long first = 1 + 3L * (i / 250);
                long txn = first + rnd.nextInt(3);
                if (rnd.nextInt(12) == 0) {
                    ageLock(key, reference, lease);
                    aged++;
                    steps.add("lease of key " + Long.toHexString(key) + " run out");
                }
                int op = ops[rnd.nextInt(ops.length)];
                if (op == Op.TXN_COMMIT_LOG) {
                    txn = first;
                }
                byte[] req;
                boolean resent = !grants.isEmpty() && rnd.nextInt(20) == 0;
                if (resent) {
                    req = grants.get(rnd.nextInt(grants.size()));
                    op = req[Wire.HDR_OP] & 0xff;
                    key = ByteBuffer.wrap(req).order(ByteOrder.LITTLE_ENDIAN).getLong(Wire.TXN_KEY);
                    txn = ByteBuffer.wrap(req).order(ByteOrder.LITTLE_ENDIAN).getLong(Wire.TXN_TXN_ID);
                } else {
                    req = op >= Op.TXN_COMMIT_LOG
                            ? install(op, key, txn, 1 + rnd.nextInt(40), rnd.nextInt(4) == 0 ? Wire.TXN_F_UNLOCK : 0, rnd.nextLong())
                            : request(op, key, txn);
                }
                if (op == Op.TXN_COMMIT_LOG) {
                    // the epoch of the sender's grants: none here, the shard's, or one it has left
                    int[] epochs = {0, epoch, epoch - 1};
                    ByteBuffer.wrap(req).order(ByteOrder.LITTLE_ENDIAN).putShort(Wire.HDR_RESERVED, (short) epochs[rnd.nextInt(3)]);
                }
                long takeovers = javaStats[Stat.TXN_LOCK_TAKEOVER];
                long r = reference.records().find(key, false);
                long lapsed = r < 0 ? 0 : io.dint.lock.LockRules.lapsed(reference.records().memory(), r + RecordTable.LOCK, System.nanoTime(),
                        lease * 1_000_000L);
                byte[] kernel = send(req).reply();
                MemorySegment.copy(MemorySegment.ofArray(req), 0, buf, 0, req.length);
                int len = reference.serve(buf, req.length, javaStats);
                byte[] java = buf.asSlice(0, len).toArray(JAVA_BYTE);
                steps.add((resent ? "again " : "") + Op.name(op) + " key " + Long.toHexString(key) + " txn " + txn + " -> "
                        + Status.name(status(java)));
                assertThat(kernel).as("step %d: %s", i, String.join("\n", steps.subList(Math.max(0, steps.size() - 8), steps.size())))
                        .isEqualTo(java);
                epoch = ByteBuffer.wrap(java).order(ByteOrder.LITTLE_ENDIAN).getShort(Wire.HDR_RESERVED) & 0xffff;
                int st = status(java);
                boolean granted = st == Status.GRANT;
                if (resent) {
                    grantsGone += st == Status.REJECT ? 1 : 0;
                    continue;
                }
                if (granted) {
                    grants.add(req);
                }
                if (op == Op.TXN_COMMIT_LOG && st == Status.OK) {
                    logged.add(txn);
                }
                boolean install = op >= Op.TXN_COMMIT_BACKUP;
                // a release is done when OK; an unlocking install when applied (now or before)
                boolean ok = install ? st == Status.APPLIED || st == Status.ALREADY_APPLIED : st == Status.OK;
                Map<Long, Integer> sharers = sharedBy.computeIfAbsent(key, k -> new HashMap<>());
                long[] x = exclusive.computeIfAbsent(key, k -> new long[2]);
                if (javaStats[Stat.TXN_LOCK_TAKEOVER] > takeovers) {
                    sharers.clear(); // taken over: every grant of the old holder dropped
                    x[1] = 0;
                } else if (st == Status.REJECT && lapsed != 0 && lapsed != txn) {
                    assertThat(logged).as("step %d: a lease ran out and the lock was kept: its holder logged", i).contains(lapsed);
                    pinnedKept++;
                }
                boolean unlocking = op == Op.TXN_RELEASE_EXCLUSIVE || op == Op.TXN_OCC_ABORT
                        || (install && (req[Wire.TXN_FLAGS] & Wire.TXN_F_UNLOCK) != 0);
                if ((op == Op.TXN_LOCK_EXCLUSIVE || op == Op.TXN_OCC_LOCK) && granted) {
                    upgrades += sharers.getOrDefault(txn, 0) > 0 ? 1 : 0;
                    repeated += x[1] > 0 ? 1 : 0;
                    x[0] = txn;
                    x[1]++;
                } else if (unlocking && ok && x[1] > 0 && x[0] == txn) {
                    x[1]--;
                } else if (op == Op.TXN_LOCK_SHARED && granted) {
                    sharers.merge(txn, 1, Integer::sum);
                } else if (op == Op.TXN_RELEASE_SHARED && ok) {
                    sharers.merge(txn, -1, Integer::sum);
                    sharers.remove(txn, 0);
                }
            }
            assertThat(aged).as("leases ran out").isPositive();
            assertThat(javaStats[Stat.TXN_LOCK_TAKEOVER]).as("locks taken over").isPositive()
                    .isEqualTo(stat(Stat.TXN_LOCK_TAKEOVER));
            assertThat(pinnedKept).as("locks kept past their lease for a holder that logged").isPositive();
            assertThat(javaStats[Stat.TXN_STALE]).as("LOGs of an epoch left refused").isPositive().isEqualTo(stat(Stat.TXN_STALE));
            assertThat(grantsGone).as("retransmitted grants of locks no longer held").isPositive();
            assertThat(upgrades).as("a reader's own upgrades were replayed").isPositive();
            assertThat(repeated).as("an exclusive holder's repeated locks were replayed").isPositive();
            assertThat(stat(Stat.KV_SLOW)).as("the slow path served some").isGreaterThan(50);
            assertThat(stat(Stat.TXN_READ_HIT)).as("the cache served some").isGreaterThan(50);
            Map<String, Object> kernel = ShardXdpServer.check(shard, slowStore);
            Map<String, Object> java = reference.check();
            assertThat(kernel.get("digest")).as("the same records").isEqualTo(java.get("digest"));
            assertThat(kernel.get("tables")).isEqualTo(java.get("tables"));
            assertThat(kernel.get("locks_held")).as("the same locks left").isEqualTo(java.get("locks_held"));
        }
    }
}

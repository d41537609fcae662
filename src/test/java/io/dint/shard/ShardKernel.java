package io.dint.shard;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bpf.ObjectSpec;
import io.dint.lock.LockRules;
import io.dint.testing.LockEntries;
import io.dint.testing.Messages;
import io.dint.testing.ServiceProgram;
import io.dint.testing.SlowPathTrip;
import io.dint.testing.TxnMessages;
import io.dint.testing.XdpFixture;
import io.dint.wire.Hash64;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.TxnMessage;
import io.dint.wire.Wire;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The shard without a network: shard.bpf.o in an {@link XdpFixture}, its Java slow path over a
 * {@link ShardStore}, and its cache and lock table read and written through the maps. A request
 * goes through the XDP program and, when passed up, through the slow path and its reply through
 * the TC program ({@link XdpFixture#trip}). Loaded when made; closing it closes both.
 */
final class ShardKernel implements AutoCloseable {
    static final int BUCKETS = 2; // 8 slots: most records live in the slow path
    static final int LOCK_ENTRIES = 4096;
    private static final int LOG_SLOTS = 4096; // rings nobody drains here
    private static final int CLIENT = 7;

    final XdpFixture xdp;
    /** The slow path's store: every record the kernel does not hold. */
    final ShardStore store = new ShardStore(1024, new ShardLog(1024));
    private final ShardSlowPath slow = new ShardSlowPath(store, BUCKETS);
    private final long[] slowStats = new long[Stat.MAX];
    private final LockEntries locks;

    /** A shard loaded now, its locks leased for {@code lockLeaseMs} (0: no lease), of epoch {@code epoch} (0: as loaded). */
    ShardKernel(int lockLeaseMs, int epoch) {
        xdp = XdpFixture.of(ServiceProgram.SHARD,
                ServiceProgram.SHARD.settings().size(BUCKETS).shard(LOCK_ENTRIES, LOG_SLOTS, lockLeaseMs, epoch)).load();
        locks = new LockEntries(xdp, ShardObject.LOCKS);
    }

    @Override
    public void close() {
        xdp.close();
        slow.close();
    }

    // ---- requests ----

    /** A read, lock or release of {@code key} by {@code txn}, the next seq. */
    byte[] request(int op, long key, long txn) {
        return TxnMessages.request(op, CLIENT, xdp.nextSeq(), key, txn);
    }

    /** A LOG or install, the next seq. */
    byte[] install(int op, long key, long txn, int version, int flags, long word) {
        return TxnMessages.install(op, CLIENT, xdp.nextSeq(), key, txn, version, flags, word);
    }

    /** A LOG carrying the epoch of its sender's grants at the shard (0: none). */
    byte[] log(long key, long txn, int version, int grantEpoch) {
        return TxnMessages.withGrantEpoch(install(Op.TXN_COMMIT_LOG, key, txn, version, 0, version), grantEpoch);
    }

    /** Sends {@code request}: answered in the kernel, or passed up, served by the slow path and shrunk by TC. */
    SlowPathTrip send(byte[] request) {
        return xdp.trip(TxnMessage.SIZE, Wire.TXN_FLAGS, request, this::slowPath);
    }

    /** The reply to {@code request}, whichever way it went. */
    byte[] reply(byte[] request) {
        return send(request).reply();
    }

    /** Sends {@code request} and loses it on its way up, if it goes up: the slow path never sees it. */
    SlowPathTrip sendLost(byte[] request) {
        return xdp.trip(TxnMessage.SIZE, Wire.TXN_FLAGS, request, payload -> null);
    }

    /** The kernel's reply to {@code request}, asserted to be the Java shard {@code reference}'s byte for byte. */
    byte[] sameAs(ShardStore reference, long[] javaStats, byte[] request, Supplier<String> what) {
        byte[] kernel = reply(request);
        byte[] java = Messages.servedBy(reference, request, javaStats);
        assertThat(kernel).as(what).isEqualTo(java);
        return java;
    }

    private byte[] slowPath(byte[] payload) {
        return Messages.servedBy(slow, payload, slowStats);
    }

    // ---- state ----

    /** Service counter {@code stat} of the kernel now. */
    long stat(int stat) {
        return xdp.stat(stat);
    }

    /** The end-of-run check: the kernel's dirty records written back into the slow path's store (a copy), then both scanned. */
    Map<String, Object> check() {
        return ShardXdpServer.check(ObjectSpec.assign(xdp.object(), ShardObject.class), store);
    }

    /** Exclusive grants of key's lock entry. */
    int exclusiveLocks(long key) {
        return locks.of(key).get(JAVA_INT, Wire.LOCK_ENTRY_EXCLUSIVE);
    }

    /**
     * Sets key's lock entry's grant time back past {@code leaseMs} in the kernel and in
     * {@code reference} alike (both read CLOCK_MONOTONIC), as if its holder had vanished long ago.
     */
    void ageLock(long key, ShardStore reference, int leaseMs) {
        long past = System.nanoTime() - 2L * leaseMs * 1_000_000;
        xdp.updateElement(ShardObject.LOCKS, Hash64.index(key, LOCK_ENTRIES), e -> e.set(JAVA_LONG, Wire.LOCK_ENTRY_GRANTED_NS, past));
        long r = reference.records().find(key, false);
        if (r >= 0) {
            reference.records().memory().set(JAVA_LONG, r + RecordTable.LOCK + Wire.LOCK_ENTRY_GRANTED_NS, past);
        }
    }

    /** The holder whose lease of key's lock in {@code reference} ran out, or 0 ({@link LockRules#lapsed}). */
    static long lapsed(ShardStore reference, long key, int leaseMs) {
        long r = reference.records().find(key, false);
        return r < 0 ? 0 : LockRules.lapsed(reference.records().memory(), r + RecordTable.LOCK, System.nanoTime(), leaseMs * 1_000_000L);
    }

    /** Key's cache bucket. */
    static int bucketOf(long key) {
        return Hash64.index(key, BUCKETS);
    }

    /** The bytes of key's bucket: what a row {@code keeps}. */
    byte[] bucketBytes(long key) {
        return xdp.bytes(ShardObject.CACHE, bucketOf(key));
    }

    /** Sets the lock word of key's bucket: a slow-path request's lease, 0 for none. */
    void setBucketLock(long key, long lock) {
        xdp.updateElement(ShardObject.CACHE, bucketOf(key), b -> b.set(JAVA_LONG, Wire.KV_BUCKET_LOCK, lock));
    }

    /** The lock word of key's bucket. */
    long bucketLock(long key) {
        return xdp.element(ShardObject.CACHE, bucketOf(key)).get(JAVA_LONG, Wire.KV_BUCKET_LOCK);
    }

    /** Drops key's slot from the cache (its record must be in the store): the next access goes up. */
    void uncache(long key) {
        xdp.updateElement(ShardObject.CACHE, bucketOf(key), b -> {
            for (int way = 0; way < Wire.KV_WAYS; way++) {
                long slot = Wire.KV_BUCKET_SLOT + (long) way * Wire.KV_SLOT_SIZE;
                if (b.get(JAVA_LONG, slot + Wire.KV_SLOT_OBJ + Wire.KV_OBJECT_KEY) == key) {
                    b.set(JAVA_BYTE, slot + Wire.KV_SLOT_VALID, (byte) 0);
                }
            }
        });
    }

    /** Keys whose lock-table entries differ, so that the kernel's locks are per key like the store's. */
    static long[] keys(int n) {
        long[] keys = new long[n];
        Set<Integer> entries = new HashSet<>();
        int i = 0;
        for (long k = 0x0100_0000_0000_0001L; i < n; k++) {
            if (entries.add(Hash64.index(k, LOCK_ENTRIES))) {
                keys[i++] = k;
            }
        }
        return keys;
    }
}

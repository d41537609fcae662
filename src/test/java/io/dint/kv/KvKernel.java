package io.dint.kv;

import static io.dint.testing.KvMessages.value;
import static io.dint.testing.KvMessages.zeroValue;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bpf.BpfObject;
import io.dint.bpf.ObjectSpec;
import io.dint.testing.Messages;
import io.dint.testing.ServiceProgram;
import io.dint.testing.SlowPathTrip;
import io.dint.testing.XdpFixture;
import io.dint.wire.KvMessage;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Map;

/**
 * The XDP backend without a network: kv.bpf.o loaded into an {@link XdpFixture} for test runs, a
 * store and its slow path. {@link #send} runs a request frame through the XDP program; a request
 * passed up goes through the Java slow path, and its reply, as the slow path's socket would send
 * it, through the TC egress program — the whole round trip in BPF_PROG_TEST_RUN. The KV kernel
 * tests ({@code KvXdpTest}, {@code KvSlowPathTripTest}, {@code KvLeaseTest}, {@code KvPolicyTest},
 * {@code KvBadFrameTest}) place their keys and read their trailers through it.
 */
final class KvKernel implements AutoCloseable {
    /** Buckets of the kernels the KV kernel tests load. */
    static final int BUCKETS = 8;
    /** A lease no test outlives (10 s): no lock expires on its own; a test that wants one expired sets it old. */
    static final long LONG_LEASE = 10_000_000_000L;

    final KvStore store;
    final XdpFixture xdp;
    final KvSlowPath slow;
    final long[] slowStats = new long[Stat.MAX];
    private boolean closed;

    /** A write-back cache with Bloom filter whose locks outlive the test: where every KV kernel test starts. */
    KvKernel() {
        this(BUCKETS, KvPolicy.WRITE_BACK_BLOOM, LONG_LEASE);
    }

    KvKernel(int buckets, KvPolicy policy, long leaseNanos) {
        store = new KvStore(buckets);
        xdp = XdpFixture.of(ServiceProgram.KV, ServiceProgram.KV.settings().size(buckets).cache(policy, leaseNanos)).load();
        slow = new KvSlowPath(store, 0);
    }

    /** Closes this kernel and loads one of {@code policy} whose bucket locks are leased for {@code leaseNanos}. */
    KvKernel reloaded(KvPolicy policy, long leaseNanos) {
        close();
        return new KvKernel(BUCKETS, policy, leaseNanos);
    }

    BpfObject object() {
        return xdp.object();
    }

    /** Adds a key to the store (before {@link #prewarm}, or to have user space know a key the cache does not). */
    void put(long key, byte[] value) {
        store.put(key, 1, MemorySegment.ofArray(value), 0);
    }

    void prewarm() {
        ObjectSpec.assign(object(), KvObject.class).prewarm(store);
    }

    byte[] request(int op, long key, byte[] value) {
        return io.dint.testing.KvMessages.request(op, key, value, xdp.nextSeq());
    }

    /** Sends the request; fails the test on an XDP_ABORTED, a DROP, or a TC verdict other than OK. */
    SlowPathTrip send(byte[] requestPayload) {
        return xdp.trip(KvMessage.SIZE, KvMessage.SIZE, requestPayload, this::slowPath);
    }

    /** The reply payload of a request, through whichever path it takes. */
    byte[] exchange(byte[] requestPayload) {
        return send(requestPayload).reply();
    }

    /** Serves a grown payload as the slow path's socket would; null if it sends no reply. */
    byte[] slowPath(byte[] payload) {
        return Messages.servedBy(slow, payload, slowStats);
    }

    // ---- the cache, read and written through the map ----

    /** A copy of bucket {@code b}. */
    MemorySegment bucket(int b) {
        return xdp.element(KvObject.CACHE, b);
    }

    /** Bucket {@code b}'s bytes: what a row {@code keeps}. */
    byte[] bucketBytes(int b) {
        return xdp.bytes(KvObject.CACHE, b);
    }

    void writeBucket(int b, MemorySegment v) {
        xdp.setElement(KvObject.CACHE, b, v);
    }

    long lock(int b) {
        return bucket(b).get(JAVA_LONG, Wire.KV_BUCKET_LOCK);
    }

    void setLock(int b, long lock) {
        MemorySegment v = bucket(b);
        v.set(JAVA_LONG, Wire.KV_BUCKET_LOCK, lock);
        writeBucket(b, v);
    }

    long bloom(int b) {
        return bucket(b).get(JAVA_LONG, Wire.KV_BUCKET_BLOOM);
    }

    static long slotOffset(int way) {
        return Wire.KV_BUCKET_SLOT + (long) way * Wire.KV_SLOT_SIZE;
    }

    /** The slot's {key, version, valid, dirty}. */
    long[] slot(int b, int way) {
        MemorySegment v = bucket(b);
        long s = slotOffset(way);
        return new long[] {
            v.get(JAVA_LONG, s + Wire.KV_SLOT_OBJ + Wire.KV_OBJECT_KEY),
            v.get(JAVA_LONG, s + Wire.KV_SLOT_OBJ + Wire.KV_OBJECT_VERSION),
            v.get(JAVA_BYTE, s + Wire.KV_SLOT_VALID),
            v.get(JAVA_BYTE, s + Wire.KV_SLOT_DIRTY)};
    }

    byte[] slotValue(int b, int way) {
        long at = slotOffset(way) + Wire.KV_SLOT_OBJ + Wire.KV_OBJECT_VALUE;
        return bucket(b).asSlice(at, Wire.KV_VALUE_SIZE).toArray(JAVA_BYTE);
    }

    /** The way holding key in its bucket, or -1. */
    int wayOf(long key) {
        int b = store.bucketOf(key);
        for (int w = 0; w < Wire.KV_WAYS; w++) {
            long[] s = slot(b, w);
            if (s[2] != 0 && s[0] == key) {
                return w;
            }
        }
        return -1;
    }

    /** The stored {version} and value of key, or null. */
    byte[] stored(long key) {
        int b = store.bucketOf(key);
        int link = store.find(b, key);
        if (link == 0) {
            return null;
        }
        MemorySegment o = Arena.ofAuto().allocate(Wire.KV_OBJECT_SIZE);
        store.copyObject(link, o, 0);
        return o.asSlice(Wire.KV_OBJECT_VALUE, Wire.KV_VALUE_SIZE).toArray(JAVA_BYTE);
    }

    long storedVersion(long key) {
        int link = store.find(store.bucketOf(key), key);
        return link == 0 ? -1 : store.version(link);
    }

    /** The end-of-run check of the cache against the store finds nothing wrong; returns its report. */
    Map<String, Object> assertCacheAgreesWithStore() {
        Map<String, Object> check = ObjectSpec.assign(object(), KvObject.class).check(store);
        assertThat(check).as("the cache against the store").containsEntry("ok", true);
        return check;
    }

    long stat(int s) {
        return xdp.stat(s);
    }

    // ---- keys placed for a test ----

    /** Six keys of the bucket in the store, of which prewarm caches four. */
    long[] sixKeys(int bucket) {
        long[] keys = keysInBucket(bucket, 6, 1);
        for (long key : keys) {
            put(key, value(key, 0));
        }
        prewarm();
        return keys;
    }

    /** A key of {@code bucket} in the store and the cache ({@link #cache(long)}). */
    long cachedKeyOf(int bucket) {
        return cache(keysInBucket(bucket, 1, 1)[0]);
    }

    /** Puts {@code key} in the store and caches it (prewarm); returns it. */
    long cache(long key) {
        put(key, value(key, 0));
        prewarm();
        return key;
    }

    /** The keys the cache does not hold. */
    long[] uncached(long[] keys) {
        return Arrays.stream(keys).filter(key -> wayOf(key) < 0).toArray();
    }

    /** The first key the cache holds. */
    long firstCached(long[] keys) {
        return Arrays.stream(keys).filter(key -> wayOf(key) >= 0).findFirst().orElseThrow();
    }

    /** A GET of a key of {@code bucket} that the store holds and the cache does not (a bucket of {@link #sixKeys}). */
    byte[] missIn(int bucket) {
        return request(Op.KV_GET, uncached(sixKeys(bucket))[0], zeroValue());
    }

    /** A key of the bucket whose Bloom bit none of {@code others} has. */
    long freshKey(int bucket, long from, long... others) {
        long bits = 0;
        for (long o : others) {
            bits |= KvStore.bloomBit(o);
        }
        for (long c = from; ; c++) {
            if (store.bucketOf(c) == bucket && (KvStore.bloomBit(c) & bits) == 0) {
                return c;
            }
        }
    }

    /** Adds key to the store only, and its bit to the bucket's Bloom word (as if evicted earlier). */
    void storeOnly(long key, byte[] value) {
        put(key, value);
        int b = store.bucketOf(key);
        MemorySegment v = bucket(b);
        v.set(JAVA_LONG, Wire.KV_BUCKET_BLOOM, v.get(JAVA_LONG, Wire.KV_BUCKET_BLOOM) | KvStore.bloomBit(key));
        writeBucket(b, v);
    }

    // ---- requests and frames, read ----

    /** The key a request names. */
    static long keyOf(byte[] request) {
        return KvMessage.key(MemorySegment.ofArray(request));
    }

    /** The trailer of a frame XDP grew for the slow path. */
    static byte[] trailer(byte[] grownFrame) {
        int off = 14 + 20 + 8 + KvMessage.SIZE;
        return Arrays.copyOfRange(grownFrame, off, off + Wire.KV_SLOW_SIZE);
    }

    /** {@code b} read as the C structs lie: little-endian. */
    static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Keys from {@code from} on whose bucket is {@code bucket}. */
    long[] keysInBucket(int bucket, int count, long from) {
        long[] keys = new long[count];
        int n = 0;
        for (long k = from; n < count; k++) {
            if (store.bucketOf(k) == bucket) {
                keys[n++] = k;
            }
        }
        return keys;
    }

    /** Closes the object and the store; a second call does nothing. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            xdp.close();
            slow.close();
        }
    }
}

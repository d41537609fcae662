package io.dint.kv;

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
import io.dint.wire.Stat;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * The XDP backend without a network: kv.bpf.o loaded into an {@link XdpFixture} for test runs, a
 * store and its slow path. {@link #send} runs a request frame through the XDP program; a request
 * passed up goes through the Java slow path, and its reply, as the slow path's socket would send
 * it, through the TC egress program — the whole round trip in BPF_PROG_TEST_RUN.
 */
final class KvKernel implements AutoCloseable {
    final KvStore store;
    final XdpFixture xdp;
    final KvSlowPath slow;
    final long[] slowStats = new long[Stat.MAX];

    KvKernel(int buckets, KvPolicy policy, long leaseNanos) {
        store = new KvStore(buckets);
        xdp = XdpFixture.of(ServiceProgram.KV, ServiceProgram.KV.settings().size(buckets).cache(policy, leaseNanos)).load();
        slow = new KvSlowPath(store, 0);
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

    @Override
    public void close() {
        xdp.close();
        slow.close();
    }
}

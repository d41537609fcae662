package io.dint.kv;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bpf.BpfMap;
import io.dint.bpf.BpfObject;
import io.dint.bpf.BpfProgram;
import io.dint.bpf.Tc;
import io.dint.bpf.TestRun;
import io.dint.bpf.Xdp;
import io.dint.testing.Frames;
import io.dint.wire.KvMessage;
import io.dint.wire.Stat;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The XDP backend without a network: kv.bpf.o loaded for test runs, a store and its slow path.
 * {@link #send} runs a request frame through the XDP program; a request passed up goes through
 * the Java slow path, and its reply, as the slow path's socket would send it, through the TC
 * egress program — the whole round trip in BPF_PROG_TEST_RUN.
 */
final class KvKernel implements AutoCloseable {
    final KvStore store;
    final BpfObject obj;
    final BpfProgram xdp;
    final BpfProgram tc;
    final KvSlowPath slow;
    final long[] slowStats = new long[Stat.MAX];
    private final BpfMap cache;
    private final BpfMap stats;
    private long seq;

    KvKernel(int buckets, KvPolicy policy, long leaseNanos) {
        store = new KvStore(buckets);
        obj = KvObjects.load(buckets, Frames.SERVER_MAC, policy, leaseNanos);
        xdp = obj.program(KvObjects.PROGRAM);
        tc = obj.program(KvObjects.TC_PROGRAM);
        slow = new KvSlowPath(store, 0);
        cache = obj.map(KvObjects.CACHE);
        stats = obj.map("stats");
    }

    /** Adds a key to the store (before {@link #prewarm}, or to have user space know a key the cache does not). */
    void put(long key, byte[] value) {
        store.put(key, 1, MemorySegment.ofArray(value), 0);
    }

    void prewarm() {
        KvObjects.prewarm(obj, store);
    }

    /** One request's way through the kernel and, when passed up, the slow path and TC. */
    record Trip(int verdict, byte[] request, byte[] grown, byte[] slowReply, int tcVerdict, byte[] reply) {
        boolean slowPath() {
            return verdict == Xdp.PASS;
        }
    }

    byte[] request(int op, long key, byte[] value) {
        return io.dint.testing.KvMessages.request(op, key, value, ++seq);
    }

    /** Sends the request; fails the test on an XDP_ABORTED, a DROP, or a TC verdict other than OK. */
    Trip send(byte[] requestPayload) {
        byte[] frame = Frames.udpTo(Wire.PORT).payload(requestPayload).build();
        TestRun r = xdp.testRun(frame);
        int off = Frames.payloadOffset(frame);
        if (r.verdict() == Xdp.TX) {
            byte[] reply = Arrays.copyOfRange(r.output(), off, off + KvMessage.SIZE);
            assertThat(r.output()).as("XDP reply frame").isEqualTo(Frames.expectedReply(frame, reply));
            return new Trip(Xdp.TX, requestPayload, null, null, 0, reply);
        }
        assertThat(r.verdict()).as("XDP verdict of a well-formed request").isEqualTo(Xdp.PASS);
        byte[] grown = r.output();
        checkGrown(frame, grown);
        byte[] slowReply = slowPath(Arrays.copyOfRange(grown, off, grown.length));
        if (slowReply == null) {
            return new Trip(Xdp.PASS, requestPayload, grown, null, 0, null);
        }
        TestRun e = tc.testRun(Frames.expectedReply(grown, slowReply));
        assertThat(e.verdict()).as("TC verdict").isEqualTo(Tc.OK);
        byte[] reply = Arrays.copyOf(slowReply, KvMessage.SIZE);
        assertThat(e.output()).as("TC shrinks the reply back to a plain message, lengths and IP checksum fixed")
                .isEqualTo(Frames.expectedReply(frame, reply));
        return new Trip(Xdp.PASS, requestPayload, grown, slowReply, e.verdict(), reply);
    }

    /** The reply payload of a request, through whichever path it takes. */
    byte[] exchange(byte[] requestPayload) {
        return send(requestPayload).reply();
    }

    /** The frame as XDP grew it: the request, its trailer, lengths and IP checksum fixed. */
    private static void checkGrown(byte[] frame, byte[] grown) {
        assertThat(grown.length).as("grown by a dint_kv_slow").isEqualTo(frame.length + Wire.KV_SLOW_SIZE);
        assertThat(Arrays.copyOfRange(grown, 0, 14)).as("Ethernet header untouched").isEqualTo(Arrays.copyOf(frame, 14));
        int ipLen = ((grown[16] & 0xff) << 8) | (grown[17] & 0xff);
        int udpLen = ((grown[38] & 0xff) << 8) | (grown[39] & 0xff);
        assertThat(ipLen).isEqualTo(grown.length - 14);
        assertThat(udpLen).isEqualTo(grown.length - 34);
        int check = ((grown[24] & 0xff) << 8) | (grown[25] & 0xff);
        assertThat(check).as("IP checksum").isEqualTo(Frames.ipChecksum(grown, 14, 20));
        assertThat(grown[40] | grown[41]).as("UDP checksum 0").isZero();
        int off = Frames.payloadOffset(frame);
        assertThat(Arrays.copyOfRange(grown, off, off + KvMessage.SIZE)).as("request untouched")
                .isEqualTo(Arrays.copyOfRange(frame, off, off + KvMessage.SIZE));
    }

    /** Serves a grown payload as the slow path's socket would; null if it sends no reply. */
    byte[] slowPath(byte[] payload) {
        MemorySegment buf = Arena.ofAuto().allocate(2048);
        MemorySegment.copy(MemorySegment.ofArray(payload), 0, buf, 0, payload.length);
        int len = slow.serve(buf, payload.length, slowStats);
        return len < 0 ? null : buf.asSlice(0, len).toArray(JAVA_BYTE);
    }

    // ---- the cache, read and written through the map ----

    MemorySegment bucket(int b) {
        MemorySegment v = Arena.ofAuto().allocate(Wire.KV_BUCKET_SIZE, 8);
        assertThat(cache.lookup(b, v)).isTrue();
        return v;
    }

    void writeBucket(int b, MemorySegment v) {
        cache.update(b, v);
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

    long stat(int s) {
        return stats.sumPerCpuLong(s);
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
        obj.close();
        slow.close();
    }
}

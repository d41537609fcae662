package io.dint.kv;

import static io.dint.kv.KvKernel.keyOf;
import static io.dint.kv.KvKernel.le;
import static io.dint.kv.KvKernel.trailer;
import static io.dint.testing.KvMessages.reply;
import static io.dint.testing.KvMessages.value;
import static io.dint.testing.KvMessages.zeroValue;
import static io.dint.testing.Messages.status;
import static io.dint.testing.Messages.withStatus;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bpf.Xdp;
import io.dint.testing.SlowPathTrip;
import io.dint.wire.KvMessage;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Status;
import io.dint.wire.Wire;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The KV cache's slow-path trip through BPF_PROG_TEST_RUN: a request XDP passed up -> the Java slow
 * path -> its reply through the TC egress program, which installs what it carries, unlocks the
 * bucket and shrinks the frame to the plain reply; the victim XDP chose for it (the first invalid
 * slot, then the first clean one, then a dirty one written back); and a DELETE, whose reply rebuilds
 * the bucket's Bloom word. The cache bucket and counters are checked after each step.
 */
class KvSlowPathTripTest {
    private KvKernel k = new KvKernel();

    @AfterEach
    void close() {
        k.close();
    }

    @Test
    void theSlowPathsReplyIsInstalledUnlockedAndShrunkByTc() {
        byte[] get = k.missIn(2);
        long missing = keyOf(get);
        SlowPathTrip trip = k.send(get); // checks the TC output frame byte for byte
        assertThat(trip.slowPath()).isTrue();
        assertThat(trip.reply()).isEqualTo(reply(get, Status.KV_OK, 1, value(missing, 0)));
        assertThat(le(trip.slowReply()).get(KvMessage.SIZE + Wire.KV_SLOW_FLAGS)).isEqualTo((byte) Wire.KV_INSTALL);
        assertThat(k.lock(2)).as("unlocked by TC").isZero();
        assertThat(k.slot(2, 0)).as("installed clean in the chosen slot").containsExactly(missing, 1, 1, 0);
        assertThat(k.slotValue(2, 0)).isEqualTo(value(missing, 0));
        assertThat(k.stat(Stat.KV_TC_INSTALL)).isEqualTo(1);
        byte[] again = k.request(Op.KV_GET, missing, zeroValue());
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

        k.storeOnly(keys[3], value(keys[3], 0));
        SlowPathTrip t = k.send(k.request(Op.KV_GET, keys[3], zeroValue()));
        assertThat(trailer(t.grown())[Wire.KV_SLOW_WAY]).as("first invalid").isEqualTo((byte) 3);
        assertThat(k.wayOf(keys[3])).isEqualTo(3);

        int w0 = k.wayOf(keys[0]);
        k.exchange(k.request(Op.KV_SET, keys[0], value(keys[0], 1)));
        k.storeOnly(keys[4], value(keys[4], 0));
        t = k.send(k.request(Op.KV_GET, keys[4], zeroValue()));
        int firstClean = w0 == 0 ? 1 : 0;
        assertThat(trailer(t.grown())[Wire.KV_SLOW_WAY]).as("first clean").isEqualTo((byte) firstClean);
        assertThat(trailer(t.grown())[Wire.KV_SLOW_FLAGS]).isZero();

        for (int w = 0; w < Wire.KV_WAYS; w++) { // make every slot dirty
            long key = k.slot(4, w)[0];
            k.exchange(k.request(Op.KV_SET, key, value(key, 2)));
        }
        MemorySegment before = k.bucket(4);
        k.storeOnly(keys[5], value(keys[5], 0));
        t = k.send(k.request(Op.KV_GET, keys[5], zeroValue()));
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
    void deleteRebuildsTheBloomWordFromEachRemainingKey() {
        long a = k.keysInBucket(2, 1, 1)[0];
        long b = k.freshKey(2, a + 1, a);
        long c = k.freshKey(2, b + 1, a, b);
        for (long key : new long[] {a, b, c}) {
            k.put(key, value(key, 0));
        }
        k.prewarm();
        long d = k.freshKey(2, c + 1, a, b, c);
        assertThat(status(k.exchange(k.request(Op.KV_INSERT, d, value(d, 0))))).as("d lives in the cache only, dirty").isEqualTo(Status.KV_OK);

        byte[] del = k.request(Op.KV_DELETE, b, zeroValue());
        SlowPathTrip t = k.send(del);
        assertThat(t.slowPath()).isTrue();
        assertThat(t.reply()).isEqualTo(withStatus(del, Status.KV_OK));
        long expected = KvStore.bloomBit(a) | KvStore.bloomBit(c) | KvStore.bloomBit(d);
        assertThat(k.bloom(2)).as("one bit per remaining key, the cache-only d included").isEqualTo(expected);
        assertThat(k.wayOf(b)).isNegative();
        assertThat(k.storedVersion(b)).isEqualTo(-1);

        byte[] get = k.request(Op.KV_GET, b, zeroValue());
        SlowPathTrip gone = k.send(get);
        assertThat(gone.verdict()).as("answered from the rebuilt Bloom word").isEqualTo(Xdp.TX);
        assertThat(gone.reply()).isEqualTo(withStatus(get, Status.KV_NOT_EXIST));

        byte[] delD = k.request(Op.KV_DELETE, d, zeroValue());
        SlowPathTrip td = k.send(delD);
        assertThat(trailer(td.grown())[Wire.KV_SLOW_FLAGS]).as("d written back before its delete").isEqualTo((byte) Wire.KV_VICTIM);
        assertThat(td.reply()).isEqualTo(withStatus(delD, Status.KV_OK));
        assertThat(k.bloom(2)).isEqualTo(KvStore.bloomBit(a) | KvStore.bloomBit(c));
        assertThat(k.storedVersion(d)).isEqualTo(-1);

        long notCached = k.freshKey(2, d + 1, a, c);
        k.storeOnly(notCached, value(notCached, 0));
        byte[] delN = k.request(Op.KV_DELETE, notCached, zeroValue());
        SlowPathTrip tn = k.send(delN);
        assertThat(trailer(tn.grown())[Wire.KV_SLOW_WAY] & 0xff).isEqualTo(Wire.KV_NO_WAY);
        assertThat(tn.reply()).isEqualTo(withStatus(delN, Status.KV_OK));
        assertThat(k.bloom(2)).isEqualTo(KvStore.bloomBit(a) | KvStore.bloomBit(c));
        k.assertCacheAgreesWithStore();
    }
}

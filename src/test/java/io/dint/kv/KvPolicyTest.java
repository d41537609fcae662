package io.dint.kv;

import static io.dint.kv.KvKernel.trailer;
import static io.dint.testing.KvMessages.reply;
import static io.dint.testing.KvMessages.value;
import static io.dint.testing.KvMessages.version;
import static io.dint.testing.KvMessages.zeroValue;
import static io.dint.testing.Messages.status;
import static io.dint.testing.Messages.withStatus;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bpf.Xdp;
import io.dint.testing.KvMessages;
import io.dint.testing.SlowPathTrip;
import io.dint.wire.KvMessage;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Status;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The KV cache's policies (write-back with and without Bloom filter, write-through) through
 * BPF_PROG_TEST_RUN: what each sends to user space and what it answers in the kernel, and, under
 * each, a long random sequence answered by kernel, slow path and TC exactly as the all-Java store
 * answers it.
 */
class KvPolicyTest {
    private KvKernel k = new KvKernel();

    @AfterEach
    void close() {
        k.close();
    }

    @Test
    void writeThroughSendsEveryWriteToUserSpaceAndKeepsTheCacheClean() {
        k = k.reloaded(KvPolicy.WRITE_THROUGH, KvKernel.LONG_LEASE);
        long a = k.cachedKeyOf(1);
        int way = k.wayOf(a);
        byte[] set = k.request(Op.KV_SET, a, value(a, 1));
        SlowPathTrip t = k.send(set);
        assertThat(t.slowPath()).isTrue();
        assertThat(trailer(t.grown())[Wire.KV_SLOW_WAY]).as("the key's own slot").isEqualTo((byte) way);
        assertThat(t.reply()).isEqualTo(reply(set, Status.KV_OK, 2, value(a, 1)));
        assertThat(k.slot(1, way)).containsExactly(a, 2, 1, 0);
        assertThat(k.storedVersion(a)).isEqualTo(2);
        assertThat(k.send(k.request(Op.KV_GET, a, zeroValue())).verdict()).as("GET hits stay in the kernel").isEqualTo(Xdp.TX);

        long m = k.freshKey(1, a + 1, a);
        byte[] get = k.request(Op.KV_GET, m, zeroValue());
        SlowPathTrip miss = k.send(get);
        assertThat(miss.slowPath()).as("no Bloom filter: a missing key goes up").isTrue();
        assertThat(miss.reply()).isEqualTo(withStatus(get, Status.KV_NOT_EXIST));
        assertThat(k.stat(Stat.KV_TC_RELEASE)).isEqualTo(1);
        byte[] ins = k.request(Op.KV_INSERT, m, value(m, 0));
        assertThat(k.send(ins).slowPath()).isTrue();
        assertThat(k.slot(1, k.wayOf(m))).containsExactly(m, 1, 1, 0);
        assertThat(k.assertCacheAgreesWithStore()).containsEntry("dirty", 0L);
    }

    @Test
    void writeBackWithoutBloomSendsEveryMissToUserSpace() {
        k = k.reloaded(KvPolicy.WRITE_BACK, KvKernel.LONG_LEASE);
        long a = k.cachedKeyOf(1);
        long m = k.freshKey(1, a + 1, a);
        byte[] get = k.request(Op.KV_GET, m, zeroValue());
        SlowPathTrip t = k.send(get);
        assertThat(t.slowPath()).isTrue();
        assertThat(t.reply()).isEqualTo(withStatus(get, Status.KV_NOT_EXIST));
        byte[] ins = k.request(Op.KV_INSERT, m, value(m, 0));
        SlowPathTrip i = k.send(ins);
        assertThat(i.slowPath()).as("without Bloom the kernel cannot tell the key is new").isTrue();
        assertThat(i.reply()).isEqualTo(reply(ins, Status.KV_OK, 1, value(m, 0)));
        assertThat(k.slot(1, k.wayOf(m))).containsExactly(m, 1, 1, 0);
        byte[] set = k.request(Op.KV_SET, a, value(a, 3));
        assertThat(k.send(set).verdict()).as("SET hits stay in the kernel").isEqualTo(Xdp.TX);
        assertThat(k.stat(Stat.KV_NOT_EXIST)).isZero();
    }

    /** Kernel + slow path + TC answer a long random sequence exactly as the all-Java store does. */
    @ParameterizedTest
    @EnumSource(KvPolicy.class)
    void theKernelCacheAnswersAsTheJavaStoreDoes(KvPolicy policy) {
        k = k.reloaded(policy, KvKernel.LONG_LEASE);
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
                byte[] r = k.request(op, key, op == Op.KV_GET || op == Op.KV_DELETE ? zeroValue() : value(key, i));
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

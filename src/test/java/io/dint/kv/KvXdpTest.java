package io.dint.kv;

import static io.dint.kv.KvKernel.keyOf;
import static io.dint.kv.KvKernel.le;
import static io.dint.kv.KvKernel.trailer;
import static io.dint.testing.KvMessages.reply;
import static io.dint.testing.KvMessages.value;
import static io.dint.testing.KvMessages.zeroValue;
import static io.dint.testing.Messages.withStatus;
import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bpf.Tc;
import io.dint.bpf.TestRun;
import io.dint.bpf.Xdp;
import io.dint.testing.Frames;
import io.dint.testing.XdpCase;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Status;
import io.dint.wire.Wire;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The KV cache's XDP program through BPF_PROG_TEST_RUN, on the paths that start in the kernel: as
 * tables of rows where a request is answered there (request frame -> XDP verdict and frame, the
 * counters it moves, the bucket it leaves) — a hit, a key the Bloom word rules out — and a miss,
 * which locks its bucket and passes the request up grown by a trailer naming the slot it chose.
 * What happens to it next is {@link KvSlowPathTripTest}'s; leases {@link KvLeaseTest}'s; other
 * cache policies {@link KvPolicyTest}'s; frames to refuse {@link KvBadFrameTest}'s. Verdicts are
 * PASS, DROP, TX or TC_ACT_OK, never XDP_ABORTED.
 */
class KvXdpTest {
    private KvKernel k = new KvKernel();

    @AfterEach
    void close() {
        k.close();
    }

    /** A row: the request answered in the kernel with {@code reply}, moving {@code stat}. */
    private static XdpCase hit(String description, byte[] request, byte[] reply, int stat) {
        return XdpCase.request(description, request).reply(reply).counts(stat);
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

    @Test
    void hitsAreAnsweredInTheKernelAndWritesStayThere() {
        long a = k.cachedKeyOf(0);
        long n = k.freshKey(0, a + 1, a);
        byte[] get = k.request(Op.KV_GET, a, zeroValue());
        byte[] set = k.request(Op.KV_SET, a, value(a, 1));
        byte[] get2 = k.request(Op.KV_GET, a, zeroValue());
        byte[] ins = k.request(Op.KV_INSERT, n, value(n, 7));
        byte[] ins2 = k.request(Op.KV_INSERT, n, value(n, 8));
        byte[] ins3 = k.request(Op.KV_INSERT, a, value(a, 8));
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
        long a = k.cachedKeyOf(3);
        long m = k.freshKey(3, a + 1, a);
        for (int op : new int[] {Op.KV_GET, Op.KV_SET, Op.KV_DELETE}) {
            k.xdp.run(XdpCase.request("op " + op + " of a key the Bloom word rules out", k.request(op, m, value(m, 1)))
                    .answers(Status.KV_NOT_EXIST).counts(Stat.KV_NOT_EXIST).keeps("bucket 3", () -> k.bucketBytes(3)));
        }
        assertThat(k.stat(Stat.KV_NOT_EXIST)).isEqualTo(3);
        assertThat(k.stat(Stat.KV_SLOW)).isZero();
        assertThat(k.lock(3)).isZero();
    }

    @Test
    void aMissLocksTheBucketAndPassesTheRequestGrownWithTheChosenSlot() {
        // the row's counters say it: KV_SLOW once, KV_WRITEBACK not
        TestRun r = k.xdp.run(XdpCase.request("a GET miss", k.missIn(1)).verdict(Xdp.PASS).counts(Stat.KV_SLOW));
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
        byte[] get = k.missIn(1);
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
}

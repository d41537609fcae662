package io.dint.kv;

import static io.dint.testing.KvMessages.reply;
import static io.dint.testing.KvMessages.value;
import static io.dint.testing.KvMessages.zeroValue;
import static io.dint.testing.Messages.status;
import static io.dint.testing.Messages.withStatus;
import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bpf.Tc;
import io.dint.bpf.TestRun;
import io.dint.bpf.Xdp;
import io.dint.testing.Frames;
import io.dint.testing.SlowPathTrip;
import io.dint.testing.XdpCase;
import io.dint.wire.KvMessage;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Status;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The KV cache's bucket locks and their leases through BPF_PROG_TEST_RUN: a locked bucket answers
 * RETRY and changes nothing; a lock older than its lease is taken over, and the late reply of its
 * holder changes nothing; a lost reply blocks its bucket only until the lease runs out, and leaves
 * no stale copy cached.
 */
class KvLeaseTest {
    private KvKernel k = new KvKernel();

    @AfterEach
    void close() {
        k.close();
    }

    @Test
    void aBusyBucketIsAnsweredRetryAndLeftUntouched() {
        long other = k.keysInBucket(6, 1, 1)[0];
        k.put(other, value(other, 0));
        long[] keys = k.sixKeys(5);
        long missing = k.uncached(keys)[0];
        long cached = k.firstCached(keys);
        TestRun pass = k.xdp.run(XdpCase.request("a miss locks bucket 5", k.request(Op.KV_GET, missing, zeroValue()))
                .verdict(Xdp.PASS).counts(Stat.KV_SLOW));

        for (int op : new int[] {Op.KV_GET, Op.KV_SET, Op.KV_INSERT, Op.KV_DELETE}) {
            k.xdp.run(XdpCase.request("op " + op + " of a cached key in the locked bucket", k.request(op, cached, value(cached, 9)))
                    .answers(Status.RETRY).counts(Stat.KV_RETRY).keeps("RETRY changes nothing", () -> k.bucketBytes(5)));
        }
        assertThat(k.stat(Stat.KV_RETRY)).isEqualTo(4);
        assertThat(status(k.exchange(k.request(Op.KV_GET, other, zeroValue())))).as("other buckets go on").isEqualTo(Status.KV_OK);

        byte[] slowReply = k.slowPath(Arrays.copyOfRange(pass.output(), 42, pass.output().length));
        k.xdp.run(XdpCase.frame("the miss's reply", Frames.expectedReply(pass.output(), slowReply)).tc().verdict(Tc.OK)
                .counts(Stat.KV_TC_INSTALL).leaves("bucket 5's lock", () -> k.lock(5), 0L));
        assertThat(status(k.exchange(k.request(Op.KV_GET, cached, zeroValue())))).isEqualTo(Status.KV_OK);
    }

    @Test
    void aLockOlderThanTheLeaseIsTakenOverAndItsLateReplyChangesNothing() {
        long[] keys = k.sixKeys(7);
        long[] missing = k.uncached(keys);
        long cached = k.firstCached(keys);

        // A: a SET miss whose reply is lost for now
        byte[] setA = k.request(Op.KV_SET, missing[0], value(missing[0], 5));
        TestRun a = k.xdp.send(setA);
        assertThat(a.verdict()).isEqualTo(Xdp.PASS);
        assertThat(status(k.exchange(k.request(Op.KV_GET, cached, zeroValue())))).isEqualTo(Status.RETRY);

        k.setLock(7, 1); // A's lock as old as the machine's uptime: past any lease
        byte[] get = k.request(Op.KV_GET, cached, zeroValue());
        assertThat(k.exchange(get)).isEqualTo(reply(get, Status.KV_OK, 1, value(cached, 0)));
        assertThat(k.stat(Stat.KV_LEASE_TAKEOVER)).isEqualTo(1);
        assertThat(k.lock(7)).isZero();

        // B: a miss after the takeover, served before A's request reaches user space
        k.setLock(7, 1);
        byte[] getB = k.request(Op.KV_GET, missing[1], zeroValue());
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
        k = k.reloaded(KvPolicy.WRITE_BACK_BLOOM, 20_000_000L); // 20 ms
        long[] keys = k.sixKeys(0);
        long missing = k.uncached(keys)[0];
        long cached = k.firstCached(keys);
        assertThat(k.xdp.send(k.request(Op.KV_GET, missing, zeroValue())).verdict()).isEqualTo(Xdp.PASS); // reply never comes
        Thread.sleep(50);
        byte[] get = k.request(Op.KV_GET, cached, zeroValue());
        assertThat(k.exchange(get)).isEqualTo(reply(get, Status.KV_OK, 1, value(cached, 0)));
        assertThat(k.stat(Stat.KV_LEASE_TAKEOVER)).isEqualTo(1);
        byte[] again = k.request(Op.KV_GET, missing, zeroValue());
        assertThat(k.exchange(again)).as("the lost request's resend is served").isEqualTo(reply(again, Status.KV_OK, 1, value(missing, 0)));
        k.assertCacheAgreesWithStore();
    }

    /** A write that went up and whose reply was lost must not leave the old value cached. */
    @ParameterizedTest
    @EnumSource(value = KvPolicy.class, names = {"WRITE_THROUGH", "WRITE_BACK_BLOOM"})
    void aLostReplyToAWriteLeavesNoStaleCopyCached(KvPolicy policy) {
        k = k.reloaded(policy, KvKernel.LONG_LEASE);
        long a = k.cachedKeyOf(3);
        int op = policy == KvPolicy.WRITE_THROUGH ? Op.KV_SET : Op.KV_DELETE;
        TestRun up = k.xdp.send(k.request(op, a, value(a, 1)));
        assertThat(up.verdict()).isEqualTo(Xdp.PASS);
        assertThat(k.wayOf(a)).as("the clean copy is dropped before the write goes up").isNegative();
        assertThat(k.slowPath(Arrays.copyOfRange(up.output(), 42, up.output().length))).isNotNull(); // applied; reply lost
        k.setLock(3, 1); // the lease runs out
        byte[] get = k.request(Op.KV_GET, a, zeroValue());
        SlowPathTrip t = k.send(get);
        assertThat(t.slowPath()).as("no stale hit").isTrue();
        assertThat(t.reply()).isEqualTo(op == Op.KV_SET
                ? reply(get, Status.KV_OK, 2, value(a, 1)) : withStatus(get, Status.KV_NOT_EXIST));
        k.assertCacheAgreesWithStore();
    }
}

package io.dint.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bpf.BpfMap;
import io.dint.bpf.BpfObject;
import io.dint.bpf.BpfProgram;
import io.dint.bpf.Tc;
import io.dint.bpf.TestRun;
import io.dint.bpf.Xdp;
import io.dint.server.StatCounters;
import io.dint.testing.CacheInvariants;
import io.dint.testing.FrameMutator;
import io.dint.testing.Frames;
import io.dint.testing.Fuzz;
import io.dint.testing.ServiceProgram;
import io.dint.testing.WellFormed;
import io.dint.wire.Stat;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The TC egress programs of the services with a slow path (kv_tc, shard_tc) through
 * BPF_PROG_TEST_RUN with {@link Fuzz#frames} frames: slow-path replies of real requests mutated
 * while their bucket is still locked under their lease (what a slow path could get wrong), the
 * same replies forged once the genuine one has unlocked the bucket (a zero, stale or random lease:
 * what anyone could send), and random frames. Every frame gets TC_ACT_OK (the slow path's replies
 * always leave); a forged reply changes nothing in the cache; and after every batch no bucket is
 * locked and every cached key sits in its own bucket with its Bloom bit.
 */
class TcFuzzTest {
    @ParameterizedTest
    @EnumSource(value = ServiceProgram.class, names = {"KV", "SHARD"})
    void forgedRepliesChangeNothingAndNoReplyBreaksTheCache(ServiceProgram service) {
        int frames = Fuzz.frames();
        SplittableRandom rnd = new SplittableRandom(Fuzz.seed() ^ (0x7c << 8) ^ service.ordinal());
        int buckets = service == ServiceProgram.KV ? ServiceProgram.KV_BUCKETS : ServiceProgram.SHARD_BUCKETS;
        try (BpfObject obj = service.load(XdpJudge.ALLOW); Twin twin = Twin.of(service)) {
            BpfProgram xdp = obj.program(service.program());
            BpfProgram tc = obj.program(service.tcProgram());
            BpfMap cache = obj.map(service == ServiceProgram.KV ? "kv_cache" : "shard_cache");
            FrameMutator requests = new FrameMutator(rnd, seq -> service.request(rnd, seq));
            int sent = 0, acted = 0, forged = 0, trips = 0, nextCheck = Twin.BATCH;
            while (sent < frames) {
                byte[] f = requests.valid();
                TestRun x = xdp.testRun(f);
                if (x.verdict() == Xdp.TX) {
                    if (rnd.nextInt(4) == 0) { // now and then a random frame, or one from our port
                        sent++;
                        byte[] random = random(rnd);
                        TestRun r = run(tc, random);
                        assertThat(r.verdict()).as("random frame %s", hex(random)).isEqualTo(Tc.OK);
                    }
                    continue;
                }
                assertThat(x.verdict()).isEqualTo(Xdp.PASS);
                trips++;
                byte[] grown = x.output();
                byte[] datagram = Arrays.copyOf(grown, 14 + WellFormed.u16(grown, 16));
                byte[] slowReply = twin.slowPath(Arrays.copyOfRange(datagram, WellFormed.PAYLOAD, datagram.length));
                byte[] genuine = Frames.expectedReply(datagram, slowReply);
                long lease = lease(genuine);
                // while the bucket is held under the lease: replies a slow path could get wrong
                for (int k = rnd.nextInt(3); k > 0 && sent < frames; k--, sent++) {
                    byte[] m = mutate(genuine, rnd, true);
                    TestRun r = run(tc, m);
                    assertThat(r.verdict()).as("mutated reply %s", hex(m)).isEqualTo(Tc.OK);
                    acted += Arrays.equals(r.output(), m) ? 0 : 1;
                }
                TestRun g = tc.testRun(genuine);
                sent++;
                assertThat(g.verdict()).isEqualTo(Tc.OK);
                // the bucket is free now: every reply from here on is forged, and changes nothing
                for (int k = 1 + rnd.nextInt(4); k > 0 && sent < frames; k--, sent++, forged++) {
                    byte[] m = rnd.nextInt(3) == 0 ? withLease(genuine, rnd.nextBoolean() ? 0 : lease) : mutate(genuine, rnd, false);
                    byte[] before = dump(cache, buckets);
                    TestRun r = run(tc, m);
                    assertThat(r.verdict()).as("forged reply %s", hex(m)).isEqualTo(Tc.OK);
                    assertThat(changedBuckets(before, dump(cache, buckets))).as("buckets changed by the forged reply %s", hex(m)).isEmpty();
                }
                if (sent >= nextCheck || sent >= frames) {
                    nextCheck += Twin.BATCH;
                    assertThat(CacheInvariants.violations(cache, buckets)).as("after %d frames", sent).isEmpty();
                }
            }
            assertThat(trips).as("slow-path trips").isGreaterThan(frames / 10);
            assertThat(forged).as("forged replies").isGreaterThan(frames / 4);
            assertThat(StatCounters.read(obj).get(Stat.KV_TC_BAD)).as("replies refused").isPositive();
            Fuzz.report(service.file() + "_tc", frames);
        }
    }

    /** The reply with one field or a few bits changed; {@code keepLease}: the trailer's lease stays. */
    private static byte[] mutate(byte[] reply, SplittableRandom rnd, boolean keepLease) {
        byte[] m = reply.clone();
        int lease = reply.length - Wire.KV_SLOW_SIZE + Wire.KV_SLOW_LEASE;
        int n = 1 + rnd.nextInt(3);
        for (int i = 0; i < n; i++) {
            int at;
            do {
                at = rnd.nextInt(m.length);
            } while (keepLease && at >= lease && at < lease + 8);
            switch (rnd.nextInt(3)) {
                case 0 -> m[at] ^= (byte) (1 << rnd.nextInt(8));
                case 1 -> m[at] = (byte) rnd.nextInt();
                default -> m[at] = (byte) (rnd.nextBoolean() ? 0 : 0xff);
            }
        }
        if (rnd.nextBoolean()) {
            FrameMutator.fixChecksum(m);
        }
        if (!keepLease && rnd.nextInt(4) == 0) {
            m = withLease(m, rnd.nextInt(3) == 0 ? 0 : rnd.nextLong());
        }
        return m;
    }

    private static long lease(byte[] reply) {
        return MemorySegment.ofArray(reply).get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED,
                reply.length - Wire.KV_SLOW_SIZE + Wire.KV_SLOW_LEASE);
    }

    private static byte[] withLease(byte[] reply, long lease) {
        byte[] m = reply.clone();
        MemorySegment.ofArray(m).set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED,
                m.length - Wire.KV_SLOW_SIZE + Wire.KV_SLOW_LEASE, lease);
        return m;
    }

    /**
     * A random frame of at least 54 bytes: the kernel refuses to test-run an skb whose ethertype is
     * IPv4 or IPv6 and that is shorter than that header (EINVAL), and no such skb leaves a host.
     */
    private static byte[] random(SplittableRandom rnd) {
        byte[] f = new byte[54 + rnd.nextInt(260)];
        rnd.nextBytes(f);
        if (rnd.nextBoolean() && f.length >= 42) { // IPv4/UDP from our port
            f[12] = 0x08;
            f[13] = 0;
            f[14] = 0x45;
            f[23] = 17;
            f[34] = (byte) (Wire.PORT >>> 8);
            f[35] = (byte) Wire.PORT;
        }
        return f;
    }

    /** Every bucket's bytes, lock word included. */
    private static byte[] dump(BpfMap cache, int buckets) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment all = a.allocate((long) buckets * Wire.KV_BUCKET_SIZE, 8);
            cache.copyAll(all);
            return all.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        }
    }

    private static java.util.List<Integer> changedBuckets(byte[] before, byte[] after) {
        java.util.List<Integer> changed = new java.util.ArrayList<>();
        for (int b = 0; b < before.length / Wire.KV_BUCKET_SIZE; b++) {
            int from = b * Wire.KV_BUCKET_SIZE;
            if (!Arrays.equals(before, from, from + Wire.KV_BUCKET_SIZE, after, from, from + Wire.KV_BUCKET_SIZE)) {
                changed.add(b);
            }
        }
        return changed;
    }

    /** One test run, failing with the frame when the kernel refuses to run it. */
    private static TestRun run(BpfProgram p, byte[] frame) {
        try {
            return p.testRun(frame);
        } catch (RuntimeException e) {
            throw new AssertionError("test run of " + p.name() + " on " + hex(frame), e);
        }
    }

    private static String hex(byte[] f) {
        return HexFormat.of().formatHex(f);
    }
}

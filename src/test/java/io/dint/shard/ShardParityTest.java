package io.dint.shard;

import io.dint.bpf.ObjectSpec;
import static io.dint.testing.Messages.status;
import static org.assertj.core.api.Assertions.assertThat;

import io.dint.server.StatCounters;
import io.dint.testing.TxnMessages;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Status;
import io.dint.wire.TxnMessage;
import io.dint.wire.Wire;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The shard program (through BPF_PROG_TEST_RUN, with its slow path and TC program) and the udp
 * backend's {@link ShardStore} side by side, every step replayed on both: the same requests must
 * get the same replies, byte for byte, whether the kernel answers from its cache, from its Bloom
 * word or through the slow path, with lock leases, pins and epochs, and both must end with the
 * same records and locks. {@link ShardXdpTest} holds the kernel to the shard's rules row by row.
 */
class ShardParityTest {
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
        long[] keys = ShardKernel.keys(4);
        long a = keys[0], b = keys[1], c = keys[2], d = keys[3];
        try (ShardKernel leased = new ShardKernel(lease, epoch);
             ShardStore reference = new ShardStore(1024, new ShardLog(1024))) {
            ShardObject shard = ObjectSpec.assign(leased.xdp.object(), ShardObject.class);
            reference.setEpoch(epoch);
            reference.setLockLease(lease);
            long[] javaStats = new long[Stat.MAX];
            java.util.function.Function<byte[], Integer> both = req -> status(leased.sameAs(reference, javaStats, req,
                    () -> Op.name(req[Wire.HDR_OP] & 0xff) + " key " + Long.toHexString(TxnMessage.key(MemorySegment.ofArray(req)))));
            for (long key : keys) {
                both.apply(leased.install(Op.TXN_INSERT_BACKUP, key, 9, 1, 0, key));
            }
            byte[] granted = leased.sameAs(reference, javaStats, leased.request(Op.TXN_LOCK_EXCLUSIVE, a, 1), () -> "the first lock");
            assertThat(status(granted)).isEqualTo(Status.GRANT);
            assertThat(TxnMessages.epoch(granted)).as("replies carry the epoch").isEqualTo(epoch);
            assertThat(both.apply(leased.request(Op.TXN_LOCK_EXCLUSIVE, a, 2))).as("within the lease").isEqualTo(Status.REJECT);
            assertThat(both.apply(leased.request(Op.TXN_LOCK_SHARED, b, 3))).isEqualTo(Status.GRANT);
            assertThat(both.apply(leased.request(Op.TXN_LOCK_SHARED, b, 4))).isEqualTo(Status.GRANT);
            assertThat(both.apply(leased.request(Op.TXN_LOCK_EXCLUSIVE, c, 5))).isEqualTo(Status.GRANT);
            assertThat(both.apply(leased.log(c, 5, 2, epoch))).as("logged: pinned").isEqualTo(Status.OK);

            Thread.sleep(lease + 200); // past every lease

            byte[] first = leased.request(Op.TXN_LOCK_EXCLUSIVE, a, 9);
            assertThat(both.apply(first)).as("past its lease, from a holder that never logged").isEqualTo(Status.GRANT);
            Thread.sleep(lease + 200);
            byte[] takeover = leased.sameAs(reference, javaStats, leased.request(Op.TXN_LOCK_EXCLUSIVE, a, 2), () -> "a takeover");
            assertThat(status(takeover)).as("and again").isEqualTo(Status.GRANT);
            int next = epoch + 2;
            assertThat(TxnMessages.epoch(takeover)).as("a takeover advances the epoch").isEqualTo(next);
            assertThat(shard.epoch()).isEqualTo(next);
            assertThat(reference.epoch()).isEqualTo(next);
            assertThat(both.apply(leased.log(a, 1, 2, epoch))).as("the old holder may not commit").isEqualTo(Status.STALE);
            assertThat(both.apply(first)).as("a retransmitted grant of a lock taken over is no grant").isEqualTo(Status.REJECT);
            assertThat(both.apply(leased.request(Op.TXN_RELEASE_EXCLUSIVE, a, 1))).isEqualTo(Status.NOT_HELD);
            assertThat(both.apply(leased.log(a, 2, 2, next))).as("the new holder may").isEqualTo(Status.OK);
            assertThat(both.apply(leased.request(Op.TXN_LOCK_EXCLUSIVE, b, 6))).as("shared by two: never taken over")
                    .isEqualTo(Status.REJECT);
            assertThat(both.apply(leased.request(Op.TXN_LOCK_EXCLUSIVE, c, 6))).as("its holder logged here: pinned")
                    .isEqualTo(Status.REJECT);
            assertThat(both.apply(leased.log(d, 7, 2, 0))).as("no locks here: any epoch").isEqualTo(Status.OK);
            assertThat(leased.stat(Stat.TXN_LOCK_TAKEOVER)).isEqualTo(2);
            assertThat(javaStats[Stat.TXN_LOCK_TAKEOVER]).isEqualTo(2);
            assertThat(javaStats[Stat.TXN_STALE]).isEqualTo(1);

            long graceEnd = System.nanoTime() + 60_000_000_000L;
            shard.setEpoch(0x4321, graceEnd);
            reference.setEpoch(0x4321);
            reference.setGraceUntil(graceEnd);
            assertThat(both.apply(leased.request(Op.TXN_READ, d, 8))).as("recovering: reads wait").isEqualTo(Status.RETRY);
            assertThat(both.apply(leased.request(Op.TXN_LOCK_SHARED, d, 8))).as("and locks").isEqualTo(Status.RETRY);
            assertThat(both.apply(leased.log(d, 8, 3, 0))).as("logs do not").isEqualTo(Status.OK);
            assertThat(both.apply(leased.install(Op.TXN_COMMIT_BACKUP, d, 8, 3, 0, 3))).as("nor installs").isEqualTo(Status.APPLIED);
            shard.setEpoch(0x4321, 0);
            reference.setGraceUntil(0);
            assertThat(both.apply(leased.request(Op.TXN_READ, d, 8))).isEqualTo(Status.OK);
        }
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
        int epoch = 0x0100;
        long[] keys = ShardKernel.keys(12);
        SplittableRandom rnd = new SplittableRandom(2024);
        int[] ops = {Op.TXN_READ, Op.TXN_LOCK_SHARED, Op.TXN_LOCK_EXCLUSIVE, Op.TXN_RELEASE_SHARED,
            Op.TXN_RELEASE_EXCLUSIVE, Op.TXN_OCC_LOCK, Op.TXN_OCC_ABORT, Op.TXN_VALIDATE, Op.TXN_COMMIT_LOG,
            Op.TXN_COMMIT_BACKUP, Op.TXN_COMMIT_PRIMARY, Op.TXN_INSERT_PRIMARY, Op.TXN_DELETE_BACKUP};
        List<String> steps = new ArrayList<>();
        Map<Long, Map<Long, Integer>> sharedBy = new HashMap<>(); // key -> txn -> shared grants
        Map<Long, long[]> exclusive = new HashMap<>(); // key -> {holder, grants}
        int upgrades = 0, repeated = 0, aged = 0, grantsGone = 0, pinnedKept = 0;
        List<byte[]> grants = new ArrayList<>(); // granted lock requests, for retransmissions
        try (ShardKernel kernel = new ShardKernel(lease, epoch);
             ShardStore reference = new ShardStore(1024, new ShardLog(1024))) {
            reference.setEpoch(epoch);
            reference.setLockLease(lease);
            long[] javaStats = new long[Stat.MAX];
            Set<Long> logged = new HashSet<>();
            for (int i = 0; i < 3000; i++) {
                long key = keys[rnd.nextInt(keys.length)];
                // a new trio every 250 steps: the old ones' locks stay behind for leases to end;
                // only the first of a trio logs, and its pin keeps its locks
                long first = 1 + 3L * (i / 250);
                long txn = first + rnd.nextInt(3);
                if (rnd.nextInt(12) == 0) {
                    kernel.ageLock(key, reference, lease);
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
                    key = TxnMessage.key(MemorySegment.ofArray(req));
                    txn = TxnMessage.txnId(MemorySegment.ofArray(req));
                } else {
                    req = op >= Op.TXN_COMMIT_LOG
                            ? kernel.install(op, key, txn, 1 + rnd.nextInt(40), rnd.nextInt(4) == 0 ? Wire.TXN_F_UNLOCK : 0, rnd.nextLong())
                            : kernel.request(op, key, txn);
                }
                if (op == Op.TXN_COMMIT_LOG) {
                    // the epoch of the sender's grants: none here, the shard's, or one it has left
                    int[] epochs = {0, epoch, epoch - 1};
                    req = TxnMessages.withGrantEpoch(req, epochs[rnd.nextInt(3)]);
                }
                long takeovers = javaStats[Stat.TXN_LOCK_TAKEOVER];
                long lapsed = ShardKernel.lapsed(reference, key, lease);
                String sent = (resent ? "again " : "") + Op.name(op) + " key " + Long.toHexString(key) + " txn " + txn;
                int step = i;
                byte[] java = kernel.sameAs(reference, javaStats, req, () -> "step " + step + ": "
                        + String.join("\n", steps.subList(Math.max(0, steps.size() - 7), steps.size())) + "\n" + sent);
                int st = status(java);
                steps.add(sent + " -> " + Status.name(st));
                epoch = TxnMessages.epoch(java);
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
                Map<Long, Integer> sharers = sharedBy.computeIfAbsent(key, x -> new HashMap<>());
                long[] x = exclusive.computeIfAbsent(key, y -> new long[2]);
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
            StatCounters kernelStats = kernel.xdp.counters();
            assertThat(aged).as("leases ran out").isPositive();
            assertThat(javaStats[Stat.TXN_LOCK_TAKEOVER]).as("locks taken over").isPositive()
                    .isEqualTo(kernelStats.get(Stat.TXN_LOCK_TAKEOVER));
            assertThat(pinnedKept).as("locks kept past their lease for a holder that logged").isPositive();
            assertThat(javaStats[Stat.TXN_STALE]).as("LOGs of an epoch left refused").isPositive()
                    .isEqualTo(kernelStats.get(Stat.TXN_STALE));
            assertThat(grantsGone).as("retransmitted grants of locks no longer held").isPositive();
            assertThat(upgrades).as("a reader's own upgrades were replayed").isPositive();
            assertThat(repeated).as("an exclusive holder's repeated locks were replayed").isPositive();
            assertThat(kernelStats.get(Stat.KV_SLOW)).as("the slow path served some").isGreaterThan(50);
            assertThat(kernelStats.get(Stat.TXN_READ_HIT)).as("the cache served some").isGreaterThan(50);
            Map<String, Object> inKernel = kernel.check();
            Map<String, Object> inJava = reference.check();
            assertThat(inKernel.get("digest")).as("the same records").isEqualTo(inJava.get("digest"));
            assertThat(inKernel.get("tables")).isEqualTo(inJava.get("tables"));
            assertThat(inKernel.get("locks_held")).as("the same locks left").isEqualTo(inJava.get("locks_held"));
        }
    }
}

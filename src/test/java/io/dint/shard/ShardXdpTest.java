package io.dint.shard;

import static io.dint.testing.Messages.status;
import static io.dint.testing.TxnMessages.word;
import static org.assertj.core.api.Assertions.assertThat;

import io.dint.log.FsyncPolicy;
import io.dint.log.LogDrainer;
import io.dint.log.LogFile;
import io.dint.log.LogObjects;
import io.dint.log.RingStorage;
import io.dint.server.StatCounters;
import io.dint.testing.BadFrames;
import io.dint.testing.Scenario;
import io.dint.testing.ServiceProgram;
import io.dint.testing.SlowPathTrip;
import io.dint.testing.TxnMessages;
import io.dint.testing.XdpCase;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Status;
import io.dint.wire.TxnMessage;
import io.dint.wire.Wire;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shard program through BPF_PROG_TEST_RUN with its Java slow path and TC egress program, and
 * against the udp backend's {@link ShardStore}: tables of rows where the kernel answers from its
 * cache (request -> reply, counters, locks held), trips where a request goes through the slow
 * path, and every step replayed against the Java shard: the same requests must get the same
 * replies, whether the kernel answers from its cache, from its Bloom word or through the slow path.
 */
class ShardXdpTest {
    private final ShardKernel k = new ShardKernel(0, 0);

    @AfterEach
    void close() {
        k.close();
    }

    static List<Scenario<ShardScenarios.Step>> scenarios() {
        return ShardScenarios.all();
    }

    /**
     * Every scenario of the shard's rules as a table answered in the kernel: each step's reply,
     * the counters it moves, and the locks held where the scenario says.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void scenario(Scenario<ShardScenarios.Step> scenario) {
        ShardScenarios.Client client = new ShardScenarios.Client();
        k.xdp.run(scenario.with(0).stream().map(s -> row(client, s)).toList());
    }

    private XdpCase row(ShardScenarios.Client client, ShardScenarios.Step s) {
        XdpCase row = XdpCase.request(s.description(), client.request(s)).replyThat("reply", TxnMessages::describe, s.reply());
        for (int stat : s.counts()) {
            row.counts(stat);
        }
        return s.locksHeld() < 0 ? row : row.leaves("locks held", () -> k.check().get("locks_held"), s.locksHeld());
    }

    /** A row: {@code request} answered in the kernel, read as {@code reply} ({@link TxnMessages#describe}). */
    private static XdpCase answered(String description, byte[] request, String reply) {
        return XdpCase.request(description, request).replyThat("reply", TxnMessages::describe, reply);
    }

    @Test
    void aFullBucketWritesItsVictimBackAndTheSlowPathServesTheRest() {
        long[] keys = ShardKernel.keys(40);
        for (int i = 0; i < keys.length; i++) {
            assertThat(status(k.reply(k.install(Op.TXN_INSERT_BACKUP, keys[i], 1, 1, 0, i)))).isEqualTo(Status.APPLIED);
        }
        assertThat(k.stat(Stat.KV_SLOW)).as("8 slots for 40 records").isGreaterThan(0);
        assertThat(k.stat(Stat.KV_WRITEBACK)).isGreaterThan(0);
        for (int i = 0; i < keys.length; i++) {
            byte[] r = k.reply(k.request(Op.TXN_LOCK_SHARED, keys[i], 3));
            assertThat(status(r)).isEqualTo(Status.GRANT);
            assertThat(word(r)).as("record %d", i).isEqualTo(i);
            assertThat(TxnMessage.flags(MemorySegment.ofArray(r))).isEqualTo(Wire.TXN_F_EXISTS);
        }
        Map<String, Object> check = k.check();
        assertThat(check.get("locks_held")).isEqualTo(40L);
        assertThat(check.get("locked_buckets")).isEqualTo(0L);
        @SuppressWarnings("unchecked")
        Map<String, Object> tables = (Map<String, Object>) check.get("tables");
        assertThat(tables.get("1").toString()).contains("rows=40");
    }

    @Test
    void aLockedBucketIsAnsweredRetryAndChangesNothing() {
        long key = ShardKernel.keys(1)[0];
        k.xdp.run(answered("an insert", k.install(Op.TXN_INSERT_PRIMARY, key, 1, 1, 0, 5), "APPLIED v1 w5").counts(Stat.TXN_INSTALL_HIT));
        k.setBucketLock(key, System.nanoTime() | 1); // someone's, unexpired
        k.xdp.run(
            XdpCase.request("an install into the locked bucket", k.install(Op.TXN_COMMIT_PRIMARY, key, 1, 2, 0, 6))
                    .answers(Status.RETRY).counts(Stat.TXN_BUSY).keeps("the bucket", () -> k.bucketBytes(key)),
            XdpCase.request("a read of the locked bucket", k.request(Op.TXN_READ, key, 1))
                    .answers(Status.RETRY).counts(Stat.TXN_BUSY).keeps("the bucket", () -> k.bucketBytes(key)));
        k.setBucketLock(key, 0);
        k.xdp.run(answered("a read once unlocked", k.request(Op.TXN_READ, key, 1), "OK v1 exists w5").counts(Stat.TXN_READ_HIT));
    }

    /** Installs that go up to the slow path are answered as the cache answers them: applied, already applied, refused. */
    @Test
    void theSlowPathAnswersInstallsAsTheCacheDoes() {
        long[] keys = ShardKernel.keys(40);
        for (int i = 0; i < keys.length; i++) {
            assertThat(status(k.reply(k.install(Op.TXN_INSERT_BACKUP, keys[i], 1, 1, 0, i)))).isEqualTo(Status.APPLIED);
        }
        int wentUp = 0;
        for (int i = 0; i < keys.length; i++) {
            SlowPathTrip again = k.send(k.install(Op.TXN_INSERT_BACKUP, keys[i], 1, 1, 0, i));
            wentUp += again.slowPath() ? 1 : 0;
            assertThat(status(again.reply())).as("record %d again", i).isEqualTo(Status.ALREADY_APPLIED);
            SlowPathTrip newer = k.send(k.install(Op.TXN_COMMIT_BACKUP, keys[i], 1, 3, 0, 100 + i));
            assertThat(status(newer.reply())).as("record %d, version 3", i).isEqualTo(Status.APPLIED);
            byte[] older = k.reply(k.install(Op.TXN_COMMIT_BACKUP, keys[i], 1, 2, 0, 100 + i));
            assertThat(status(older)).as("record %d, version 2 after 3", i).isEqualTo(Status.REFUSED);
            assertThat(TxnMessage.version(MemorySegment.ofArray(older))).isEqualTo(3);
        }
        assertThat(wentUp).as("some records were answered by the slow path").isPositive();
    }

    /**
     * An unlocking install that goes up keeps its lock until the slow path's answer passes TC:
     * lost on its way up, it leaves the lock held and the record unwritten, and its retransmission
     * is served again; TC then unlocks and remembers the answer, so a retransmission after a newer
     * write still hears APPLIED.
     */
    @Test
    void anUnlockingInstallThatGoesUpKeepsItsLockUntilItsAnswerPassesTc() {
        long key = ShardKernel.keys(1)[0];
        k.reply(k.install(Op.TXN_INSERT_PRIMARY, key, 1, 1, 0, 10));
        assertThat(status(k.reply(k.request(Op.TXN_OCC_LOCK, key, 5)))).isEqualTo(Status.GRANT);
        k.check(); // writes the dirty record back into the store
        k.uncache(key);

        byte[] commit = k.install(Op.TXN_COMMIT_PRIMARY, key, 5, 2, Wire.TXN_F_UNLOCK, 20);
        assertThat(k.sendLost(commit).slowPath()).isTrue();
        assertThat(k.exclusiveLocks(key)).as("held while the install is on its way").isEqualTo(1);
        assertThat(k.bucketLock(key)).as("locked by the request gone up").isNotZero();
        k.setBucketLock(key, 1); // older than any lease, as if its holder's packet was lost long ago

        SlowPathTrip served = k.send(commit);
        assertThat(served.slowPath()).as("the retransmission goes up again").isTrue();
        assertThat(status(served.reply())).isEqualTo(Status.APPLIED);
        assertThat(k.exclusiveLocks(key)).as("TC released it with the answer").isZero();
        assertThat(k.stat(Stat.DUPLICATE)).isZero();

        assertThat(status(k.reply(k.request(Op.TXN_OCC_LOCK, key, 6)))).isEqualTo(Status.GRANT);
        assertThat(status(k.reply(k.install(Op.TXN_COMMIT_PRIMARY, key, 6, 3, Wire.TXN_F_UNLOCK, 30)))).isEqualTo(Status.APPLIED);
        SlowPathTrip late = k.send(commit);
        assertThat(late.slowPath()).isFalse();
        assertThat(status(late.reply())).as("answered as it was, not REFUSED by the newer write").isEqualTo(Status.APPLIED);
        assertThat(k.stat(Stat.DUPLICATE)).isEqualTo(1);
        assertThat(word(k.reply(k.request(Op.TXN_READ, key, 7)))).isEqualTo(30);
        assertThat(k.exclusiveLocks(key)).isZero();
    }

    @Test
    void logRecordsGoToThisCpusRing() {
        long key = ShardKernel.keys(1)[0];
        k.xdp.run(XdpCase.request("a LOG", k.install(Op.TXN_COMMIT_LOG, key, 1, 3, 0, 9)).answers(Status.OK).counts(Stat.LOG_APPEND)
                .leaves("records in the rings", this::pendingRecords, 1L));
    }

    private long pendingRecords() {
        RingStorage rings = LogObjects.rings(k.xdp.object(), null);
        try {
            return rings.rings().pending();
        } finally {
            rings.close(false);
        }
    }

    /**
     * The kernel's commit log, drained to its file and read back, replays to exactly the records
     * the shard holds — until a write is installed that was never logged.
     */
    @Test
    void theDrainedLogReplaysToTheRecordsTheShardHolds(@TempDir Path dir) {
        long[] keys = ShardKernel.keys(20);
        for (int i = 0; i < keys.length; i++) {
            // as a commit does: logged, then installed (some of them go up to the slow path)
            assertThat(status(k.reply(k.install(Op.TXN_INSERT_LOG, keys[i], 1, 1, 0, i)))).isEqualTo(Status.OK);
            assertThat(status(k.reply(k.install(Op.TXN_INSERT_BACKUP, keys[i], 1, 1, 0, i)))).isEqualTo(Status.APPLIED);
        }
        k.reply(k.install(Op.TXN_DELETE_LOG, keys[3], 2, 2, 0, 0));
        k.reply(k.install(Op.TXN_DELETE_BACKUP, keys[3], 2, 2, 0, 0));
        Path file = dir.resolve("shard.log");
        assertThat(replayedDigest(file)).isEqualTo(k.check().get("digest"));

        k.reply(k.install(Op.TXN_COMMIT_BACKUP, keys[5], 3, 2, 0, 55)); // never logged
        assertThat(replayedDigest(file)).isNotEqualTo(k.check().get("digest"));
        k.reply(k.install(Op.TXN_COMMIT_LOG, keys[5], 3, 2, 0, 55));
        assertThat(replayedDigest(file)).as("logged after all").isEqualTo(k.check().get("digest"));
    }

    /** Drains the object's log rings to the end of {@code file} and replays the whole file. */
    private String replayedDigest(Path file) {
        RingStorage rings = LogObjects.rings(k.xdp.object(), null);
        try (LogFile log = LogFile.open(file)) {
            try (LogDrainer drainer = new LogDrainer(rings.rings(), log, FsyncPolicy.standard(), 100_000)) {
                drainer.start();
                assertThat(drainer.awaitDrained(10_000_000_000L)).isTrue();
            }
        }
        try (ShardLog replayed = ShardLog.replay(file, 0, 1024)) {
            return Long.toHexString(replayed.digest());
        }
    }

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
            assertThat(ShardXdpServer.epoch(leased.xdp.object())).isEqualTo(next);
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
            ShardXdpServer.setEpoch(leased.xdp.object(), 0x4321, graceEnd);
            reference.setEpoch(0x4321);
            reference.setGraceUntil(graceEnd);
            assertThat(both.apply(leased.request(Op.TXN_READ, d, 8))).as("recovering: reads wait").isEqualTo(Status.RETRY);
            assertThat(both.apply(leased.request(Op.TXN_LOCK_SHARED, d, 8))).as("and locks").isEqualTo(Status.RETRY);
            assertThat(both.apply(leased.log(d, 8, 3, 0))).as("logs do not").isEqualTo(Status.OK);
            assertThat(both.apply(leased.install(Op.TXN_COMMIT_BACKUP, d, 8, 3, 0, 3))).as("nor installs").isEqualTo(Status.APPLIED);
            ShardXdpServer.setEpoch(leased.xdp.object(), 0x4321, 0);
            reference.setGraceUntil(0);
            assertThat(both.apply(leased.request(Op.TXN_READ, d, 8))).isEqualTo(Status.OK);
        }
    }

    @Test
    void malformedFramesAreNeverAnswered() {
        long key = ShardKernel.keys(1)[0];
        List<BadFrames.Case> cases = BadFrames.of(ServiceProgram.SHARD, k.request(Op.TXN_READ, key, 1), Status.OK);
        cases.add(BadFrames.badOp("an install of version 0", k.install(Op.TXN_COMMIT_BACKUP, key, 1, 0, 0, 1)));
        BadFrames.assertNeverAnswered(k.xdp, cases);
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

package io.dint.shard;

import static io.dint.testing.Messages.status;
import static io.dint.testing.TxnMessages.word;
import static org.assertj.core.api.Assertions.assertThat;

import io.dint.log.FsyncPolicy;
import io.dint.log.LogDrainer;
import io.dint.log.LogFile;
import io.dint.log.LogObject;
import io.dint.log.LogRingMaps;
import io.dint.log.RingStorage;
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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shard program through BPF_PROG_TEST_RUN with its Java slow path and TC egress program:
 * tables of rows where the kernel answers from its cache (request -> reply, counters, locks held),
 * trips where a request goes through the slow path, its commit log drained and replayed, and the
 * frames it must refuse. {@link ShardParityTest} holds it to the udp backend's {@link ShardStore}.
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
        RingStorage rings = LogRingMaps.rings(k.xdp.object().map(LogObject.RING), k.xdp.object().map(LogObject.CURSOR), null);
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
        RingStorage rings = LogRingMaps.rings(k.xdp.object().map(LogObject.RING), k.xdp.object().map(LogObject.CURSOR), null);
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

    @Test
    void malformedFramesAreNeverAnswered() {
        long key = ShardKernel.keys(1)[0];
        List<BadFrames.Case> cases = BadFrames.of(ServiceProgram.SHARD, k.request(Op.TXN_READ, key, 1), Status.OK);
        cases.add(BadFrames.badOp("an install of version 0", k.install(Op.TXN_COMMIT_BACKUP, key, 1, 0, 0, 1)));
        BadFrames.assertNeverAnswered(k.xdp, cases);
    }
}


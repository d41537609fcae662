package io.dint.occ;

import static io.dint.testing.OccMessages.describe;
import static io.dint.testing.OccMessages.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.dint.server.Allowlist;
import io.dint.server.StatCounters;
import io.dint.testing.BadFrames;
import io.dint.testing.Frames;
import io.dint.testing.LockEntries;
import io.dint.testing.Messages;
import io.dint.testing.OccMessages;
import io.dint.testing.XdpCase;
import io.dint.testing.XdpFixture;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Status;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The OCC XDP program through BPF_PROG_TEST_RUN, as tables of rows: request frame -> verdict,
 * reply (read as "GRANT v0 locked mine"), the counters it moves and the table entry it leaves;
 * and the Java {@link OccTable} held to the same replies byte for byte, every step replayed.
 */
class OccXdpTest {
    private static final int TABLE = 64; // small on purpose: entry sharing is easy to provoke

    @RegisterExtension
    final XdpFixture xdp = XdpFixture.of(() -> OccObjects.load(TABLE, Frames.SERVER_MAC, Allowlist.ANY), OccObjects.PROGRAM);

    private final LockEntries entries = new LockEntries(xdp, OccObjects.TABLE, TABLE);
    private long seq;

    /** A row: OCC request {@code op} on {@code key} by {@code txn}, answered {@code reply} ({@link OccMessages#describe}). */
    private XdpCase occ(String description, int op, long key, long txn, String reply) {
        return occ(description, request(op, key, txn, ++seq), reply);
    }

    private static XdpCase occ(String description, byte[] req, String reply) {
        return XdpCase.request(description, req).replyThat("reply", OccMessages::describe, reply);
    }

    @Test
    void readReturnsTheVersionAndTheLockBit() {
        xdp.run(
            occ("read of a fresh key", Op.OCC_READ, 3, 1, "OK v0").counts(Stat.OCC_READ),
            occ("acquire", Op.OCC_ACQUIRE, 3, 1, "GRANT v0 locked mine").counts(Stat.OCC_GRANT),
            occ("another transaction sees it locked", Op.OCC_READ, 3, 2, "OK v0 locked").counts(Stat.OCC_READ),
            occ("the owner sees it as its own", Op.OCC_READ, 3, 1, "OK v0 locked mine").counts(Stat.OCC_READ),
            occ("commit", Op.OCC_COMMIT, 3, 1, "OK v1").counts(Stat.OCC_COMMIT),
            occ("read after the commit", Op.OCC_READ, 3, 2, "OK v1").counts(Stat.OCC_READ)
                    .leaves("entry of 3", () -> entries.occ(3), new long[] {0, 1, 0, 0}));
        assertThat(xdp.stat(Stat.OCC_READ)).isEqualTo(4);
        assertThat(xdp.stat(Stat.OCC_GRANT)).isEqualTo(1);
        assertThat(xdp.stat(Stat.OCC_COMMIT)).isEqualTo(1);
        assertThat(xdp.stat(Stat.TX)).isEqualTo(6);
    }

    @Test
    void acquireIsExclusiveAndCountsTheHoldersGrants() {
        xdp.run(
            occ("acquire", Op.OCC_ACQUIRE, 4, 42, "GRANT v0 locked mine").counts(Stat.OCC_GRANT)
                    .leaves("entry of 4", () -> entries.occ(4), new long[] {0, 0, 1, 42}),
            occ("acquire by another", Op.OCC_ACQUIRE, 4, 43, "REJECT v0 locked").counts(Stat.OCC_REJECT),
            occ("the holder again: a second grant", Op.OCC_ACQUIRE, 4, 42, "GRANT v0 locked mine").counts(Stat.OCC_GRANT)
                    .leaves("entry of 4", () -> entries.occ(4), new long[] {0, 0, 2, 42}),
            occ("one grant left", Op.OCC_ABORT, 4, 42, "OK v0 locked mine").counts(Stat.OCC_ABORT),
            occ("ABORT unlocks without a new version", Op.OCC_ABORT, 4, 42, "OK v0").counts(Stat.OCC_ABORT),
            occ("the other now", Op.OCC_ACQUIRE, 4, 43, "GRANT v0 locked mine").counts(Stat.OCC_GRANT));
        assertThat(xdp.stat(Stat.OCC_REJECT)).isEqualTo(1);
        assertThat(xdp.stat(Stat.OCC_ABORT)).isEqualTo(2);
    }

    /** A retransmitted ACQUIRE, COMMIT or ABORT (same client and seq) is answered as before and applied once. */
    @Test
    void aRetransmissionIsAnsweredFromTheDedupWindowNotAppliedTwice() {
        XdpCase acquire = occ("acquire", Op.OCC_ACQUIRE, 30, 5, "GRANT v0 locked mine").counts(Stat.OCC_GRANT);
        XdpCase commit = occ("commit", Op.OCC_COMMIT, 30, 5, "OK v1").counts(Stat.OCC_COMMIT);
        byte[] abort = request(Op.OCC_ABORT, 31, 6, ++seq);
        xdp.run(
            acquire,
            occ("the acquire again", acquire.payload(), "GRANT v0 locked mine").counts(Stat.DUPLICATE)
                    .keeps("applied once", () -> entries.occ(30)),
            commit,
            occ("the commit again", commit.payload(), "OK v1").counts(Stat.DUPLICATE).keeps("applied once", () -> entries.occ(30)),
            occ("a first grant", Op.OCC_ACQUIRE, 31, 6, "GRANT v0 locked mine").counts(Stat.OCC_GRANT),
            occ("a second grant", Op.OCC_ACQUIRE, 31, 6, "GRANT v0 locked mine").counts(Stat.OCC_GRANT),
            occ("abort", abort, "OK v0 locked mine").counts(Stat.OCC_ABORT),
            occ("the same ABORT releases one grant", abort, "OK v0 locked mine").counts(Stat.DUPLICATE)
                    .leaves("entry of 31", () -> entries.occ(31), new long[] {0, 0, 1, 6}));
        assertThat(xdp.stat(Stat.DUPLICATE)).isEqualTo(3);
    }

    @Test
    void onlyTheOwnerCommitsOrAborts() {
        xdp.run(
            occ("commit of an unlocked entry", Op.OCC_COMMIT, 12, 1, "NOT_HELD v0").counts(Stat.OCC_NOT_HELD),
            occ("abort of an unlocked entry", Op.OCC_ABORT, 12, 1, "NOT_HELD v0").counts(Stat.OCC_NOT_HELD),
            occ("acquire", Op.OCC_ACQUIRE, 12, 1, "GRANT v0 locked mine").counts(Stat.OCC_GRANT),
            occ("commit by another", Op.OCC_COMMIT, 12, 2, "NOT_HELD v0 locked").counts(Stat.OCC_NOT_HELD),
            occ("abort by another", Op.OCC_ABORT, 12, 2, "NOT_HELD v0 locked").counts(Stat.OCC_NOT_HELD)
                    .leaves("entry of 12", () -> entries.occ(12), new long[] {0, 0, 1, 1}),
            occ("commit by the owner", Op.OCC_COMMIT, 12, 1, "OK v1").counts(Stat.OCC_COMMIT),
            occ("a second COMMIT of one grant", Op.OCC_COMMIT, 12, 1, "NOT_HELD v1").counts(Stat.OCC_NOT_HELD)
                    .leaves("entry of 12", () -> entries.occ(12), new long[] {0, 1, 0, 0}));
        assertThat(xdp.stat(Stat.OCC_NOT_HELD)).isEqualTo(5);
    }

    @Test
    void keysSharingAnEntryShareItsLock() {
        long a = 5;
        long b = LockEntries.sharing(a, TABLE);
        xdp.run(
            occ("acquire a", Op.OCC_ACQUIRE, a, 7, "GRANT v0 locked mine").counts(Stat.OCC_GRANT),
            occ("same txn, other key, same entry", Op.OCC_ACQUIRE, b, 7, "GRANT v0 locked mine").counts(Stat.OCC_GRANT),
            occ("other txn", Op.OCC_ACQUIRE, b, 8, "REJECT v0 locked").counts(Stat.OCC_REJECT),
            occ("read of b by the other", Op.OCC_READ, b, 8, "OK v0 locked").counts(Stat.OCC_READ),
            occ("b still holds the entry", Op.OCC_COMMIT, a, 7, "OK v1 locked mine").counts(Stat.OCC_COMMIT),
            occ("nothing exposed before b commits", Op.OCC_READ, a, 8, "OK v1 locked").counts(Stat.OCC_READ),
            occ("commit b", Op.OCC_COMMIT, b, 7, "OK v2").counts(Stat.OCC_COMMIT)
                    .leaves("entry of a", () -> entries.occ(a), new long[] {0, 2, 0, 0}));
    }

    @Test
    void busyEntryIsAnsweredRetryAndLeftUntouched() {
        xdp.run(occ("acquire", Op.OCC_ACQUIRE, 9, 1, "GRANT v0 locked mine").counts(Stat.OCC_GRANT));
        entries.setSpin(9, 1);
        for (int op = Op.OCC_READ; op <= Op.OCC_COMMIT; op++) {
            xdp.run(occ("op " + op + " on a busy entry", op, 9, 1, "RETRY v0").counts(Stat.OCC_RETRY)
                    .leaves("RETRY changes nothing", () -> entries.occ(9), new long[] {1, 0, 1, 1}));
        }
        entries.setSpin(9, 0);
        xdp.run(occ("commit once free", Op.OCC_COMMIT, 9, 1, "OK v1").counts(Stat.OCC_COMMIT));
        assertThat(xdp.stat(Stat.OCC_RETRY)).isEqualTo(4);
    }

    @Test
    void framesThatAreNotWellFormedRequestsAreNeverAnswered() {
        byte[] req = request(Op.OCC_ACQUIRE, 20, 1, 5);
        List<BadFrames.Case> cases = BadFrames.around(req);
        cases.add(BadFrames.badOp("unknown opcode", Messages.withOp(req, Op.MAX)));
        cases.add(BadFrames.badOp("opcode 0", Messages.withOp(req, 0)));
        cases.add(BadFrames.badOp("a 2PL opcode", Messages.withOp(req, Op.LOCK_ACQUIRE_EXCLUSIVE)));
        cases.add(BadFrames.badOp("the opcode after COMMIT", Messages.withOp(req, Op.OCC_COMMIT + 1)));
        cases.add(BadFrames.badOp("transaction id 0 (means no holder)", request(Op.OCC_ACQUIRE, 20, 0, 5)));
        cases.add(BadFrames.badOp("transaction id ~0 (means several sharers)", request(Op.OCC_ACQUIRE, 20, Wire.LOCK_SHARERS, 5)));
        cases.add(BadFrames.badOp("a reply sent to us", Messages.withStatus(req, Status.GRANT)));
        BadFrames.assertNeverAnswered(xdp, cases);
        assertThat(xdp.stat(Stat.RX)).as("RX counted exactly these frames").isEqualTo(cases.size());
        assertThat(entries.occ(20)).as("no bad frame touched the table").containsExactly(0, 0, 0, 0);
    }

    /** The kernel program and the Java table give byte-identical replies to a long random sequence, and end in the same state. */
    @Test
    void javaOccTableAnswersAsTheKernelDoes() {
        try (OccTable java = new OccTable(TABLE); Arena arena = Arena.ofConfined()) {
            long[] javaStats = new long[Stat.MAX];
            MemorySegment buf = arena.allocate(Wire.MAX_PAYLOAD);
            SplittableRandom rnd = new SplittableRandom(11);
            int[] seen = new int[Status.NOT_HELD + 1];
            byte[] previous = null;
            for (int i = 0; i < 3000; i++) {
                byte[] req = previous != null && rnd.nextInt(6) == 0 ? previous // a retransmission
                        : request(Op.OCC_READ + rnd.nextInt(4), rnd.nextLong(200), 1 + rnd.nextInt(5), i);
                previous = req;
                byte[] kernel = xdp.answer(req);
                MemorySegment.copy(MemorySegment.ofArray(req), 0, buf, 0, req.length);
                assertThat(java.serve(buf, req.length, javaStats)).isEqualTo(req.length);
                byte[] user = buf.asSlice(0, req.length).toArray(ValueLayout.JAVA_BYTE);
                assertThat(user).as("step %d: kernel %s, java %s", i, describe(kernel), describe(user)).isEqualTo(kernel);
                seen[Messages.status(kernel)]++;
            }
            assertThat(seen[Status.OK]).isPositive();
            assertThat(seen[Status.GRANT]).isPositive();
            assertThat(seen[Status.REJECT]).isPositive();
            assertThat(seen[Status.NOT_HELD]).isPositive();
            assertThat(xdp.stat(Stat.DUPLICATE)).as("retransmissions replayed").isPositive();
            assertThat(java.scan()).isEqualTo(OccObjects.scan(xdp.object()));
            assertThat(StatCounters.of(javaStats)).isEqualTo(xdp.counters());
        }
    }
}

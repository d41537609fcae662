package io.dint.shard;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dint.wire.Header;
import io.dint.wire.Op;
import io.dint.wire.RequestIds;
import io.dint.wire.Stat;
import io.dint.wire.Status;
import io.dint.wire.TxnMessage;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shard's record table: the layout its comment draws, keys and their slots, and a store file
 * taken over after its process died in the middle of a record — the record is torn, its spin word
 * released, and the commit log mends it.
 */
class RecordTableTest {
    private static final long A = 0x0100_0000_0000_0001L, B = 0x0100_0000_0000_0002L;

    private final Arena arena = Arena.ofConfined();
    private final long[] stats = new long[Stat.MAX];
    private final int incarnation = RequestIds.newIncarnation(0);
    private int counter;

    @AfterEach
    void close() {
        arena.close();
    }

    private MemorySegment value(long word) {
        MemorySegment v = arena.allocate(TxnMessage.VALUE_SIZE);
        v.set(JAVA_LONG_UNALIGNED, 0, word);
        return v;
    }

    /** Serves request {@code op} on key with version and value word; returns the reply. */
    private MemorySegment serve(ShardStore s, int op, long key, int version, long word) {
        MemorySegment b = arena.allocate(TxnMessage.SIZE);
        TxnMessage.encodeInstall(b, op, 3, RequestIds.seq(incarnation, ++counter), key, 9, version, 0, value(word), 0);
        assertThat(s.serve(b, TxnMessage.SIZE, stats)).isEqualTo(TxnMessage.SIZE);
        return b;
    }

    @Test
    void theLayoutIsTheDrawnOne() {
        assertThat(new int[] {RecordTable.KEY, RecordTable.LOCK, RecordTable.SPIN, RecordTable.VERSION, RecordTable.FLAGS,
            RecordTable.VALUE, RecordTable.RECORD}).containsExactly(0, 8, 8 + Wire.LOCK_ENTRY_SPIN, 48, 52, 56, 96);
        assertThat(Wire.LOCK_ENTRY_SIZE).as("the lock entry the drawing gives 40 bytes").isEqualTo(40);
    }

    @Test
    void everyKeyFindsItsOwnSlotUntilTheTableIsFull() {
        try (RecordTable t = new RecordTable(2)) {
            assertThat(t.slots()).as("a power of two above 1.5x").isEqualTo(8);
            assertThat(t.find(A, false)).as("absent").isEqualTo(-1);
            long[] r = new long[8];
            for (int k = 0; k < 8; k++) {
                r[k] = t.find(A + k, true);
                assertThat(r[k]).isNotNegative();
                assertThat(t.keyAt(r[k])).isEqualTo(A + k);
            }
            assertThat(r).doesNotHaveDuplicates();
            assertThat(t.find(A + 8, true)).as("full").isEqualTo(-1);
            for (int k = 0; k < 8; k++) {
                assertThat(t.find(A + k, false)).isEqualTo(r[k]);
            }
            assertThat(t.writtenAt(r[0])).as("made, never installed").isFalse();
        }
    }

    @Test
    void aFileOfAnotherSizeIsRefused(@TempDir Path dir) {
        Path file = dir.resolve("store");
        new RecordTable(16, file).close();
        assertThatThrownBy(() -> new RecordTable(1000, file)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("holds a store of another size");
    }

    /**
     * A process dies holding B's spin word with B half written: its successor finds B torn (and
     * its spin word free), serves garbage for it until repaired, and the commit log's last write
     * of B repairs it. A, which nobody was writing, is kept as it was.
     */
    @Test
    void aRecordTornByADeadProcessIsRepairedFromTheLog(@TempDir Path dir) {
        Path file = dir.resolve("store");
        ShardStore dead = new ShardStore(16, new ShardLog(16), file);
        assertThat(dead.takenOver()).isFalse();
        assertThat(Header.status(serve(dead, Op.TXN_INSERT_BACKUP, A, 1, 10))).isEqualTo(Status.APPLIED);
        assertThat(Header.status(serve(dead, Op.TXN_INSERT_BACKUP, B, 1, 20))).isEqualTo(Status.APPLIED);
        RecordTable t = dead.records();
        long r = t.find(B, false);
        t.spin(r); // an install of B under way ...
        t.memory().set(JAVA_LONG_UNALIGNED, r + RecordTable.VALUE, 0xbad);
        dead.close(); // ... when the process dies: the spin word stays held in the file

        try (ShardStore successor = new ShardStore(16, new ShardLog(16), file); ShardLog log = new ShardLog(16)) {
            assertThat(successor.takenOver()).isTrue();
            assertThat(successor.torn()).containsExactly(B);
            MemorySegment read = serve(successor, Op.TXN_READ, B, 0, 0);
            assertThat(Header.status(read)).as("the spin word was released").isEqualTo(Status.OK);
            assertThat(read.get(JAVA_LONG_UNALIGNED, Wire.TXN_VALUE)).as("torn, not yet repaired").isEqualTo(0xbad);
            assertThat(successor.repair(log)).as("an empty log repairs nothing").isZero();

            assertThat(log.append(Op.TXN_INSERT_LOG, B, 1, value(20), 0)).isTrue();
            assertThat(successor.repair(log)).isEqualTo(1);
            assertThat(serve(successor, Op.TXN_READ, B, 0, 0).get(JAVA_LONG_UNALIGNED, Wire.TXN_VALUE)).isEqualTo(20);
            assertThat(serve(successor, Op.TXN_READ, A, 0, 0).get(JAVA_LONG_UNALIGNED, Wire.TXN_VALUE)).isEqualTo(10);
            assertThat(successor.check().get("locks_held")).isEqualTo(0L);
        }
    }
}

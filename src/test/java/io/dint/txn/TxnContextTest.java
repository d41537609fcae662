package io.dint.txn;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dint.wire.Op;
import io.dint.wire.Status;
import io.dint.wire.TxnMessage;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A transaction's accesses and writes as its logic builds them, and the committed writes the
 * replicas are reconciled with.
 */
class TxnContextTest {
    private final Arena arena = Arena.ofConfined();
    private final TxnContext ctx = new TxnContext(arena);

    @AfterEach
    void close() {
        arena.close();
    }

    /** A read or lock reply: the record at {@code version}, existing with first word {@code word}. */
    private MemorySegment reply(long key, int version, boolean exists, long word) {
        MemorySegment b = arena.allocate(TxnMessage.SIZE);
        TxnMessage.encodeRequest(b, Op.TXN_LOCK_EXCLUSIVE, 1, 1, key, 1);
        io.dint.wire.Header.setStatus(b, Status.GRANT);
        TxnMessage.setVersion(b, version);
        TxnMessage.setFlags(b, exists ? Wire.TXN_F_EXISTS : 0);
        b.set(JAVA_LONG_UNALIGNED, Wire.TXN_VALUE, word);
        b.set(JAVA_LONG_UNALIGNED, Wire.TXN_VALUE + 32, ~word);
        return b;
    }

    @Test
    void accessesKeepTheirRecordsAndWritesTakeTheNextVersion() {
        int a = ctx.read(0x0100_0000_0000_0001L);
        int b = ctx.readForUpdate(0x0200_0000_0000_0001L);
        int c = ctx.readForUpdate(0x0200_0000_0000_0002L);
        assertThat(new int[] {a, b, c}).containsExactly(0, 1, 2);
        ctx.storeReply(a, reply(0x0100_0000_0000_0001L, 4, true, 40));
        ctx.storeReply(b, reply(0x0200_0000_0000_0001L, 7, true, 70));
        ctx.storeReply(c, reply(0x0200_0000_0000_0002L, 3, false, 0));
        assertThat(ctx.version(a)).isEqualTo(4);
        assertThat(ctx.getLong(b, 0)).isEqualTo(70);
        assertThat(ctx.getLong(b, 32)).isEqualTo(~70L);
        assertThat(ctx.exists(b)).isTrue();
        assertThat(ctx.exists(c)).isFalse();

        int w = ctx.update(b);
        assertThat(ctx.writeVersion[w]).as("the read version + 1").isEqualTo(8);
        assertThat(ctx.writeValues.get(JAVA_LONG_UNALIGNED, 32)).as("an update starts from the value read").isEqualTo(~70L);
        ctx.setLong(w, 0, 71);
        assertThat(ctx.writeValues.get(JAVA_LONG_UNALIGNED, 0)).isEqualTo(71);
        assertThat(ctx.getLong(b, 0)).as("the read value stays").isEqualTo(70);

        int i = ctx.insert(c);
        assertThat(ctx.writeVersion[i]).isEqualTo(4);
        assertThat(ctx.writeKind[i]).isEqualTo(TxnContext.INSERT);
        assertThat(ctx.writeValues.get(JAVA_LONG_UNALIGNED, (long) i * TxnContext.VALUE)).as("an insert starts from zeros").isZero();
        int blind = ctx.insertBlind(0x0300_0000_0000_0001L);
        assertThat(ctx.writeVersion[blind]).as("population: version 1").isEqualTo(1);
        assertThat(ctx.writeAccess[blind]).isEqualTo(-1);
        ctx.ledger(130);
        ctx.ledger(-30);
        assertThat(ctx.ledgerDelta).isEqualTo(100);

        ctx.reset();
        assertThat(ctx.accesses).isZero();
        assertThat(ctx.writes).isZero();
        assertThat(ctx.ledgerDelta).isZero();
        assertThat(ctx.read(0x0100_0000_0000_0009L)).isZero();
    }

    @Test
    void aWriteNeedsARecordReadForUpdateAndTheLimitsHold() {
        int a = ctx.read(0x0100_0000_0000_0001L);
        assertThatThrownBy(() -> ctx.update(a)).isInstanceOf(IllegalStateException.class).hasMessageContaining("not read for update");
        assertThatThrownBy(() -> ctx.delete(a)).isInstanceOf(IllegalStateException.class);
        for (int i = 1; i < TxnContext.MAX_ACCESSES; i++) {
            ctx.readForUpdate(0x0100_0000_0000_0001L + i);
        }
        assertThatThrownBy(() -> ctx.read(0x0100_0000_0000_0100L)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("at most " + TxnContext.MAX_ACCESSES + " accesses");
        for (int w = 0; w < TxnContext.MAX_WRITES; w++) {
            ctx.update(1 + w);
        }
        assertThatThrownBy(() -> ctx.update(TxnContext.MAX_WRITES + 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("at most " + TxnContext.MAX_WRITES + " writes");
    }

    @Test
    void committedStateKeepsEachKeysLastWriteAndReconcilesTableByTable() {
        MemorySegment value = arena.allocate(TxnMessage.VALUE_SIZE);
        CommittedState a = new CommittedState(), b = new CommittedState();
        for (long k = 1; k <= 3000; k++) { // past the first table size
            a.write(0x0100_0000_0000_0000L | k, 1, true, value, 0, 1L);
        }
        value.set(JAVA_LONG_UNALIGNED, 0, 5);
        b.write(0x0100_0000_0000_0007L, 2, true, value, 0, 1L);
        b.write(0x0200_0000_0000_0001L, 1, false, value, 0, 1L);
        a.addAll(b);
        assertThat(a.keys()).isEqualTo(3001);
        assertThat(a.version(0x0100_0000_0000_0007L)).as("the newer write stays").isEqualTo(2);
        a.write(0x0100_0000_0000_0007L, 1, true, value, 0, 1L);
        assertThat(a.version(0x0100_0000_0000_0007L)).as("an older one does not replace it").isEqualTo(2);

        Map<Integer, Long> digests = a.tableDigests();
        assertThat(digests).containsOnlyKeys(1, 2);
        Map<String, Object> replica = Map.of("tables", Map.of(
                "1", Map.of("digest", Long.toHexString(digests.get(1))),
                "2", Map.of("digest", Long.toHexString(digests.get(2)))));
        Map<String, Object> behind = Map.of("tables", Map.of("1", Map.of("digest", Long.toHexString(digests.get(1)))));
        assertThat(a.reconcile(java.util.List.of(replica))).isEmpty();
        assertThat(a.reconcile(java.util.List.of(replica, behind))).singleElement().asString()
                .startsWith("server 1: table 2 is not what committed transactions wrote");
    }
}

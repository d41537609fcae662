package io.dint.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Every message codec (Header, LockMessage, OccMessage, LogMessage, KvMessage with its slow-path
 * trailer, TxnMessage) against an independent little-endian reading of the C layout, at unaligned starts
 * too; and every decoder on arbitrary bytes: it reads what is there and never throws.
 */
class MessageCodecTest {
    private static ByteBuffer le(MemorySegment b, int size) {
        return ByteBuffer.wrap(b.asSlice(0, size).toArray(ValueLayout.JAVA_BYTE)).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void assertHeader(ByteBuffer c, int op, int clientId, long seq) {
        assertThat(c.get(0) & 0xff).isEqualTo(op);
        assertThat(c.get(1)).isEqualTo((byte) Status.REQUEST);
        assertThat(c.getShort(2)).isZero();
        assertThat(c.getInt(4)).isEqualTo(clientId);
        assertThat(c.getLong(8)).isEqualTo(seq);
    }

    @Property(tries = 500)
    void lockRequestsAreTheCLayout(@ForAll @IntRange(max = 255) int op, @ForAll int clientId, @ForAll long seq,
                                   @ForAll long lockId, @ForAll long txnId, @ForAll @IntRange(max = 7) int offset) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment whole = arena.allocate(64).fill((byte) 0x5a);
            MemorySegment b = whole.asSlice(offset); // unaligned starts must work too
            assertThat(LockMessage.encodeRequest(b, op, clientId, seq, lockId, txnId)).isEqualTo(32);
            ByteBuffer c = le(b, 32);
            assertHeader(c, op, clientId, seq);
            assertThat(c.getLong(16)).isEqualTo(lockId);
            assertThat(c.getLong(24)).isEqualTo(txnId);
            assertThat(whole.get(ValueLayout.JAVA_BYTE, offset + 32)).as("nothing written past the message").isEqualTo((byte) 0x5a);
            assertThat(List.of(Header.op(b), Header.clientId(b), Header.seq(b), LockMessage.lockId(b), LockMessage.txnId(b)))
                    .as("read back: op, client id, seq, lock id, txn id").containsExactly(op, clientId, seq, lockId, txnId);
        }
    }

    @Property(tries = 100)
    void statusIsOneByteAndLeavesTheRestAlone(@ForAll @IntRange(max = 255) int status, @ForAll long seq) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment b = arena.allocate(32);
            LockMessage.encodeRequest(b, Op.LOCK_ACQUIRE_SHARED, 3, seq, 4, 5);
            Header.setStatus(b, status);
            assertThat(Header.status(b)).isEqualTo(status);
            assertThat(Header.op(b)).isEqualTo(Op.LOCK_ACQUIRE_SHARED);
            assertThat(Header.seq(b)).isEqualTo(seq);
        }
    }

    @Property(tries = 300)
    void occRequestsAreTheCLayout(@ForAll @IntRange(max = 255) int op, @ForAll int clientId, @ForAll long seq, @ForAll long key,
                                  @ForAll long txn, @ForAll int version, @ForAll boolean locked, @ForAll boolean mine,
                                  @ForAll @IntRange(max = 7) int offset) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment whole = arena.allocate(64).fill((byte) 0x5a);
            MemorySegment b = whole.asSlice(offset);
            assertThat(OccMessage.encodeRequest(b, op, clientId, seq, key, txn)).isEqualTo(40);
            ByteBuffer c = le(b, 40);
            assertHeader(c, op, clientId, seq);
            assertThat(c.getLong(16)).isEqualTo(key);
            assertThat(c.getLong(24)).isEqualTo(txn);
            assertThat(c.getInt(32)).isZero();
            assertThat(c.getInt(36)).as("locked, mine, pad").isZero();
            assertThat(whole.get(ValueLayout.JAVA_BYTE, offset + 40)).as("nothing past the message").isEqualTo((byte) 0x5a);
            OccMessage.setState(b, version, locked, mine);
            c = le(b, 40);
            assertThat(c.getInt(32)).isEqualTo(version);
            assertThat(c.get(36)).isEqualTo((byte) (locked ? 1 : 0));
            assertThat(c.get(37)).isEqualTo((byte) (mine ? 1 : 0));
            assertThat(List.of(OccMessage.key(b), OccMessage.txnId(b), OccMessage.version(b), OccMessage.locked(b), OccMessage.mine(b)))
                    .as("read back: key, txn id, version, locked, mine").containsExactly(key, txn, version, locked, mine);
        }
    }

    @Property(tries = 300)
    void logRequestsAreTheCLayout(@ForAll int clientId, @ForAll long seq, @ForAll long key, @ForAll long version,
                                  @ForAll @Size(5) long[] value, @ForAll @IntRange(max = 7) int offset) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment whole = arena.allocate(96).fill((byte) 0x5a);
            MemorySegment b = whole.asSlice(offset);
            assertThat(LogMessage.encodeRequest(b, clientId, seq, key, version)).isEqualTo(72);
            for (int i = 0; i < LogMessage.VALUE_WORDS; i++) {
                LogMessage.setValueWord(b, i, value[i]);
            }
            ByteBuffer c = le(b, 72);
            assertHeader(c, Op.LOG_APPEND, clientId, seq);
            assertThat(c.getLong(16)).isEqualTo(key);
            assertThat(c.getLong(24)).isEqualTo(version);
            for (int i = 0; i < 5; i++) {
                assertThat(c.getLong(32 + 8 * i)).isEqualTo(value[i]);
                assertThat(LogMessage.valueWord(b, i)).isEqualTo(value[i]);
            }
            assertThat(whole.get(ValueLayout.JAVA_BYTE, offset + 72)).isEqualTo((byte) 0x5a);
            assertThat(LogMessage.key(b)).isEqualTo(key);
            assertThat(LogMessage.version(b)).isEqualTo(version);
        }
    }

    @Property(tries = 300)
    void kvRequestsAndTheirTrailerAreTheCLayout(@ForAll @IntRange(max = 255) int op, @ForAll int clientId, @ForAll long seq,
                                                @ForAll long key, @ForAll long word, @ForAll long lease, @ForAll int bucket,
                                                @ForAll @IntRange(max = 255) int way, @ForAll @IntRange(max = 255) int flags,
                                                @ForAll long bloom, @ForAll @IntRange(max = 7) int offset) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment whole = arena.allocate(176).fill((byte) 0x5a);
            assertThat(KvMessage.SLOW_SIZE).as("message and trailer (its victim a whole object)").isEqualTo(152);
            MemorySegment b = whole.asSlice(offset);
            assertThat(KvMessage.encodeRequest(b, op, clientId, seq, key)).isEqualTo(72);
            KvMessage.setValueWord(b, 0, word);
            ByteBuffer c = le(b, 72);
            assertHeader(c, op, clientId, seq);
            assertThat(c.getLong(16)).isEqualTo(key);
            assertThat(c.getLong(24)).as("version").isZero();
            assertThat(c.getLong(32)).isEqualTo(word);
            assertThat(b.asSlice(40, 32).toArray(ValueLayout.JAVA_BYTE)).as("the rest of the value").containsOnly(0);
            assertThat(whole.get(ValueLayout.JAVA_BYTE, offset + 72)).isEqualTo((byte) 0x5a);
            assertThat(KvMessage.key(b)).isEqualTo(key);
            assertThat(KvMessage.valueWord(b)).isEqualTo(word);
            // the trailer, written as XDP writes it: lease, bucket, way, flags, pad, bloom, victim
            ByteBuffer t = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(lease).putInt(bucket).put((byte) way).put((byte) flags).putShort((short) 0).putLong(bloom);
            MemorySegment.copy(MemorySegment.ofArray(t.array()), 0, b, 72, 64);
            assertThat(KvMessage.lease(b)).isEqualTo(lease);
            assertThat(KvMessage.bucket(b)).isEqualTo(bucket);
            assertThat(KvMessage.way(b)).isEqualTo(way);
            assertThat(KvMessage.flags(b)).isEqualTo(flags);
            assertThat(KvMessage.bloom(b)).isEqualTo(bloom);
            KvMessage.setFlags(b, flags ^ 0xff);
            KvMessage.setBloom(b, ~bloom);
            assertThat(le(b, 136).get(72 + 13) & 0xff).isEqualTo(flags ^ 0xff);
            assertThat(le(b, 136).getLong(72 + 16)).isEqualTo(~bloom);
        }
    }

    @Property(tries = 300)
    void txnRequestsAndInstallsAreTheCLayout(@ForAll @IntRange(max = 255) int op, @ForAll int clientId, @ForAll long seq,
                                             @ForAll long key, @ForAll long txn, @ForAll int version,
                                             @ForAll @IntRange(max = 255) int flags, @ForAll @Size(40) byte[] value,
                                             @ForAll @IntRange(max = 7) int offset) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment whole = arena.allocate(96).fill((byte) 0x5a);
            MemorySegment b = whole.asSlice(offset);
            assertThat(TxnMessage.encodeInstall(b, op, clientId, seq, key, txn, version, flags, MemorySegment.ofArray(value), 0))
                    .isEqualTo(80);
            ByteBuffer c = le(b, 80);
            assertHeader(c, op, clientId, seq);
            assertThat(c.getLong(16)).isEqualTo(key);
            assertThat(c.getLong(24)).isEqualTo(txn);
            assertThat(c.getInt(32)).isEqualTo(version);
            assertThat(c.get(36) & 0xff).isEqualTo(flags);
            assertThat(new byte[] {c.get(37), c.get(38), c.get(39)}).as("pad").containsOnly(0);
            byte[] v = new byte[40];
            c.get(40, v);
            assertThat(v).isEqualTo(value);
            assertThat(whole.get(ValueLayout.JAVA_BYTE, offset + 80)).isEqualTo((byte) 0x5a);
            assertThat(TxnMessage.key(b)).isEqualTo(key);
            assertThat(TxnMessage.txnId(b)).isEqualTo(txn);
            assertThat(TxnMessage.version(b)).isEqualTo(version);
            assertThat(TxnMessage.flags(b)).isEqualTo(flags);
            TxnMessage.encodeRequest(b, op, clientId, seq, key, txn);
            c = le(b, 80);
            assertThat(c.getLong(32)).as("version, flags, pad").isZero();
            assertThat(b.asSlice(40, 40).toArray(ValueLayout.JAVA_BYTE)).as("value").containsOnly(0);
        }
    }

    /** Whatever the bytes, every decoder reads its field where the C layout puts it. */
    @Property(tries = 300)
    void decodersReadAnyBytes(@ForAll @Size(136) byte[] bytes) {
        MemorySegment b = MemorySegment.ofArray(bytes);
        ByteBuffer c = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(Header.op(b)).isEqualTo(c.get(0) & 0xff);
        assertThat(Header.status(b)).isEqualTo(c.get(1) & 0xff);
        assertThat(Header.clientId(b)).isEqualTo(c.getInt(4));
        assertThat(Header.seq(b)).isEqualTo(c.getLong(8));
        assertThat(LockMessage.lockId(b)).isEqualTo(c.getLong(16));
        assertThat(LockMessage.txnId(b)).isEqualTo(c.getLong(24));
        assertThat(OccMessage.version(b)).isEqualTo(c.getInt(32));
        assertThat(OccMessage.locked(b)).isEqualTo(c.get(36) != 0);
        assertThat(OccMessage.mine(b)).isEqualTo(c.get(37) != 0);
        assertThat(LogMessage.version(b)).isEqualTo(c.getLong(24));
        assertThat(KvMessage.version(b)).isEqualTo(c.getLong(24));
        assertThat(KvMessage.key(b)).isEqualTo(c.getLong(16));
        assertThat(KvMessage.valueWord(b)).isEqualTo(c.getLong(32));
        assertThat(KvMessage.lease(b)).isEqualTo(c.getLong(72));
        assertThat(KvMessage.bucket(b)).isEqualTo(c.getInt(80));
        assertThat(KvMessage.way(b)).isEqualTo(c.get(84) & 0xff);
        assertThat(KvMessage.flags(b)).isEqualTo(c.get(85) & 0xff);
        assertThat(KvMessage.bloom(b)).isEqualTo(c.getLong(88));
        assertThat(TxnMessage.version(b)).isEqualTo(c.getInt(32));
        assertThat(TxnMessage.flags(b)).isEqualTo(c.get(36) & 0xff);
    }
}

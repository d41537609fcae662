package io.dint.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** The lock message codec against an independent little-endian reading of the C layout. */
class LockMessageTest {

    @Property(tries = 500)
    void encodeWritesTheCLayoutAndDecodesBack(@ForAll @IntRange(min = 0, max = 255) int op, @ForAll int clientId,
                                              @ForAll long seq, @ForAll long lockId, @ForAll long txnId,
                                              @ForAll @IntRange(min = 0, max = 7) int offset) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment whole = arena.allocate(64);
            whole.fill((byte) 0x5a);
            MemorySegment b = whole.asSlice(offset); // unaligned starts must work too
            assertThat(LockMessage.encodeRequest(b, op, clientId, seq, lockId, txnId)).isEqualTo(32);

            ByteBuffer c = ByteBuffer.wrap(b.asSlice(0, 32).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).order(ByteOrder.LITTLE_ENDIAN);
            assertThat(c.get(0) & 0xff).isEqualTo(op);
            assertThat(c.get(1)).isEqualTo((byte) Status.REQUEST);
            assertThat(c.getShort(2)).isZero();
            assertThat(c.getInt(4)).isEqualTo(clientId);
            assertThat(c.getLong(8)).isEqualTo(seq);
            assertThat(c.getLong(16)).isEqualTo(lockId);
            assertThat(c.getLong(24)).isEqualTo(txnId);
            assertThat(whole.get(java.lang.foreign.ValueLayout.JAVA_BYTE, offset + 32)).as("nothing written past the message").isEqualTo((byte) 0x5a);

            assertThat(Header.op(b)).isEqualTo(op);
            assertThat(Header.clientId(b)).isEqualTo(clientId);
            assertThat(Header.seq(b)).isEqualTo(seq);
            assertThat(LockMessage.lockId(b)).isEqualTo(lockId);
            assertThat(LockMessage.txnId(b)).isEqualTo(txnId);
        }
    }

    @Property(tries = 100)
    void statusIsOneByteAndLeavesTheRestAlone(@ForAll @IntRange(min = 0, max = 255) int status, @ForAll long seq) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment b = arena.allocate(32);
            LockMessage.encodeRequest(b, Op.LOCK_ACQUIRE_SHARED, 3, seq, 4, 5);
            Header.setStatus(b, status);
            assertThat(Header.status(b)).isEqualTo(status);
            assertThat(Header.op(b)).isEqualTo(Op.LOCK_ACQUIRE_SHARED);
            assertThat(Header.seq(b)).isEqualTo(seq);
        }
    }
}

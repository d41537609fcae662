package io.dint.xsk;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ring arithmetic over a segment laid out like a mapped ring, with this test playing the kernel's
 * side by moving the other index by hand: free-running u32 indices, wrap-around, batching.
 */
class XskRingTest {
    private static final long PROD = 0, CONS = 64, FLAGS = 128, DESC = 192;

    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void close() {
        arena.close();
    }

    private MemorySegment ring(int size, int entryBytes, int prod, int cons) {
        MemorySegment m = arena.allocate(DESC + (long) size * entryBytes, 64);
        m.set(JAVA_INT, PROD, prod);
        m.set(JAVA_INT, CONS, cons);
        return m;
    }

    @Test
    void producerSeesTheWholeRingFreeAndNoMore() {
        MemorySegment m = ring(8, 8, 0, 0);
        XskRing fill = new XskRing(m, PROD, CONS, DESC, FLAGS, 8, 8, true);
        int at = fill.producerCursor();
        assertThat(fill.reserve(10)).isEqualTo(8);
        for (int i = 0; i < 8; i++) {
            fill.setAddr(at + i, 4096L * i);
        }
        assertThat(m.get(JAVA_INT, PROD)).as("nothing published before submit").isZero();
        fill.submit();
        assertThat(m.get(JAVA_INT, PROD)).isEqualTo(8);
        assertThat(fill.reserve(1)).as("full until the kernel consumes").isZero();
        m.set(JAVA_INT, CONS, 3); // the kernel took three
        assertThat(fill.free(1)).isEqualTo(3);
        assertThat(fill.reserve(5)).isEqualTo(3);
        fill.submit();
        assertThat(m.get(JAVA_INT, PROD)).isEqualTo(11);
        assertThat(fill.addr(8)).as("entry 8 is slot 0 again, overwritten").isEqualTo(fill.addr(0));
    }

    @Test
    void indicesWrapAroundTheU32Range() {
        int start = -3; // 0xFFFFFFFD: three entries before the counters wrap
        MemorySegment m = ring(4, 16, start, start);
        XskRing tx = new XskRing(m, PROD, CONS, DESC, FLAGS, 4, 16, true);
        int at = tx.producerCursor();
        assertThat(tx.reserve(4)).isEqualTo(4);
        for (int i = 0; i < 4; i++) {
            tx.setDesc(at + i, 1000 + i, 60 + i);
        }
        tx.submit();
        assertThat(m.get(JAVA_INT, PROD)).isEqualTo(1); // wrapped past 0
        assertThat(tx.outstanding()).isEqualTo(4);

        XskRing rx = new XskRing(m, PROD, CONS, DESC, FLAGS, 4, 16, false); // the kernel's view, as a consumer
        int c = rx.consumerCursor();
        assertThat(rx.peek(10)).isEqualTo(4);
        for (int i = 0; i < 4; i++) {
            assertThat(rx.descAddr(c + i)).isEqualTo(1000 + i);
            assertThat(rx.descLen(c + i)).isEqualTo(60 + i);
        }
        rx.release(4);
        assertThat(m.get(JAVA_INT, CONS)).isEqualTo(1);
        assertThat(tx.outstanding()).isZero();
        assertThat(tx.reserve(4)).as("everything free again across the wrap").isEqualTo(4);
    }

    @Test
    void consumerTakesOnlyWhatWasPublishedAndReleasesInBatches() {
        MemorySegment m = ring(16, 8, 100, 100);
        XskRing cq = new XskRing(m, PROD, CONS, DESC, FLAGS, 16, 8, false);
        assertThat(cq.peek(8)).isZero();
        for (int i = 0; i < 5; i++) {
            m.set(java.lang.foreign.ValueLayout.JAVA_LONG, DESC + 8L * ((100 + i) & 15), 2048L * i);
        }
        m.set(JAVA_INT, PROD, 105);
        int start = cq.consumerCursor();
        assertThat(cq.peek(3)).isEqualTo(3);
        assertThat(cq.addr(start + 2)).isEqualTo(4096);
        cq.release(3);
        assertThat(m.get(JAVA_INT, CONS)).isEqualTo(103);
        start = cq.consumerCursor();
        assertThat(cq.peek(8)).as("the rest of what was published").isEqualTo(2);
        assertThat(cq.addr(start)).isEqualTo(2048L * 3);
        cq.release(2);
        assertThat(cq.peek(8)).isZero();
    }

    @Test
    void cancelledReservationsAreNotPublished() {
        MemorySegment m = ring(8, 16, 0, 0);
        XskRing tx = new XskRing(m, PROD, CONS, DESC, FLAGS, 8, 16, true);
        assertThat(tx.reserve(5)).isEqualTo(5);
        tx.cancel(2);
        tx.submit();
        assertThat(m.get(JAVA_INT, PROD)).isEqualTo(3);
    }

    @Test
    void needWakeupFollowsTheFlagsWord() {
        MemorySegment m = ring(8, 16, 0, 0);
        XskRing tx = new XskRing(m, PROD, CONS, DESC, FLAGS, 8, 16, true);
        assertThat(tx.needsWakeup()).isFalse();
        m.set(JAVA_INT, FLAGS, IfXdp.XDP_RING_NEED_WAKEUP);
        assertThat(tx.needsWakeup()).isTrue();
        XskRing noFlags = new XskRing(m, PROD, CONS, DESC, -1, 8, 16, true);
        assertThat(noFlags.needsWakeup()).as("kernels without a flags word never ask").isFalse();
    }

    @Test
    void sizesMustBePowersOfTwoAndFit() {
        MemorySegment m = ring(8, 8, 0, 0);
        assertThatThrownBy(() -> new XskRing(m, PROD, CONS, DESC, FLAGS, 6, 8, true)).hasMessageContaining("power of two");
        assertThatThrownBy(() -> new XskRing(m, PROD, CONS, DESC, FLAGS, 16, 8, true)).hasMessageContaining("does not fit");
    }
}

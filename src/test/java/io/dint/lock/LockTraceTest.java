package io.dint.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class LockTraceTest {

    @Property(tries = 200)
    void everyTransactionTakesFiveToTenDistinctIdsInAscendingOrder(
            @ForAll @LongRange(min = 10, max = 1_000_000_000L) long lockIds,
            @ForAll @IntRange(min = 1, max = 200) int transactions,
            @ForAll long seed) {
        LockTrace trace = LockTrace.generate(new LockTrace.Params(lockIds, 0.8, transactions, seed));
        assertThat(trace.transactions()).isEqualTo(transactions);
        int total = 0;
        for (int t = 0; t < transactions; t++) {
            int k = trace.size(t);
            assertThat(k).isBetween(LockTrace.MIN_LOCKS, LockTrace.MAX_LOCKS);
            for (int i = 0; i < k; i++) {
                assertThat(trace.lockId(t, i)).isBetween(0L, lockIds - 1);
                if (i > 0) {
                    assertThat(trace.lockId(t, i)).isGreaterThan(trace.lockId(t, i - 1));
                }
            }
            total += k;
        }
        assertThat(trace.totalLocks()).isEqualTo(total);
    }

    @Property(tries = 30)
    void sharedFractionIsHonoured(@ForAll @DoubleRange(min = 0, max = 1) double shared, @ForAll long seed) {
        LockTrace trace = LockTrace.generate(new LockTrace.Params(1_000_000, shared, 4000, seed));
        long sharedLocks = 0;
        for (int t = 0; t < trace.transactions(); t++) {
            for (int i = 0; i < trace.size(t); i++) {
                sharedLocks += trace.exclusive(t, i) ? 0 : 1;
            }
        }
        // ~30K draws: the observed fraction is within 0.02 of p with overwhelming probability
        assertThat((double) sharedLocks / trace.totalLocks()).isCloseTo(shared, org.assertj.core.data.Offset.offset(0.02));
    }

    @Test
    void sameSeedSameTrace() {
        LockTrace a = LockTrace.generate(LockTrace.Params.paper(1000, 50, 7));
        LockTrace b = LockTrace.generate(LockTrace.Params.paper(1000, 50, 7));
        for (int t = 0; t < 50; t++) {
            assertThat(a.size(t)).isEqualTo(b.size(t));
            for (int i = 0; i < a.size(t); i++) {
                assertThat(a.lockId(t, i)).isEqualTo(b.lockId(t, i));
                assertThat(a.exclusive(t, i)).isEqualTo(b.exclusive(t, i));
            }
        }
    }

    @Test
    void badParametersAreRefusedWithAReason() {
        assertThatThrownBy(() -> new LockTrace.Params(5, 0.8, 10, 1)).hasMessageContaining("at least 10 lock ids");
        assertThatThrownBy(() -> new LockTrace.Params(100, 1.5, 10, 1)).hasMessageContaining("shared fraction");
        assertThatThrownBy(() -> new LockTrace.Params(100, 0.8, 0, 1)).hasMessageContaining("transactions");
    }
}

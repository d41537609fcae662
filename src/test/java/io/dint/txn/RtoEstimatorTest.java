package io.dint.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** RFC 6298's estimator with the coordinator's bounds, on round trips given to it (no clock). */
class RtoEstimatorTest {
    private static final long MS = 1_000_000L;

    @Test
    void theFirstRoundTripSetsTheTimeoutToThreeTimesIt() {
        RtoEstimator e = new RtoEstimator(20 * MS);
        assertThat(e.rto()).as("before any round trip: the configured timeout").isEqualTo(20 * MS);
        e.sample(3 * MS);
        assertThat(e.rto()).as("srtt + 4 * rtt/2").isEqualTo(9 * MS);
    }

    @Test
    void steadyRoundTripsBringTheTimeoutDownToTheFloorAndSpikesUpToTheCeiling() {
        RtoEstimator e = new RtoEstimator(20 * MS);
        for (int i = 0; i < 100; i++) {
            e.sample(100_000L);
        }
        assertThat(e.rto()).as("a 100 us round trip: the 2 ms floor").isEqualTo(RtoEstimator.MIN_RTO_NANOS);
        e.sample(500 * MS);
        assertThat(e.rto()).as("never above the configured timeout").isEqualTo(20 * MS);
        RtoEstimator short_ = new RtoEstimator(MS);
        short_.sample(10_000L);
        assertThat(short_.rto()).as("a configured timeout below the floor wins").isEqualTo(MS);
    }

    @Test
    void backoffDoublesUpToItsCapOrTheConfiguredTimeout() {
        RtoEstimator e = new RtoEstimator(20 * MS);
        assertThat(e.backoff(3 * MS)).isEqualTo(6 * MS);
        assertThat(e.backoff(150 * MS)).isEqualTo(RtoEstimator.MAX_BACKOFF_NANOS);
        assertThat(new RtoEstimator(1_000 * MS).backoff(800 * MS)).isEqualTo(1_000 * MS);
        assertThatThrownBy(() -> new RtoEstimator(0)).isInstanceOf(IllegalArgumentException.class);
    }
}

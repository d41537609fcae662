package io.dint.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.cluster.CoreSplit;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one reader of /proc/stat: what counts as busy, and the per-CPU lines of this machine. */
class MachineCpuTest {

    @Test
    void busyIsEverythingButIdleAndIowaitAndGuestTimeIsNotCountedTwice() {
        // user nice system idle iowait irq softirq steal guest guest_nice, in ticks of 10 ms
        MachineCpu c = MachineCpu.parse("cpu1 100 2 30 1000 40 5 60 7 50 1");
        assertThat(c.busyMicros()).isEqualTo((100 + 2 + 30 + 5 + 60 + 7) * 10_000L);
        assertThat(c.totalMicros()).isEqualTo((100 + 2 + 30 + 1000 + 40 + 5 + 60 + 7) * 10_000L);
        assertThat(MachineCpu.parse("cpu  1 0 0 3").totalMicros()).as("older kernels have fewer fields").isEqualTo(40_000L);
    }

    @Test
    void readsEveryOnlineCpuAndSumsTheOnesAsked() {
        MachineCpu[] cpus = MachineCpu.perCpu();
        assertThat(cpus).hasSize(CoreSplit.onlineCpus()).doesNotContainNull();
        for (MachineCpu c : cpus) {
            assertThat(c.busyMicros()).isLessThanOrEqualTo(c.totalMicros());
        }
        MachineCpu first = MachineCpu.sum(cpus, List.of(0));
        assertThat(first).isEqualTo(cpus[0]);
        assertThat(MachineCpu.sum(cpus, List.of(0, cpus.length))).as("a CPU without a line counts nothing").isEqualTo(cpus[0]);
        assertThat(MachineCpu.read().totalMicros()).isPositive();
    }
}

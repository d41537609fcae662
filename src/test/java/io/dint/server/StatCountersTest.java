package io.dint.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dint.bpf.BpfObject;
import io.dint.testing.Frames;
import io.dint.testing.LockMessages;
import io.dint.testing.ServiceProgram;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Wire;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The service counters read by index: from the kernel's map, from a Java backend, and back from a server's report. */
class StatCountersTest {
    @Test
    void theKernelsCountersAreReadSummedOverCpusAndReportedByName() {
        try (BpfObject obj = ServiceProgram.LOCK2PL.load(Allowlist.ANY)) {
            byte[] frame = Frames.udpTo(Wire.PORT).payload(LockMessages.request(Op.LOCK_ACQUIRE_SHARED, 1, 1, 1)).build();
            for (int i = 0; i < 3; i++) { // one request and two retransmissions of it
                obj.program(ServiceProgram.LOCK2PL.program()).testRun(frame);
            }
            StatCounters c = StatCounters.read(obj);
            assertThat(c.get(Stat.RX)).isEqualTo(3);
            assertThat(c.get(Stat.GRANT)).isEqualTo(1);
            assertThat(c.get(Stat.DUPLICATE)).isEqualTo(2);
            assertThat(c.get(Stat.REJECT)).isZero();
            long[] perCpu = StatCounters.perCpu(obj, Stat.RX);
            assertThat(java.util.Arrays.stream(perCpu).sum()).isEqualTo(3);
            assertThat(StatCounters.perCpuNamed(obj)).containsKey("rx").containsKey("drop_bad_header");

            Map<String, Object> report = c.named();
            assertThat(report).containsEntry("rx", 3L).containsEntry("duplicate", 2L).containsKey("kv_slow");
            assertThat(StatCounters.reported(report)).isEqualTo(c);
            assertThat(StatCounters.reported(report).since(StatCounters.of(new long[Stat.MAX]), Stat.DUPLICATE)).isEqualTo(2);
        }
    }

    @Test
    void aSlowPathsCountersAreReadUnderTheirPrefix() {
        long[] sums = new long[Stat.MAX];
        sums[Stat.TX] = 5;
        Map<String, Object> report = new LinkedHashMap<>();
        StatCounters.of(sums).named().forEach((k, v) -> report.put(StatCounters.SLOW_PATH_PREFIX + k, v));
        assertThat(StatCounters.reported(report, StatCounters.SLOW_PATH_PREFIX).get(Stat.TX)).isEqualTo(5);
    }

    @Test
    void badInputIsRefusedWithWhatToDo() {
        Map<String, Object> report = new LinkedHashMap<>(StatCounters.of(new long[Stat.MAX]).named());
        report.remove("grant");
        assertThatThrownBy(() -> StatCounters.reported(report)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no counter 'grant'");
        assertThatThrownBy(() -> StatCounters.reported(Map.of("memcached_get_hits", 1L)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ServerHandle.stats()");
        assertThatThrownBy(() -> StatCounters.of(new long[3])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("indexed by Stat");
        assertThatThrownBy(() -> StatCounters.of(new long[Stat.MAX]).get(Stat.MAX)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no counter " + Stat.MAX);
    }
}

package io.dint.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BpfMapTest {

    @Test
    void hashMapUpdateLookupDeleteAndIterate() throws Exception {
        try (BpfObject obj = TestObjects.openFixture(); Arena arena = Arena.ofConfined()) {
            obj.load();
            BpfMap pairs = obj.map("pairs");
            MemorySegment key = arena.allocate(JAVA_INT);
            MemorySegment value = arena.allocate(JAVA_LONG);
            for (int k = 1; k <= 5; k++) {
                key.set(JAVA_INT, 0, k);
                value.set(JAVA_LONG, 0, k * 100L);
                pairs.update(key, value, BpfMap.NOEXIST);
            }
            key.set(JAVA_INT, 0, 3);
            assertThat(pairs.lookup(key, value)).isTrue();
            assertThat(value.get(JAVA_LONG, 0)).isEqualTo(300L);
            assertThatThrownBy(() -> pairs.update(key, value, BpfMap.NOEXIST))
                    .isInstanceOf(BpfException.class).hasMessageContaining("EEXIST");

            assertThat(pairs.delete(key)).isTrue();
            assertThat(pairs.delete(key)).isFalse();
            assertThat(pairs.lookup(key, value)).isFalse();

            Map<Integer, Long> seen = new HashMap<>();
            MemorySegment next = arena.allocate(JAVA_INT);
            MemorySegment prev = null;
            while (pairs.nextKey(prev, next)) {
                assertThat(pairs.lookup(next, value)).isTrue();
                seen.put(next.get(JAVA_INT, 0), value.get(JAVA_LONG, 0));
                prev = arena.allocate(JAVA_INT).copyFrom(next);
            }
            assertThat(seen).containsOnly(Map.entry(1, 100L), Map.entry(2, 200L), Map.entry(4, 400L),
                    Map.entry(5, 500L));
        }
    }

    @Test
    void heapSegmentsAndIntKeysWork() throws Exception {
        try (BpfObject obj = TestObjects.openFixture()) {
            obj.load();
            BpfMap pairs = obj.map("pairs");
            long[] value = {42};
            pairs.update(7, MemorySegment.ofArray(value));
            long[] out = new long[1];
            assertThat(pairs.lookup(7, MemorySegment.ofArray(out))).isTrue();
            assertThat(out[0]).isEqualTo(42);
            assertThat(pairs.lookup(8, MemorySegment.ofArray(out))).isFalse();
        }
    }

    @Test
    void shortKeysAndValuesAreRefusedBeforeTheKernelOverrunsThem() throws Exception {
        try (BpfObject obj = TestObjects.openFixture(); Arena arena = Arena.ofConfined()) {
            obj.load();
            BpfMap pairs = obj.map("pairs");
            assertThatThrownBy(() -> pairs.lookup(1, arena.allocate(4)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 8 bytes");
            assertThatThrownBy(() -> pairs.lookup(arena.allocate(2), arena.allocate(8)))
                    .isInstanceOf(IllegalArgumentException.class);
            BpfMap counters = obj.map("counters");
            assertThatThrownBy(() -> counters.lookup(0, arena.allocate(8)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("per possible CPU");
        }
    }

    @Test
    void perCpuValuesHoldOneSlotPerPossibleCpu() throws Exception {
        int cpus = BpfMap.possibleCpus();
        try (BpfObject obj = TestObjects.openFixture(); Arena arena = Arena.ofConfined()) {
            obj.load();
            BpfMap counters = obj.map("counters");
            assertThat(counters.perCpu()).isTrue();
            assertThat(counters.valueBytes()).isEqualTo(8L * cpus);
            MemorySegment value = arena.allocate(counters.valueBytes());
            for (int cpu = 0; cpu < cpus; cpu++) {
                value.set(JAVA_LONG, 8L * cpu, cpu + 1);
            }
            counters.update(2, value);
            assertThat(counters.perCpuLongs(2)).hasSize(cpus).startsWith(1L);
            assertThat(counters.sumPerCpuLong(2)).isEqualTo((long) cpus * (cpus + 1) / 2);
            assertThat(counters.sumPerCpuLong(3)).isZero();
        }
    }

    @Test
    void theStatsMapCountsTestRuns() {
        try (BpfObject obj = BpfObject.openBundled("lock2pl")) {
            obj.load();
            TestRun run = obj.program("lock2pl_xdp").testRun(TestObjects.notOursFrame(), 25);
            assertThat(run.verdict()).isEqualTo(Xdp.PASS);
            BpfMap stats = obj.map("stats");
            assertThat(stats.sumPerCpuLong(0)).isEqualTo(25); // DINT_STAT_RX
            assertThat(stats.sumPerCpuLong(2)).isEqualTo(25); // DINT_STAT_PASS_NOT_OURS
            assertThat(stats.sumPerCpuLong(1)).isZero();
        }
    }

    @Test
    void globalDataIsReadableAfterLoad() throws Exception {
        try (BpfObject obj = TestObjects.openFixture(); Arena arena = Arena.ofConfined()) {
            obj.load();
            obj.program("fixture_xdp").testRun(TestObjects.notOursFrame(), 3);
            BpfMap bss = obj.map(".bss");
            MemorySegment value = arena.allocate(bss.valueSize());
            assertThat(bss.lookup(0, value)).isTrue();
            assertThat(value.get(JAVA_LONG, 0)).isEqualTo(3);
        }
    }

    @Test
    void mapsPinAndUnpin() throws Exception {
        Path dir = BpfFs.ensureMounted();
        BpfFs.removePins("dintt-");
        Path pin = dir.resolve("dintt-pairs");
        try (BpfObject obj = TestObjects.openFixture()) {
            obj.load();
            BpfMap pairs = obj.map("pairs");
            pairs.pin(pin);
            assertThat(pin).exists();
            assertThat(Shell.run("bpftool", "map", "show", "pinned", pin.toString())).contains("pairs");
            assertThatThrownBy(() -> pairs.pin(Path.of("/tmp/dintt-not-bpffs")))
                    .isInstanceOf(BpfException.class);
            pairs.unpin(pin);
            assertThat(Files.exists(pin)).isFalse();
        } finally {
            BpfFs.removePins("dintt-");
        }
    }
}

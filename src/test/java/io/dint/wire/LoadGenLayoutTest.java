package io.dint.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bench.LoadGenLayout;
import io.dint.bpf.Btf;
import java.lang.foreign.StructLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link LoadGenLayout}, the Java view of loadgen.h, against the BTF of loadgen.bpf.o ({@link Btf})
 * and the header's macros (through src/test/c/abi_probe.c).
 */
class LoadGenLayoutTest {
    private static final Path OBJECT = Path.of(System.getProperty("dint.bpf.dir", "target/classes/bpf"), "loadgen.bpf.o");

    @Test
    void structsMatchTheBtf() {
        Btf btf = Btf.of(OBJECT);
        for (StructLayout layout : List.of(LoadGenLayout.TXN, LoadGenLayout.SLOT, LoadGenLayout.CONTROL, LoadGenLayout.CONFIG)) {
            String name = layout.name().orElseThrow();
            assertThat(btf.has(name)).as("struct %s in %s", name, OBJECT).isTrue();
            assertThat(btf.mismatches(layout)).as("struct %s in %s", name, OBJECT).isEmpty();
        }
    }

    @Test
    void enumsAndMacrosMatch() {
        Btf btf = Btf.of(OBJECT);
        assertThat(btf.enumerators()).containsEntry("LG_LOCK2PL", (long) LoadGenLayout.LOCK2PL)
                .containsEntry("LG_OCC", (long) LoadGenLayout.OCC)
                .containsEntry("LG_LOG", (long) LoadGenLayout.LOG)
                .containsEntry("LG_KV", (long) LoadGenLayout.KV)
                .containsEntry("LG_STAT_REPLIES", (long) LoadGenLayout.STAT_REPLIES)
                .containsEntry("LG_STAT_SENT", (long) LoadGenLayout.STAT_SENT)
                .containsEntry("LG_STAT_KICKS", (long) LoadGenLayout.STAT_KICKS)
                .containsEntry("LG_STAT_RESENT", (long) LoadGenLayout.STAT_RESENT)
                .containsEntry("LG_STAT_STALE", (long) LoadGenLayout.STAT_STALE)
                .containsEntry("LG_STAT_COMMITTED", (long) LoadGenLayout.STAT_COMMITTED)
                .containsEntry("LG_STAT_ABORTED", (long) LoadGenLayout.STAT_ABORTED)
                .containsEntry("LG_STAT_RETRIES", (long) LoadGenLayout.STAT_RETRIES)
                .containsEntry("LG_STAT_PROTOCOL", (long) LoadGenLayout.STAT_PROTOCOL)
                .containsEntry("LG_STAT_STOPPED", (long) LoadGenLayout.STAT_STOPPED)
                .containsEntry("LG_STAT_NOT_OURS", (long) LoadGenLayout.STAT_NOT_OURS)
                .containsEntry("LG_STAT_GOOD", (long) LoadGenLayout.STAT_GOOD)
                .containsEntry("LG_STAT_MAX", (long) LoadGenLayout.STAT_MAX);
        Map<String, Long> macros = Btf.abiProbe().enumerators("loadgen_");
        assertThat(macros).as("macros of loadgen.h in src/test/c/abi_probe.c").isNotEmpty();
        assertThat(Btf.constants(LoadGenLayout.class)).as("LoadGenLayout vs the macros of loadgen.h").containsAllEntriesOf(macros);
        assertThat(1L << Btf.abiProbe().enumerators("lg_").get("SLOT_BITS")).as("every slot has its own dedup entry")
                .isGreaterThanOrEqualTo(LoadGenLayout.MAX_SLOTS).isLessThanOrEqualTo(Wire.DEDUP_WINDOW);
    }

    @Test
    void histogramBucketsInvertTheKernelsIndex() {
        for (long v : new long[] {0, 1, 31, 32, 33, 47, 48, 1000, 123_456, 9_999_999, 1L << 39}) {
            int e = 63 - Long.numberOfLeadingZeros(Math.max(v, 1));
            int b = v < 32 ? (int) v : 32 + (e - 5) * 16 + (int) ((v >> (e - 4)) & 15);
            assertThat(LoadGenLayout.bucketLow(b)).as("low bound of the bucket of %d", v).isLessThanOrEqualTo(v);
            assertThat(v - LoadGenLayout.bucketLow(b)).as("bucket width at %d", v).isLessThanOrEqualTo(Math.max(1, v / 16));
        }
    }
}

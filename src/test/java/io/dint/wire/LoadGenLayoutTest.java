package io.dint.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bench.LoadGenLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@link LoadGenLayout}, the Java view of loadgen.h, against the BTF of loadgen.bpf.o and the header's macros. */
class LoadGenLayoutTest {
    private static final Path OBJECT = Path.of(System.getProperty("dint.bpf.dir", "target/classes/bpf"), "loadgen.bpf.o");

    @Test
    void structsMatchTheBtf() throws Exception {
        WireLayoutTest.Btf btf = WireLayoutTest.dump(OBJECT);
        for (StructLayout layout : List.of(LoadGenLayout.TXN, LoadGenLayout.SLOT, LoadGenLayout.CONTROL, LoadGenLayout.CONFIG)) {
            String name = layout.name().orElseThrow();
            assertThat(btf.structSizes()).as("struct %s in %s", name, OBJECT).containsKey(name);
            assertThat(layout.byteSize()).as("size of struct %s", name).isEqualTo(btf.structSizes().get(name));
            List<WireLayoutTest.Member> actual = layout.memberLayouts().stream()
                    .map(l -> new WireLayoutTest.Member(l.name().orElseThrow(),
                            layout.byteOffset(MemoryLayout.PathElement.groupElement(l.name().orElseThrow()))))
                    .toList();
            assertThat(actual).as("members of struct %s", name).containsExactlyElementsOf(btf.members().get(name));
        }
    }

    @Test
    void enumsAndMacrosMatch() throws Exception {
        WireLayoutTest.Btf btf = WireLayoutTest.dump(OBJECT);
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
        String header = Files.readString(Path.of("src/main/bpf/loadgen.h"));
        Map<String, Integer> macros = Map.of("LG_MAX_SLOTS", LoadGenLayout.MAX_SLOTS, "LG_MAX_KEYS", LoadGenLayout.MAX_KEYS,
                "LG_KICK", LoadGenLayout.KICK, "LG_PH_PARKED", LoadGenLayout.PHASE_PARKED, "LG_HIST_MAX_EXP", LoadGenLayout.HIST_MAX_EXP);
        macros.forEach((name, java) -> assertThat(define(header, name)).as("#define %s", name).isEqualTo(java.longValue()));
        assertThat(1 << define(header, "LG_SLOT_BITS")).as("every slot has its own dedup entry")
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

    private static long define(String header, String name) {
        Matcher m = Pattern.compile("#define\\s+" + name + "\\s+(0x[0-9a-f]+|\\d+)").matcher(header);
        assertThat(m.find()).as("#define %s in loadgen.h", name).isTrue();
        return Long.decode(m.group(1));
    }
}

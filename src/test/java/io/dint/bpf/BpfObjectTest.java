package io.dint.bpf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BpfObjectTest {

    @Test
    void opensAndLoadsTheBundledObjects() {
        try (BpfObject lock = BpfObject.openBundled("lock2pl"); BpfObject pass = BpfObject.openBundled("pass")) {
            assertThat(lock.programNames()).containsExactly("lock2pl_xdp");
            assertThat(lock.mapNames()).contains("lock_table", "stats", ".rodata");
            lock.load();
            pass.load();
            assertThat(lock.program("lock2pl_xdp").fd()).isPositive();
            assertThat(pass.program("pass_xdp").fd()).isPositive();
            BpfMap table = lock.map("lock_table");
            assertThat(table.fd()).isPositive();
            assertThat(table.keySize()).isEqualTo(4);
            assertThat(table.valueSize()).isEqualTo(io.dint.wire.Wire.LOCK_ENTRY_SIZE);
            assertThat(table.perCpu()).isFalse();
            BpfMap stats = lock.map("stats");
            assertThat(stats.perCpu()).isTrue();
            assertThat(stats.maxEntries()).isEqualTo(io.dint.wire.Stat.MAX);
            assertThat(lock.map(".rodata").valueSize()).isEqualTo((int) io.dint.wire.Wire.CONFIG.byteSize());
            assertThat(lock.map("stats")).isSameAs(stats);
        }
    }

    @Test
    void opensAFileByPath() throws Exception {
        try (BpfObject obj = BpfObject.open(Path.of(System.getProperty("dint.bpf.dir"), "pass.bpf.o"))) {
            obj.load();
            assertThat(obj.isLoaded()).isTrue();
        }
    }

    @Test
    void absentMapsAndProgramsAreNamedInTheError() throws Exception {
        try (BpfObject obj = TestObjects.openFixture()) {
            assertThatThrownBy(() -> obj.map("nope"))
                    .isInstanceOf(BpfException.class)
                    .hasMessageContaining("no map 'nope'")
                    .hasMessageContaining("pairs");
            assertThatThrownBy(() -> obj.program("nope"))
                    .isInstanceOf(BpfException.class)
                    .hasMessageContaining("no program 'nope'")
                    .hasMessageContaining("fixture_xdp");
        }
    }

    @Test
    void aFileThatIsNoBpfObjectIsRefused(@TempDir Path dir) throws IOException {
        Path junk = dir.resolve("junk.bpf.o");
        Files.writeString(junk, "this is not an ELF file");
        assertThatThrownBy(() -> BpfObject.open(junk))
                .isInstanceOf(BpfException.class)
                .hasMessageContaining("bpf_object__open_file")
                .hasMessageContaining("libbpf said");
        assertThatThrownBy(() -> BpfObject.open(dir.resolve("missing.bpf.o")))
                .isInstanceOf(BpfException.class)
                .hasMessageContaining("no such file");
        assertThatThrownBy(() -> BpfObject.openBundled("missing"))
                .isInstanceOf(BpfException.class)
                .hasMessageContaining("bpf/missing.bpf.o");
    }

    @Test
    void aVerifierRejectionCarriesTheVerifierLog() throws Exception {
        try (BpfObject obj = BpfObject.open(TestObjects.compile("bad"))) {
            assertThatThrownBy(obj::load)
                    .isInstanceOf(BpfException.class)
                    .hasMessageContaining("loading BPF object bad.bpf.o failed")
                    .hasMessageContaining("-- verifier log --")
                    .hasMessageContaining("invalid mem access 'map_value_or_null'")
                    .hasMessageContaining("bad_xdp")
                    .satisfies(e -> assertThat(((BpfException) e).errno()).isEqualTo(13));
        }
    }

    @Test
    void setMaxEntriesBeforeLoadResizesTheKernelMap() {
        try (BpfObject obj = BpfObject.openBundled("lock2pl"); Arena arena = Arena.ofConfined()) {
            BpfMap table = obj.map("lock_table");
            assertThat(table.maxEntries()).isEqualTo(1);
            table.setMaxEntries(1000);
            obj.load();
            assertThat(table.maxEntries()).isEqualTo(1000);
            MemorySegment value = arena.allocate(table.valueSize());
            assertThat(table.lookup(999, value)).isTrue();
            assertThatThrownBy(() -> table.update(1000, value))
                    .isInstanceOf(BpfException.class)
                    .hasMessageContaining("E2BIG");
            assertThatThrownBy(() -> table.setMaxEntries(5)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void rodataIsSetThroughItsInitialValue() throws Exception {
        byte[] frame = TestObjects.notOursFrame();
        try (BpfObject obj = TestObjects.openFixture()) {
            BpfMap rodata = obj.map(".rodata");
            MemorySegment init = rodata.initialValue();
            long at = obj.variable("verdict").offset();
            assertThat(init.get(JAVA_INT, at)).isEqualTo(Xdp.PASS);
            init.set(JAVA_INT, at, Xdp.DROP);
            obj.load();
            assertThat(obj.program("fixture_xdp").testRun(frame).verdict()).isEqualTo(Xdp.DROP);
            assertThatThrownBy(() -> init.get(JAVA_INT, 0)).isInstanceOf(IllegalStateException.class);
        }
        try (BpfObject obj = TestObjects.openFixture(); Arena arena = Arena.ofConfined()) {
            MemorySegment bytes = arena.allocate(obj.map(".rodata").valueSize());
            bytes.set(JAVA_INT, obj.variable("verdict").offset(), Xdp.TX);
            obj.map(".rodata").setInitialValue(bytes);
            obj.load();
            assertThat(obj.program("fixture_xdp").testRun(frame).verdict()).isEqualTo(Xdp.TX);
        }
    }

    @Test
    void operationsOutOfOrderSayWhatIsMissing() throws Exception {
        BpfObject obj = TestObjects.openFixture();
        BpfMap pairs = obj.map("pairs");
        assertThatThrownBy(pairs::fd).isInstanceOf(IllegalStateException.class).hasMessageContaining("load()");
        assertThatThrownBy(() -> obj.program("fixture_xdp").testRun(TestObjects.notOursFrame()))
                .isInstanceOf(IllegalStateException.class);
        obj.load();
        assertThatThrownBy(obj::load).isInstanceOf(IllegalStateException.class);
        obj.close();
        obj.close();
        assertThatThrownBy(pairs::fd).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> obj.map("pairs")).isInstanceOf(IllegalStateException.class);
    }
}

package io.dint.bpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dint.lock.LockObject;
import io.dint.server.Allowlist;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * Typed kernel objects: global variables found and written at their BTF offsets, and objects
 * loaded into records of their handles — or refused, with what is wrong, and closed again.
 */
class ObjectSpecTest {
    private static final byte[] ANY_MAC = new byte[6];

    /** A record naming a map the object does not have. */
    record NoSuchMap(BpfObject object, @Handle("no_such_map") BpfMap map) {}

    /** A record with a component that is no handle. */
    record NotAHandle(BpfObject object, String name) {}

    @Test
    void aVariableIsWrittenAtItsOffsetAndLeavesTheOthers() throws Exception {
        byte[] frame = TestObjects.notOursFrame();
        try (BpfObject obj = TestObjects.openFixture(); Arena arena = Arena.ofConfined()) {
            BpfVariable verdict = obj.variable("verdict");
            BpfVariable txAfter = obj.variable("tx_after");
            assertThat(verdict.section().name()).isEqualTo(".rodata");
            assertThat(txAfter.section().name()).isEqualTo(".rodata");
            assertThat(verdict.size()).isEqualTo(4);
            assertThat(txAfter.size()).isEqualTo(8);
            assertThat(verdict.offset()).as("two variables, two places").isNotEqualTo(txAfter.offset());
            assertThat(Math.max(verdict.offset() + 4, txAfter.offset() + 8)).isLessThanOrEqualTo(verdict.section().valueSize());
            MemorySegment two = arena.allocate(JAVA_LONG);
            two.set(JAVA_LONG, 0, 2);
            txAfter.set(two);
            obj.load();
            BpfProgram p = obj.program("fixture_xdp");
            assertThat(p.testRun(frame).verdict()).as("the verdict setting is untouched").isEqualTo(Xdp.PASS);
            assertThat(p.testRun(frame).verdict()).isEqualTo(Xdp.PASS);
            assertThat(p.testRun(frame).verdict()).as("tx_after = 2 was read where the program reads it").isEqualTo(Xdp.TX);
        }
    }

    @Test
    void aValueOfAnotherSizeIsRefused() throws Exception {
        try (BpfObject obj = TestObjects.openFixture(); Arena arena = Arena.ofConfined()) {
            BpfVariable verdict = obj.variable("verdict");
            assertThatThrownBy(() -> verdict.set(arena.allocate(JAVA_LONG))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'verdict'").hasMessageContaining("4 bytes").hasMessageContaining("Java layout");
            assertThatThrownBy(() -> verdict.check(JAVA_LONG)).isInstanceOf(IllegalArgumentException.class);
            assertThat(verdict.check(JAVA_INT)).isEqualTo(JAVA_INT);
        }
    }

    @Test
    void anUnknownVariableNamesTheKnownOnes() throws Exception {
        try (BpfObject obj = TestObjects.openFixture()) {
            assertThatThrownBy(() -> obj.variable("verdikt")).isInstanceOf(BpfException.class)
                    .hasMessageContaining("no global variable 'verdikt'").hasMessageContaining("verdict")
                    .hasMessageContaining("tx_after");
        }
    }

    @Test
    void variablesAreSettingsOnlyBeforeLoad() throws Exception {
        try (BpfObject obj = TestObjects.openFixture()) {
            obj.load();
            assertThatThrownBy(() -> obj.variable("verdict")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("before load()");
        }
    }

    /** Every service's settings struct is as long as the C variable it is written into. */
    @Test
    void theSettingsLayoutsMatchTheirVariables() {
        String[][] variables = {{"lock2pl", "dint_cfg"}, {"occ", "dint_cfg"}, {"log", "dint_cfg"}, {"kv", "dint_cfg"},
                {"kv", "kv_cfg"}, {"shard", "dint_cfg"}, {"shard", "shard_cfg"}, {"xsk_redirect", "dint_cfg"}};
        for (String[] v : variables) {
            try (BpfObject obj = BpfObject.openBundled(v[0])) {
                BpfVariable var = obj.variable(v[1]);
                long expected = switch (v[1]) {
                    case "kv_cfg" -> Wire.KV_CONFIG.byteSize();
                    case "shard_cfg" -> Wire.SHARD_CONFIG.byteSize();
                    default -> Wire.CONFIG.byteSize();
                };
                assertThat(var.size()).as("%s of %s", v[1], v[0]).isEqualTo(expected);
            }
        }
    }

    @Test
    void aLoadedObjectComesBackAsItsHandles() {
        try (LockObject lock = LockObject.load(64, ANY_MAC, Allowlist.ANY)) {
            assertThat(lock.object().isLoaded()).isTrue();
            assertThat(lock.xdp().name()).isEqualTo(LockObject.PROGRAM);
            assertThat(lock.table().name()).isEqualTo(LockObject.TABLE);
            assertThat(lock.table().maxEntries()).as("sized by the spec").isEqualTo(64);
            assertThat(ObjectSpec.assign(lock.object(), LockObject.class)).isEqualTo(lock);
        }
    }

    @Test
    void aMissingNameFailsBeforeLoadWithTheNamesThereAre() {
        assertThatThrownBy(() -> ObjectSpec.of("lock2pl").load(NoSuchMap.class)).isInstanceOf(BpfException.class)
                .hasMessageContaining("no map 'no_such_map'").hasMessageContaining("lock_table");
        assertThatThrownBy(() -> ObjectSpec.of("lock2pl").load(NotAHandle.class)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NotAHandle.name");
    }

    @Test
    void aFailedLoadClosesTheObject() {
        BpfObject[] seen = new BpfObject[1];
        assertThatThrownBy(() -> ObjectSpec.of("lock2pl").size(LockObject.TABLE, 64)
                .afterLoad(o -> {
                    seen[0] = o;
                    throw new IllegalStateException("planted");
                }).load(LockObject.class)).hasMessage("planted");
        assertThat(seen[0].toString()).contains("closed");
        assertThatThrownBy(() -> ObjectSpec.of("lock2pl").size(LockObject.TABLE, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("positive");
    }
}

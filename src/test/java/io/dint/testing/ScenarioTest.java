package io.dint.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Status;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Scenario tables read as written, and a line that does not read fails naming the scenario and the line. */
class ScenarioTest {
    private record Step(String description, int op, long id, long txn, int status, int[] stats, long[] numbers) {}

    private static Step step(Scenario.Row r) {
        String[] q = r.words(1, 3, 3);
        return new Step(r.description(), r.op(q[0]), r.id(q[1]), r.number(q[2]), r.status(r.cell(2)), r.stats(3),
                r.has(4) ? r.numbers(4) : null);
    }

    private static List<Step> read(String table) {
        return Scenario.table("planted", 5, table, ScenarioTest::step).with(9);
    }

    @Test
    void aTableReadsAsWritten() {
        List<Step> steps = read("""
            first  | lock_acquire_shared a 1  | GRANT | grant duplicate
            
            second | txn_read b 0x10          | OK    |                 | 0 -1 0x2a
            """);
        assertThat(steps).hasSize(2);
        Step s = steps.getFirst();
        assertThat(s.description()).isEqualTo("first");
        assertThat(s.op()).isEqualTo(Op.LOCK_ACQUIRE_SHARED);
        assertThat(s.id()).as("a").isEqualTo(5);
        assertThat(s.status()).isEqualTo(Status.GRANT);
        assertThat(s.stats()).containsExactly(Stat.GRANT, Stat.DUPLICATE);
        assertThat(s.numbers()).isNull();
        Step t = steps.getLast();
        assertThat(t.op()).isEqualTo(Op.TXN_READ);
        assertThat(t.id()).as("b").isEqualTo(9);
        assertThat(t.txn()).isEqualTo(16);
        assertThat(t.stats()).isEmpty();
        assertThat(t.numbers()).containsExactly(0, -1, 42);
    }

    @Test
    void aLineThatDoesNotReadFailsNamingIt() {
        assertThatThrownBy(() -> read("x | lock_grab a 1 | GRANT")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("scenario 'planted', line 'x | lock_grab a 1 | GRANT'").hasMessageContaining("no op named 'lock_grab'");
        assertThatThrownBy(() -> read("x | lock_acquire_shared a | GRANT")).hasMessageContaining("cell 1 has 2 words, not 3");
        assertThatThrownBy(() -> read("x | lock_acquire_shared a one | GRANT")).hasMessageContaining("'one' is not a number");
        assertThatThrownBy(() -> read("x | lock_acquire_shared a 1 | GRANTED")).hasMessageContaining("no status named 'GRANTED'");
        assertThatThrownBy(() -> read("x | lock_acquire_shared a 1 | GRANT | grants")).hasMessageContaining("no counter named 'grants'");
        assertThatThrownBy(() -> read("x | lock_acquire_shared a 1")).hasMessageContaining("no cell 2");
    }
}

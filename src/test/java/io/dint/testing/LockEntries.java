package io.dint.testing;

import io.dint.wire.Hash64;
import io.dint.wire.Wire;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The lock entries ({@code struct dint_lock_entry}) of a fixture's table, by the id whose entry
 * they are: the 2PL, OCC and shard programs keep the same entries, indexed by {@code hash(id) % size}.
 *
 * @param xdp the fixture whose object holds the table
 * @param map the table's array map
 */
public record LockEntries(XdpFixture xdp, String map) {

    /** The next id after {@code a} whose entry in a table of {@code size} is {@code a}'s (lock sharing). */
    public static long sharing(long a, int size) {
        long b = a + 1;
        while (Hash64.index(b, size) != Hash64.index(a, size)) {
            b++;
        }
        return b;
    }

    /** The table's entries, as loaded. */
    public int size() {
        return xdp.map(map).maxEntries();
    }

    /** The next id after {@code a} whose entry in this table is {@code a}'s. */
    public long sharing(long a) {
        return sharing(a, size());
    }

    /** A copy of the entry of {@code id}. */
    public MemorySegment of(long id) {
        return xdp.element(map, Hash64.index(id, size()));
    }

    /** {spin, shared, exclusive, holder} of the entry of {@code id}: what a 2PL fixture compares. */
    public long[] twoPhase(long id) {
        return fields(id, Wire.LOCK_ENTRY_SHARED);
    }

    /** {spin, version, exclusive, holder} of the entry of {@code id}: what an OCC fixture compares. */
    public long[] occ(long id) {
        return fields(id, Wire.LOCK_ENTRY_VERSION);
    }

    private long[] fields(long id, int second) {
        MemorySegment e = of(id);
        return new long[] {e.get(ValueLayout.JAVA_INT, Wire.LOCK_ENTRY_SPIN), e.get(ValueLayout.JAVA_INT, second),
            e.get(ValueLayout.JAVA_INT, Wire.LOCK_ENTRY_EXCLUSIVE), e.get(ValueLayout.JAVA_LONG, Wire.LOCK_ENTRY_HOLDER)};
    }

    /** Sets the entry's spin word, as a CPU holding it in the middle of an update would. */
    public void setSpin(long id, int spin) {
        xdp.updateElement(map, Hash64.index(id, size()), e -> e.set(ValueLayout.JAVA_INT, Wire.LOCK_ENTRY_SPIN, spin));
    }
}

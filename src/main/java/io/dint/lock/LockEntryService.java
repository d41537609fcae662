package io.dint.lock;

import static io.dint.wire.Wire.LOCK_ENTRY_SIZE;
import static io.dint.wire.Wire.LOCK_ENTRY_SPIN;

import io.dint.server.DatagramService;
import io.dint.server.Dedup;
import io.dint.server.SpinTable;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.function.Function;

/**
 * What the user-space lock services share — {@link LockTable} (2PL) and {@code OccTable}: their
 * entries, {@code struct dint_lock_entry} off-heap in the C layout, hashed and spin-locked as the
 * kernel's array map ({@link SpinTable}); the dedup window of requests answered ({@link Dedup});
 * the scan of the entries at quiescence, reported as the protocol's check. Each subclass is a
 * protocol: its {@link #serve} applies the lock rules ({@link LockRules}) its own way.
 *
 * @param <C> the protocol's check, made from the counts of a scan
 */
public abstract class LockEntryService<C extends LockEntryService.TableCheck> implements DatagramService, AutoCloseable {
    /** A protocol's report of a scan of its entries. */
    public interface TableCheck {
        /** True when no entry is held, spinning or inconsistent. */
        boolean allFree();

        /** The check as the control endpoint's {@code /check} reports it. */
        Map<String, Object> toMap();
    }

    protected final SpinTable table;
    /** The entries, as {@link SpinTable#entries()}. */
    protected final MemorySegment entries;
    protected final Dedup dedup = new Dedup();
    private final Function<LockEntryCounts, C> check;

    /**
     * @param what  the table's name, for messages
     * @param check the protocol's view of a scan
     */
    protected LockEntryService(String what, int size, Function<LockEntryCounts, C> check) {
        this.table = new SpinTable(what, size, LOCK_ENTRY_SIZE, LOCK_ENTRY_SPIN);
        this.entries = table.entries();
        this.check = check;
    }

    /** Entries in the table. */
    public final int size() {
        return table.size();
    }

    /** Scans every entry; meaningful at quiescence. */
    public final C scan() {
        return check.apply(LockEntryCounts.scan(entries, table.size()));
    }

    @Override
    public final Map<String, Object> check() {
        return scan().toMap();
    }

    @Override
    public void close() {
        table.close();
        dedup.close();
    }
}

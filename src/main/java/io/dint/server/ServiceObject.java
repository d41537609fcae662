package io.dint.server;

import io.dint.bpf.BpfObject;
import io.dint.bpf.BpfProgram;
import io.dint.bpf.ObjectSpec;
import io.dint.wire.Wire;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A loaded service object, typed: a record of its handles ({@link ObjectSpec#load}) that has at
 * least the object and its XDP program. Every service program also has the {@code stats} map
 * ({@link StatCounters}) and the {@code allowlist} ({@link Allowlist}), and reads its {@code
 * dint_cfg}, which {@link #spec} writes.
 */
public interface ServiceObject extends AutoCloseable {
    /** The loaded object. */
    BpfObject object();

    /** Its XDP program. */
    BpfProgram xdp();

    /** Closes the object: its maps and programs, unless pinned or attached. */
    @Override
    default void close() {
        object().close();
    }

    /**
     * The spec every service object starts from: the bundled object {@code name}, its {@code
     * dint_cfg} answering frames sent to {@code mac} (all zero: any frame, for test-run fixtures)
     * from the sources {@code allow} allows, with {@code table} the size of its main table in the
     * program's unit (lock entries, buckets or ring slots: {@code dint_config.table}), and the
     * allowlist filled once it is loaded.
     */
    static ObjectSpec spec(String name, byte[] mac, int table, Allowlist allow) {
        if (mac.length != 6) {
            throw new IllegalArgumentException("a MAC address has 6 bytes, got " + mac.length);
        }
        return ObjectSpec.of(name)
                .set("dint_cfg", Wire.CONFIG, cfg -> {
                    MemorySegment.copy(mac, 0, cfg, ValueLayout.JAVA_BYTE, Wire.CONFIG_MAC, 6);
                    cfg.set(ValueLayout.JAVA_INT, Wire.CONFIG_TABLE, table);
                    allow.configure(cfg);
                })
                .afterLoad(allow::fill);
    }
}

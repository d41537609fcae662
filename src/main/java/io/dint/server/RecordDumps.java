package io.dint.server;

import java.nio.file.Path;
import java.util.Map;

/**
 * A server whose records can be written out key by key at quiescence, for reconciling each key
 * with what committed transactions wrote (the end-of-run check compares only digests).
 */
public interface RecordDumps {
    /**
     * Writes the records the server holds to {@code records} and its commit log to {@code log} —
     * every record in log order when the log is durable, else each key's last logged write — in
     * {@code io.dint.shard.RecordFile} format; returns how many of each.
     */
    Map<String, Object> dumpRecords(Path records, Path log);

    /** {@code service}'s records, for a server that serves it; throws when it keeps none. */
    static Map<String, Object> of(Object service, Path records, Path log) {
        if (!(service instanceof RecordDumps d)) {
            throw new UnsupportedOperationException(service + " keeps no transaction records");
        }
        return d.dumpRecords(records, log);
    }
}

package io.dint.shard;

import io.dint.server.ForwardingServer;
import io.dint.server.RecordDumps;
import io.dint.server.ServiceServer;
import java.nio.file.Path;
import java.util.Map;

/**
 * A shard as a serve process runs it, with what the process adds around it: something closed
 * before it (the server of snapshots to its replicas) and something done after it (an xdp shard
 * started with {@code --pin} removes its pinned maps and records once it has stopped on request).
 */
final class ServedShard implements ForwardingServer, RecordDumps {
    private final ServiceServer shard;
    private final AutoCloseable before;
    private final Runnable after;

    ServedShard(ServiceServer shard, AutoCloseable before, Runnable after) {
        this.shard = shard;
        this.before = before;
        this.after = after;
    }




    @Override
    public ServiceServer inner() {
        return shard;
    }

    @Override
    public Map<String, Object> dumpRecords(Path records, Path log) {
        return RecordDumps.of(shard, records, log);
    }

    @Override
    public void close() {
        try {
            before.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing " + before + " failed", e);
        } finally {
            try {
                shard.close();
            } finally {
                after.run();
            }
        }
    }
}

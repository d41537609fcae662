package io.dint.cli;

import io.dint.server.RecordDumps;
import io.dint.server.ServiceServer;
import io.dint.shard.ShardXdpServer;
import java.nio.file.Path;
import java.util.Map;

/**
 * An xdp shard started with {@code --pin}: its maps, XDP link and records outlive a killed
 * process; stopped on request, it removes them, so that nothing is left for a successor.
 */
final class PinnedXdpShard implements ServiceServer, RecordDumps {
    private final ShardXdpServer shard;
    private final Runnable removePinned;

    PinnedXdpShard(ShardXdpServer shard, Runnable removePinned) {
        this.shard = shard;
        this.removePinned = removePinned;
    }

    @Override
    public Map<String, Object> stats() {
        return shard.stats();
    }

    @Override
    public Map<String, Object> check() {
        return shard.check();
    }

    @Override
    public Map<String, Object> dumpRecords(Path records, Path log) {
        return shard.dumpRecords(records, log);
    }

    @Override
    public void close() {
        try {
            shard.close();
        } finally {
            removePinned.run();
        }
    }
}

package io.dint.cli;

import io.dint.server.RecordDumps;
import io.dint.server.ServiceServer;
import io.dint.shard.ShardSnapshots;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** A shard with replicas: it serves snapshots of its records to a replica that recovers (README, "Recovery"). */
final class ReplicaShard implements ServiceServer, RecordDumps {
    private final ServiceServer shard;
    private final ShardSnapshots snapshots;

    ReplicaShard(ServiceServer shard, ShardSnapshots snapshots) {
        this.shard = shard;
        this.snapshots = snapshots;
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
        if (!(shard instanceof RecordDumps d)) {
            throw new UnsupportedOperationException(shard + " keeps no transaction records");
        }
        return new LinkedHashMap<>(d.dumpRecords(records, log));
    }

    @Override
    public void close() {
        snapshots.close();
        shard.close();
    }
}

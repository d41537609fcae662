package io.dint.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bpf.BpfMap;
import io.dint.bpf.BpfObject;
import io.dint.bpf.ObjectSpec;
import io.dint.lock.LockEntryCounts;
import io.dint.lock.LockTableCheck;
import io.dint.server.StatCounters;
import io.dint.shard.ShardLog;
import io.dint.shard.ShardObject;
import io.dint.shard.ShardSlowPath;
import io.dint.shard.ShardStore;
import io.dint.shard.ShardXdpServer;
import io.dint.testing.CacheInvariants;
import io.dint.testing.Fuzz;
import io.dint.testing.ServiceProgram;
import io.dint.wire.Header;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The shard: its slow path, and its own rules on each reply ({@link ServiceProgram#shardReplyFault}).
 * After every batch every lock's lease is made to have run out, so that conflicting requests
 * take over locks whose holder never logged and keep those of one that did; LOGs name the
 * epoch now, none or one left; the third batch runs in a grace period.
 */
final class ShardTwin extends Twin {
    private static final int GRACE_BATCH = 3;
    final ShardStore store = new ShardStore(1024, new ShardLog(1024));
    final ShardSlowPath slow = new ShardSlowPath(store, ServiceProgram.SHARD_BUCKETS);
    private final Set<List<Long>> ids = new HashSet<>();
    private BpfObject obj;
    private ShardObject shard;
    private boolean grace;

    @Override
    void attach(BpfObject obj) {
        this.obj = obj;
        this.shard = ObjectSpec.assign(obj, ShardObject.class);
    }

    @Override
    byte[] adjust(byte[] request, SplittableRandom rnd) {
        int op = request[Wire.HDR_OP] & 0xff;
        if (op == Op.TXN_COMMIT_LOG || op == Op.TXN_INSERT_LOG || op == Op.TXN_DELETE_LOG) {
            int epoch = shard.epoch();
            int[] epochs = {0, epoch, epoch - 1};
            Header.setReserved(MemorySegment.ofArray(request), epochs[rnd.nextInt(epochs.length)]);
        }
        return request;
    }

    @Override
    void compare(byte[] request, byte[] kernel, String what) {
        MemorySegment q = MemorySegment.ofArray(request);
        boolean seen = !ids.add(List.of((long) Header.clientId(q), Header.seq(q)));
        assertThat(ServiceProgram.shardReplyFault(request, kernel, shard.epoch(), grace, seen)).as(what).isNull();
    }

    @Override
    void batchDone(int batch) {
        BpfMap locks = shard.locks();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment e = a.allocate(Wire.LOCK_ENTRY_SIZE, 8);
            long past = System.nanoTime() - 2L * ServiceProgram.SHARD_LOCK_LEASE_MS * 1_000_000;
            for (int i = 0; i < locks.maxEntries(); i++) {
                locks.lookup(i, e);
                e.set(ValueLayout.JAVA_LONG, Wire.LOCK_ENTRY_GRANTED_NS, past);
                locks.update(i, e);
            }
        }
        grace = batch + 1 == GRACE_BATCH;
        shard.setEpoch(shard.epoch(), grace ? Long.MAX_VALUE : 0);
    }

    @Override
    void finish() {
        StatCounters stats = StatCounters.read(obj);
        assertThat(stats.get(Stat.TXN_LOCK_TAKEOVER)).as("locks taken over").isPositive();
        assertThat(stats.get(Stat.TXN_STALE)).as("LOGs of a left epoch refused").isPositive();
        if (Fuzz.frames() > GRACE_BATCH * BATCH) {
            assertThat(stats.get(Stat.TXN_GRACE)).as("reads and locks in the grace period").isPositive();
        }
    }

    @Override
    byte[] slowPath(byte[] up) {
        return serve(slow, up);
    }

    @Override
    void checkInvariants(BpfObject obj, int ok, String when) {
        assertThat(CacheInvariants.violations(shard.cache(), ServiceProgram.SHARD_BUCKETS)).as(when).isEmpty();
        LockTableCheck k = LockTableCheck.of(LockEntryCounts.scan(shard.locks()));
        assertThat(k.spinning()).as("spinning lock entries %s", when).isZero();
        assertThat(k.inconsistent()).as("inconsistent lock entries %s", when).isZero();
        Map<String, Object> check = ShardXdpServer.check(shard, store);
        assertThat(check).as(when).containsEntry("locked_buckets", 0L).containsEntry("write_back_failed", 0L);
    }

    @Override
    public void close() {
        slow.close();
        super.close();
    }
}

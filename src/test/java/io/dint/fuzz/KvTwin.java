package io.dint.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bpf.BpfObject;
import io.dint.bpf.ObjectSpec;
import io.dint.kv.KvObject;
import io.dint.kv.KvService;
import io.dint.kv.KvSlowPath;
import io.dint.kv.KvStore;
import io.dint.testing.CacheInvariants;
import io.dint.testing.ServiceProgram;
import io.dint.wire.Stat;
import java.util.Map;

/**
 * The KV cache: its slow path, and {@link KvService} (the udp backend's store) as its twin; after
 * every batch the cache's invariants hold and the cache agrees with the slow path's store.
 */
final class KvTwin extends Twin {
    final KvStore store = new KvStore(ServiceProgram.KV_BUCKETS);
    final KvSlowPath slow = new KvSlowPath(store, 0);
    final KvService twin = new KvService(new KvStore(ServiceProgram.KV_BUCKETS));
    final long[] slowStats = new long[Stat.MAX];

    @Override
    void compare(byte[] request, byte[] kernel, String what) {
        assertThat(serve(twin, request)).as("KvService's reply: %s", what).isEqualTo(kernel);
    }

    @Override
    byte[] slowPath(byte[] up) {
        return serve(slow, up);
    }

    @Override
    void checkInvariants(BpfObject obj, int ok, String when) {
        assertThat(CacheInvariants.violations(obj.map(KvObject.CACHE), ServiceProgram.KV_BUCKETS)).as(when).isEmpty();
        Map<String, Object> check = ObjectSpec.assign(obj, KvObject.class).check(store);
        assertThat(check).as("cache against store %s", when).containsEntry("ok", true);
    }

    @Override
    public void close() {
        slow.close();
        twin.close();
        super.close();
    }
}

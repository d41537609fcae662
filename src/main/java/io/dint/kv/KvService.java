package io.dint.kv;

import io.dint.server.DatagramService;
import io.dint.wire.Header;
import io.dint.wire.KvMessage;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Status;
import io.dint.wire.Wire;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The KV store served entirely in Java (the {@code udp} backend): the same requests, replies and
 * checks as the XDP backend's fast path and slow path together, without a cache.
 */
public final class KvService implements DatagramService, AutoCloseable {
    private final KvStore store;

    /** Serves {@code store}, which it closes when it is closed. */
    public KvService(KvStore store) {
        this.store = store;
    }

    @Override
    public int serve(MemorySegment buf, int len, long[] stats) {
        int op = checkRequest(buf, len, KvMessage.SIZE, stats);
        if (op < 0) {
            return -1;
        }
        int bucket = store.bucketOf(KvMessage.key(buf));
        int status;
        store.lock(bucket);
        try {
            status = store.apply(bucket, op, buf, KvMessage.OBJ);
        } finally {
            store.unlock(bucket);
        }
        Header.setStatus(buf, status);
        stats[Stat.TX]++;
        return len;
    }

    /**
     * Checks a request of {@code size} bytes as the XDP program does, counting what it drops;
     * returns its opcode, or -1 to drop it.
     */
    static int checkRequest(MemorySegment buf, int len, int size, long[] stats) {
        stats[Stat.RX]++;
        if (len > Wire.MAX_PAYLOAD || len > size) {
            stats[Stat.DROP_BAD_LENGTH]++;
            return -1;
        }
        if (len < size) {
            stats[Stat.DROP_TRUNCATED]++;
            return -1;
        }
        int op = Header.op(buf);
        if (Header.status(buf) != Status.REQUEST || op < Op.KV_GET || op > Op.KV_DELETE) {
            stats[Stat.DROP_BAD_OP]++;
            return -1;
        }
        return op;
    }

    static Map<String, Object> describe(KvStore store) {
        Map<String, Object> m = new LinkedHashMap<>();
        long keys = store.size();
        m.put("keys", keys);
        m.put("buckets", store.buckets());
        m.put("store_bytes", store.bytesUsed());
        m.put("store_bytes_per_key", keys == 0 ? 0 : (double) store.bytesUsed() / keys);
        return m;
    }

    @Override
    public Map<String, Object> check() {
        Map<String, Object> m = describe(store);
        m.put("ok", true);
        return m;
    }

    @Override
    public void close() {
        store.close();
    }
}

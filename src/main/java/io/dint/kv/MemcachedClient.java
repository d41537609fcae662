package io.dint.kv;

import io.dint.client.ClientStats;
import io.dint.client.Transport;
import io.dint.wire.Op;
import java.lang.foreign.MemorySegment;

/**
 * {@link KvClient}'s twin for the memcached baseline: the same trace, keys, values and
 * concurrency, in memcached's UDP protocol ({@link MemcachedProtocol}). A request id names its
 * slot ({@code id % inflight}) and the slot's generation, so a late reply to an earlier request
 * of the slot is told apart. memcached's {@code set} stores whether or not the key exists; with
 * every key present, as in {@code bench kv}, that is the KV store's SET.
 */
public final class MemcachedClient extends KvTraceClient {
    private final int generations;
    private final int[] id;
    private final long[] salt;
    private long counter;

    public MemcachedClient(Transport transport, ClientStats stats, KvTrace trace, int serverAddr, int inflight,
                           int traceOffset, long timeoutNanos, long requestLimit) {
        super(transport, stats, trace, serverAddr, MemcachedProtocol.PORT, inflight, traceOffset, timeoutNanos, requestLimit);
        this.generations = 65_536 / inflight;
        this.id = new int[inflight];
        this.salt = new long[inflight];
    }

    @Override
    protected void name(int s) {
        counter++;
        id[s] = (int) (counter % generations) * inflight() + s;
        salt[s] = counter;
    }

    @Override
    protected int encode(int s, MemorySegment b) {
        int i = request(s);
        return trace.op(i) == Op.KV_SET
                ? MemcachedProtocol.encodeSet(b, id[s], trace.key(i), salt[s])
                : MemcachedProtocol.encodeGet(b, id[s], trace.key(i));
    }

    @Override
    protected int match(MemorySegment b, int len) {
        if (len < MemcachedProtocol.FRAME) {
            return -1;
        }
        int rid = MemcachedProtocol.requestId(b);
        int s = rid % inflight();
        return id[s] == rid ? s : -1;
    }

    @Override
    protected void onReply(int s, MemorySegment b, int len, long now) {
        int kind = MemcachedProtocol.kind(b, len);
        int i = request(s);
        complete(s, now, trace.op(i) == Op.KV_SET ? kind == MemcachedProtocol.STORED_OK
                : kind == MemcachedProtocol.MISS
                || (kind == MemcachedProtocol.HIT && MemcachedProtocol.hitValueWord(b, len) == trace.key(i)));
    }
}

package io.dint.kv;

import io.dint.client.ClientStats;
import io.dint.client.Transport;
import io.dint.wire.Header;
import io.dint.wire.KvMessage;
import io.dint.wire.Op;
import io.dint.wire.Status;
import java.lang.foreign.MemorySegment;

/**
 * Sends the requests of a {@link KvTrace} to one KV server, {@code inflight} outstanding at once
 * over one {@link Transport}. RETRY and timeouts resend the same request. A SET writes a value
 * that names its key (see {@link KvDataSet#value}); a GET whose value does not name the key asked
 * for is counted a protocol error. Allocation-free per request.
 */
public final class KvClient extends KvTraceClient {
    private final int clientId;
    private final long[] seq;
    private long seqCounter;

    /**
     * @param requestLimit requests to complete before stopping on its own, 0 for no limit
     */
    public KvClient(Transport transport, ClientStats stats, KvTrace trace, int clientId, int serverAddr, int serverPort,
                    int inflight, int traceOffset, long timeoutNanos, long requestLimit) {
        super(transport, stats, trace, serverAddr, serverPort, inflight, traceOffset, timeoutNanos, requestLimit);
        this.clientId = clientId;
        this.seq = new long[inflight];
    }

    @Override
    protected void name(int s) {
        seq[s] = (++seqCounter << 16) | s;
    }

    @Override
    protected int encode(int s, MemorySegment b) {
        int i = request(s);
        long key = trace.key(i);
        KvMessage.encodeRequest(b, trace.op(i), clientId, seq[s], key);
        if (trace.op(i) == Op.KV_SET) {
            KvDataSet.value(key, seq[s], b, KvMessage.VALUE);
        }
        return KvMessage.SIZE;
    }

    @Override
    protected int match(MemorySegment b, int len) {
        return slotBySeq(b, len, KvMessage.SIZE, clientId, seq);
    }

    @Override
    protected void onReply(int s, MemorySegment b, int len, long now) {
        int status = Header.status(b);
        if (status == Status.RETRY) {
            stats.add(ClientStats.RETRIES, 1);
            queue(s);
            return;
        }
        boolean known = status == Status.KV_OK || status == Status.KV_NOT_EXIST;
        complete(s, now, known && !(status == Status.KV_OK && Header.op(b) == Op.KV_GET
                && KvMessage.valueWord(b) != KvMessage.key(b)));
    }
}

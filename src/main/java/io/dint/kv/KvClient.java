package io.dint.kv;

import io.dint.client.ClientStats;
import io.dint.client.InflightLoop;
import io.dint.client.Transport;
import io.dint.wire.Header;
import io.dint.wire.KvMessage;
import io.dint.wire.Op;
import io.dint.wire.Status;
import java.lang.foreign.MemorySegment;

/**
 * Sends the requests of a {@link KvTrace} to one KV server, {@code inflight} outstanding at once
 * over one {@link Transport}; each request counts as a "transaction" of one request. RETRY and
 * timeouts resend the same request. A SET writes a value that names its key (see
 * {@link KvDataSet#value}); a GET whose value does not name the key asked for is counted a
 * protocol error. Allocation-free per request.
 */
public final class KvClient extends InflightLoop {
    private final KvTrace trace;
    private final int clientId;
    private final long requestLimit;

    private final int[] request;   // trace index of the slot's request
    private final long[] seq;
    private final long[] startedAt;

    private int next;
    private long seqCounter;
    private long started;

    /**
     * @param requestLimit requests to complete before stopping on its own, 0 for no limit
     */
    public KvClient(Transport transport, ClientStats stats, KvTrace trace, int clientId, int serverAddr, int serverPort,
                    int inflight, int traceOffset, long timeoutNanos, long requestLimit) {
        super(transport, stats, serverAddr, serverPort, inflight, timeoutNanos);
        this.trace = trace;
        this.clientId = clientId;
        this.requestLimit = requestLimit;
        this.request = new int[inflight];
        this.seq = new long[inflight];
        this.startedAt = new long[inflight];
        this.next = Math.floorMod(traceOffset, trace.length());
    }

    @Override
    protected void begin(int s, long now) {
        if (stopping() || (requestLimit > 0 && started >= requestLimit)) {
            retire(s);
            return;
        }
        started++;
        request[s] = next;
        next = next + 1 == trace.length() ? 0 : next + 1;
        startedAt[s] = now;
        seq[s] = (++seqCounter << 16) | s;
        send(s);
    }

    @Override
    protected int encode(int s, MemorySegment b) {
        int i = request[s];
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
            send(s);
            return;
        }
        boolean known = status == Status.KV_OK || status == Status.KV_NOT_EXIST;
        if (!known || (status == Status.KV_OK && Header.op(b) == Op.KV_GET && KvMessage.valueWord(b) != KvMessage.key(b))) {
            stats.add(ClientStats.PROTOCOL_ERRORS, 1);
        }
        stats.add(ClientStats.COMMITTED, 1);
        stats.add(ClientStats.GOOD_REQUESTS, 1);
        stats.recordTxn(now - startedAt[s]);
        begin(s, now);
    }
}

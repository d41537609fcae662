package io.dint.kv;

import io.dint.client.ClientStats;
import io.dint.client.LoadLoop;
import io.dint.client.Transport;
import io.dint.wire.Header;
import io.dint.wire.KvMessage;
import io.dint.wire.Op;
import io.dint.wire.Status;
import java.lang.foreign.MemorySegment;

/**
 * Sends the requests of a {@link KvTrace} to one KV server, {@code inflight} outstanding at once
 * over one {@link Transport}; each request is a "transaction" of one request in the counters.
 * RETRY and timeouts resend the same request; a SET writes a value that names its key (see
 * {@link KvDataSet#value}), and a GET's value that does not name the key asked for is counted a
 * protocol error. Allocation-free per request: all state is in arrays indexed by slot.
 */
public final class KvClient implements LoadLoop {
    private final Transport transport;
    private final ClientStats stats;
    private final KvTrace trace;
    private final int clientId;
    private final int serverAddr;
    private final int serverPort;
    private final long timeoutNanos;
    private final long requestLimit;

    private final int[] request;   // trace index of the slot's request
    private final long[] seq;
    private final long[] sentAt;
    private final long[] startedAt;
    private final boolean[] pending;
    private final boolean[] idle;

    private int next;
    private long seqCounter;
    private long started;
    private volatile boolean stopping;

    /**
     * @param requestLimit requests to complete before stopping on its own, 0 for no limit
     */
    public KvClient(Transport transport, ClientStats stats, KvTrace trace, int clientId, int serverAddr, int serverPort,
                    int inflight, int traceOffset, long timeoutNanos, long requestLimit) {
        if (inflight <= 0 || inflight > 65_536) {
            throw new IllegalArgumentException("in-flight requests must be in 1..65536, got " + inflight);
        }
        this.transport = transport;
        this.stats = stats;
        this.trace = trace;
        this.clientId = clientId;
        this.serverAddr = serverAddr;
        this.serverPort = serverPort;
        this.timeoutNanos = timeoutNanos;
        this.requestLimit = requestLimit;
        this.request = new int[inflight];
        this.seq = new long[inflight];
        this.sentAt = new long[inflight];
        this.startedAt = new long[inflight];
        this.pending = new boolean[inflight];
        this.idle = new boolean[inflight];
        this.next = Math.floorMod(traceOffset, trace.length());
    }

    @Override
    public void stop() {
        stopping = true;
    }

    @Override
    public void run() {
        long now = System.nanoTime();
        for (int s = 0; s < request.length; s++) {
            start(s, now);
        }
        int active = request.length;
        while (active > 0) {
            now = System.nanoTime();
            sendPending(now);
            int n = transport.poll(1);
            now = System.nanoTime();
            for (int i = 0; i < n; i++) {
                onReply(transport.rxBuffer(i), transport.rxLength(i), now);
            }
            active = 0;
            for (int s = 0; s < request.length; s++) {
                if (idle[s]) {
                    continue;
                }
                active++;
                if (!pending[s] && now - sentAt[s] > timeoutNanos) {
                    stats.add(ClientStats.TIMEOUTS, 1);
                    pending[s] = true;
                }
            }
        }
    }

    private void start(int s, long now) {
        if (stopping || (requestLimit > 0 && started >= requestLimit)) {
            idle[s] = true;
            pending[s] = false;
            return;
        }
        started++;
        request[s] = next;
        next = next + 1 == trace.length() ? 0 : next + 1;
        startedAt[s] = now;
        seq[s] = (++seqCounter << 16) | s;
        pending[s] = true;
    }

    private void sendPending(long now) {
        int cap = transport.capacity();
        int n = 0;
        for (int s = 0; s < request.length; s++) {
            if (!pending[s]) {
                continue;
            }
            if (n == cap) {
                n = flush(n);
            }
            MemorySegment b = transport.txBuffer(n);
            int i = request[s];
            long key = trace.key(i);
            KvMessage.encodeRequest(b, trace.op(i), clientId, seq[s], key);
            if (trace.op(i) == Op.KV_SET) {
                KvDataSet.value(key, seq[s], b, KvMessage.VALUE);
            }
            transport.setTx(n, KvMessage.SIZE, serverAddr, serverPort);
            pending[s] = false;
            sentAt[s] = now;
            n++;
        }
        flush(n);
    }

    private int flush(int n) {
        if (n > 0) {
            stats.add(ClientStats.REQUESTS, transport.flush(n));
        }
        return 0;
    }

    private void onReply(MemorySegment b, int len, long now) {
        if (len != KvMessage.SIZE || Header.clientId(b) != clientId) {
            stats.add(ClientStats.STALE, 1);
            return;
        }
        long q = Header.seq(b);
        int s = (int) (q & 0xffff);
        if (s >= request.length || idle[s] || seq[s] != q) {
            stats.add(ClientStats.STALE, 1);
            return;
        }
        pending[s] = false;
        stats.add(ClientStats.REPLIES, 1);
        stats.recordRequest(now - sentAt[s]);
        int status = Header.status(b);
        if (status == Status.RETRY) {
            stats.add(ClientStats.RETRIES, 1);
            pending[s] = true;
            return;
        }
        boolean ok = status == Status.KV_OK || status == Status.KV_NOT_EXIST;
        if (!ok || (status == Status.KV_OK && Header.op(b) == Op.KV_GET && KvMessage.valueWord(b) != KvMessage.key(b))) {
            stats.add(ClientStats.PROTOCOL_ERRORS, 1);
        }
        stats.add(ClientStats.COMMITTED, 1);
        stats.add(ClientStats.GOOD_REQUESTS, 1);
        stats.recordTxn(now - startedAt[s]);
        start(s, now);
    }
}

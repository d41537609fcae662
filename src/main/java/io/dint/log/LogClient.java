package io.dint.log;

import io.dint.client.ClientStats;
import io.dint.client.PipelinedClient;
import io.dint.client.Transport;
import io.dint.wire.Header;
import io.dint.wire.LogMessage;
import io.dint.wire.Status;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/**
 * Appends commit-log records — the paper's log microbenchmark: 56-byte records {key, version,
 * 40-byte value}, keys drawn uniformly — keeping {@code inflight} appends outstanding; each append
 * counts as one transaction, committed by its ACK. RETRY (a full ring) and timeouts resend the
 * same request, so an append may be logged twice under one request id; replay recognises it.
 * A record's value is {@link #valueWord} of its key and version, so a log can be checked against
 * what was ACKed. Allocation-free per request.
 */
public final class LogClient extends PipelinedClient {
    /** Told of every ACK: the request id and what it appended. */
    public interface Acks {
        void acked(int clientId, long seq, long key, long version);
    }

    private final long keys;
    private final SplittableRandom rnd;
    private final Acks acks;
    private final long[] key;
    private final long[] version;
    private long versions;

    /** @param acks told of every ACK; null when nobody needs to know */
    public LogClient(Transport transport, ClientStats stats, int clientId, int serverAddr, int serverPort, int inflight,
                     long keys, long seed, long timeoutNanos, long txnLimit, Acks acks) {
        super(transport, stats, clientId, serverAddr, serverPort, inflight, timeoutNanos, txnLimit, LogMessage.SIZE);
        if (keys <= 0) {
            throw new IllegalArgumentException("keys must be positive, got " + keys);
        }
        this.keys = keys;
        this.rnd = new SplittableRandom(seed);
        this.acks = acks;
        this.key = new long[inflight];
        this.version = new long[inflight];
    }

    /** Word {@code i} of the value logged for {@code key} at {@code version}. */
    public static long valueWord(long key, long version, int i) {
        return key * 0x9e3779b97f4a7c15L ^ version << 8 ^ i;
    }

    @Override
    protected void nextTransaction(int s) {
        key[s] = rnd.nextLong(keys);
        version[s] = ++versions;
    }

    @Override
    protected void beginAttempt(int s) {
        send(s);
    }

    @Override
    protected void encode(MemorySegment b, int s, long seq) {
        LogMessage.encodeRequest(b, clientId, seq, key[s], version[s]);
        for (int i = 0; i < LogMessage.VALUE_WORDS; i++) {
            LogMessage.setValueWord(b, i, valueWord(key[s], version[s], i));
        }
    }

    @Override
    protected void onStatus(int s, MemorySegment b, int status, long now) {
        if (status == Status.OK) {
            if (acks != null) {
                acks.acked(clientId, Header.seq(b), key[s], version[s]);
            }
            commit(s, now);
        } else if (status == Status.RETRY) {
            stats.add(ClientStats.RETRIES, 1);
            resend(s);
        } else {
            stats.add(ClientStats.PROTOCOL_ERRORS, 1);
            resend(s);
        }
    }
}

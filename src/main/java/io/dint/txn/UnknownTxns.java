package io.dint.txn;

import io.dint.check.History;
import io.dint.wire.RecordDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * Transactions whose outcome their coordinator could not learn: it gave up on their LOG phase
 * after its bounded retries, so some replicas may have logged their writes and others not. By the
 * commit protocol such a transaction is committed exactly when every replica logged every one of
 * its writes; the coordinator cannot tell, so it counts it as unknown and keeps what it read and
 * would have written here, for whoever can look at the replicas' logs to decide
 * ({@link #resolve}). Never guessed: until resolved it is neither committed nor aborted.
 *
 * <p>A {@link TxnListener} of the coordinators whose retries are bounded. Thread-confined like
 * the history; rare, so a record per transaction is allocated.
 */
public final class UnknownTxns implements TxnListener {
    /** One transaction of unknown outcome: its reads and the writes it sent to LOG. */
    public record Txn(long id, long[] readKeys, int[] readVersions, long[] readDigests,
                      long[] writeKeys, int[] writeVersions, boolean[] writeExists, long[] writeDigests, long[] writeTerms) {
        /** Writes the transaction logged (or tried to). */
        public int writes() {
            return writeKeys.length;
        }

        /** What the transaction in {@code c} read and would write, under its id. */
        static Txn of(long id, TxnContext c) {
            long[] rk = new long[c.accesses], rd = new long[c.accesses];
            int[] rv = new int[c.accesses];
            for (int a = 0; a < c.accesses; a++) {
                rk[a] = c.key[a];
                rv[a] = c.version[a];
                rd[a] = History.digest(c.values, (long) a * TxnContext.VALUE, TxnContext.VALUE, c.exists(a));
            }
            long[] wk = new long[c.writes], wd = new long[c.writes], wt = new long[c.writes];
            int[] wv = new int[c.writes];
            boolean[] we = new boolean[c.writes];
            for (int w = 0; w < c.writes; w++) {
                wk[w] = c.writeKey[w];
                wv[w] = c.writeVersion[w];
                we[w] = c.writeKind[w] != TxnContext.DELETE;
                wd[w] = History.digest(c.writeValues, (long) w * TxnContext.VALUE, TxnContext.VALUE, we[w]);
                wt[w] = RecordDigest.term(wk[w], wv[w], we[w], c.writeValues, (long) w * TxnContext.VALUE);
            }
            return new Txn(id, rk, rv, rd, wk, wv, we, wd, wt);
        }
    }

    private final List<Txn> txns = new ArrayList<>();
    private final List<Txn> abortedAfterLog = new ArrayList<>();

    /** Keeps a transaction whose LOG phase its coordinator gave up. */
    @Override
    public void unknown(long txnId, TxnContext ctx) {
        txns.add(Txn.of(txnId, ctx));
    }

    /**
     * An attempt that aborted after some replicas logged its writes (another refused: STALE). It
     * never committed and is recorded as aborted; the records the others logged are kept here so
     * that the logs can be reconciled.
     */
    @Override
    public void refusedLog(long txnId, TxnContext ctx) {
        abortedAfterLog.add(Txn.of(txnId, ctx));
    }

    /** Adds every transaction of {@code other}. */
    public void addAll(UnknownTxns other) {
        txns.addAll(other.txns);
        abortedAfterLog.addAll(other.abortedAfterLog);
    }

    /** Transactions of unknown outcome. */
    public List<Txn> txns() {
        return List.copyOf(txns);
    }

    /** Attempts known not committed whose writes some replicas logged. */
    public List<Txn> abortedAfterLog() {
        return List.copyOf(abortedAfterLog);
    }

    public int size() {
        return txns.size();
    }

    /**
     * Records a resolved transaction: committed, in the history (its reads and writes, as a
     * committed one is recorded) and in the committed state; not committed, in the history as an
     * aborted attempt (its writes were never installed, and a read of one is an aborted read).
     */
    public static void resolve(Txn t, boolean committed, History history, CommittedState state) {
        history.begin(t.id());
        if (committed) {
            for (int r = 0; r < t.readKeys().length; r++) {
                history.read(t.readKeys()[r], Integer.toUnsignedLong(t.readVersions()[r]), t.readDigests()[r]);
            }
        }
        for (int w = 0; w < t.writes(); w++) {
            history.write(t.writeKeys()[w], Integer.toUnsignedLong(t.writeVersions()[w]), t.writeDigests()[w]);
            if (committed && state != null) {
                state.put(t.writeKeys()[w], t.writeVersions()[w], t.writeTerms()[w], t.id());
            }
        }
        if (committed) {
            history.commit();
        } else {
            history.abort();
        }
    }
}

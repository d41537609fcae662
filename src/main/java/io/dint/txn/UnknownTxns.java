package io.dint.txn;

import io.dint.check.History;
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
 * <p>Thread-confined like the history; rare, so a record per transaction is allocated.
 */
public final class UnknownTxns {
    /** One transaction of unknown outcome: its reads and the writes it sent to LOG. */
    public record Txn(long id, long[] readKeys, int[] readVersions, long[] readDigests,
                      long[] writeKeys, int[] writeVersions, boolean[] writeExists, long[] writeDigests, long[] writeTerms) {
        /** Writes the transaction logged (or tried to). */
        public int writes() {
            return writeKeys.length;
        }
    }

    private final List<Txn> txns = new ArrayList<>();
    private final List<Txn> abortedAfterLog = new ArrayList<>();

    void add(Txn t) {
        txns.add(t);
    }

    /**
     * An attempt that aborted after some replicas logged its writes (another refused: STALE). It
     * never committed and is recorded as aborted; the records the others logged are kept here so
     * that the logs can be reconciled.
     */
    void addAborted(Txn t) {
        abortedAfterLog.add(t);
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

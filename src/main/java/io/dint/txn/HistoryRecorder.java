package io.dint.txn;

import io.dint.check.History;

/**
 * Records what a coordinator's transactions did in a {@link History} for the serializability
 * check: a committed transaction's reads (versions and value digests as the servers returned them)
 * and its writes at the versions the primaries confirmed, not versions the client computed; of an
 * attempt that did not commit, the writes it would have made, if any, so that a read of one shows
 * as an aborted read. Thread-confined, like the history.
 */
public final class HistoryRecorder implements TxnListener {
    private final History history;

    public HistoryRecorder(History history) {
        this.history = history;
    }

    @Override
    public void committed(long txnId, int type, TxnContext c) {
        history.begin(txnId);
        for (int a = 0; a < c.accesses; a++) {
            history.read(c.key[a], Integer.toUnsignedLong(c.version[a]),
                    History.digest(c.values, (long) a * TxnContext.VALUE, TxnContext.VALUE, c.exists(a)));
        }
        writes(c, true);
        history.commit();
    }

    @Override
    public void rolledBack(long txnId, int type, TxnContext c) {
        aborted(txnId, c);
    }

    @Override
    public void aborted(long txnId, TxnContext c) {
        if (c.writes == 0) {
            return;
        }
        history.begin(txnId);
        writes(c, false);
        history.abort();
    }

    private void writes(TxnContext c, boolean committed) {
        for (int w = 0; w < c.writes; w++) {
            int version = committed ? c.confirmed[w] : c.writeVersion[w];
            history.write(c.writeKey[w], Integer.toUnsignedLong(version), History.digest(c.writeValues,
                    (long) w * TxnContext.VALUE, TxnContext.VALUE, c.writeKind[w] != TxnContext.DELETE));
        }
    }
}

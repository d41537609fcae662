package io.dint.shard;

import io.dint.lock.LockRules;
import io.dint.wire.Header;
import io.dint.wire.Op;
import io.dint.wire.Status;
import io.dint.wire.TxnMessage;
import java.lang.foreign.MemorySegment;

/**
 * What a shard request is, by its op: a read, a lock, a release, a log append, an install (of a
 * commit, an insert or a delete), and what no shard answers. Both Java shards' servers
 * ({@link ShardStore}, {@link ShardSlowPath}) sort requests with it.
 */
final class ShardOps {
    private ShardOps() {}

    /** Not a shard request: a reply, an op of another service, key 0 (never a key) or an install of version 0. */
    static boolean malformed(MemorySegment buf, int op, long key) {
        return Header.status(buf) != Status.REQUEST || op < Op.TXN_READ || op > Op.TXN_DELETE_PRIMARY || key == 0
                || !LockRules.txnOk(TxnMessage.txnId(buf)) || (isInstall(op) && TxnMessage.version(buf) == 0);
    }

    /** A read: the record, unlocked (TXN_READ, and OCC's TXN_VALIDATE). */
    static boolean isRead(int op) {
        return op == Op.TXN_READ || op == Op.TXN_VALIDATE;
    }

    /** A backup's or a primary's install of a commit, an insert or a delete. */
    static boolean isInstall(int op) {
        return op == Op.TXN_COMMIT_BACKUP || op == Op.TXN_COMMIT_PRIMARY || op == Op.TXN_INSERT_BACKUP
                || op == Op.TXN_INSERT_PRIMARY || op == Op.TXN_DELETE_BACKUP || op == Op.TXN_DELETE_PRIMARY;
    }

    /** A commit-log append. */
    static boolean isLog(int op) {
        return op == Op.TXN_COMMIT_LOG || op == Op.TXN_INSERT_LOG || op == Op.TXN_DELETE_LOG;
    }

    /** A 2PL lock, shared or exclusive, or OCC's lock. */
    static boolean isLock(int op) {
        return op == Op.TXN_LOCK_SHARED || op == Op.TXN_LOCK_EXCLUSIVE || op == Op.TXN_OCC_LOCK;
    }

    /** A 2PL release, or OCC's abort (which releases its lock). */
    static boolean isRelease(int op) {
        return op == Op.TXN_RELEASE_SHARED || op == Op.TXN_RELEASE_EXCLUSIVE || op == Op.TXN_OCC_ABORT;
    }

    /** An install that deletes the record. */
    static boolean isDelete(int op) {
        return op == Op.TXN_DELETE_BACKUP || op == Op.TXN_DELETE_PRIMARY;
    }
}

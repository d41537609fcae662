package io.dint.txn;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import io.dint.wire.TxnMessage;
import io.dint.wire.Wire;
import io.dint.wire.Zeros;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One transaction's accesses as its {@link TxnLogic} sees them: the records it asked for in each
 * round (their values, versions, existence once the round completes) and the writes it decided.
 * Reused from transaction to transaction: fixed arrays, values in one off-heap block, nothing
 * allocated per transaction.
 */
public final class TxnContext {
    public static final int MAX_ACCESSES = 16;
    public static final int MAX_WRITES = 8;
    static final int VALUE = Wire.TXN_VALUE_SIZE;

    /** How a record is accessed; the engine maps it to the protocol's request. */
    static final int READ = 0, READ_FOR_UPDATE = 1;
    /** What a write does. */
    static final int UPDATE = 0, INSERT = 1, DELETE = 2;

    final long[] key = new long[MAX_ACCESSES];
    final int[] mode = new int[MAX_ACCESSES];
    final int[] version = new int[MAX_ACCESSES];
    final int[] flags = new int[MAX_ACCESSES];
    final boolean[] held = new boolean[MAX_ACCESSES]; // a lock the engine must release or abort
    final boolean[] mayNotHold = new boolean[MAX_ACCESSES]; // released after a lock request never answered: NOT_HELD is fine
    final MemorySegment values;
    int accesses;
    int roundStart;

    final int[] writeAccess = new int[MAX_WRITES]; // access index the write belongs to, -1 for a blind insert
    final long[] writeKey = new long[MAX_WRITES];
    final int[] writeKind = new int[MAX_WRITES];
    final int[] writeVersion = new int[MAX_WRITES];
    final int[] confirmed = new int[MAX_WRITES]; // the version the primary confirmed, once it installed the write
    final MemorySegment writeValues;
    int writes;

    /** Net change of the Smallbank ledger (cents) if this transaction commits. */
    long ledgerDelta;

    TxnContext(Arena arena) {
        values = arena.allocate((long) MAX_ACCESSES * VALUE, 8);
        writeValues = arena.allocate((long) MAX_WRITES * VALUE, 8);
    }

    void reset() {
        accesses = 0;
        roundStart = 0;
        writes = 0;
        ledgerDelta = 0;
    }

    /** Reads a record (OCC: validated at commit; 2PL: a shared lock). Returns its access index. */
    public int read(long key) {
        return access(key, READ);
    }

    /** Reads a record this transaction may write (OCC and 2PL: an exclusive lock). */
    public int readForUpdate(long key) {
        return access(key, READ_FOR_UPDATE);
    }

    private int access(long k, int m) {
        if (accesses == MAX_ACCESSES) {
            throw new IllegalStateException("a transaction has at most " + MAX_ACCESSES + " accesses");
        }
        int i = accesses++;
        key[i] = k;
        mode[i] = m;
        version[i] = 0;
        flags[i] = 0;
        held[i] = false;
        mayNotHold[i] = false;
        return i;
    }

    /** Accesses that read without a lock (OCC: validated before LOG). */
    int unlockedReads() {
        int n = 0;
        for (int a = 0; a < accesses; a++) {
            n += mode[a] == READ ? 1 : 0;
        }
        return n;
    }

    public boolean exists(int access) {
        return (flags[access] & Wire.TXN_F_EXISTS) != 0;
    }

    public int version(int access) {
        return version[access];
    }

    /** The 8-byte little-endian field at {@code offset} of the access's value. */
    public long getLong(int access, int offset) {
        return values.get(JAVA_LONG_UNALIGNED, (long) access * VALUE + offset);
    }

    /** Overwrites record {@code access} (read for update) with its current value; returns the write. */
    public int update(int access) {
        return write(access, key[access], UPDATE, true);
    }

    /** Inserts the absent record {@code access} (read for update) with a zero value; returns the write. */
    public int insert(int access) {
        return write(access, key[access], INSERT, false);
    }

    /** Deletes record {@code access} (read for update). */
    public int delete(int access) {
        return write(access, key[access], DELETE, false);
    }

    /** Inserts a record without reading it: population only, version 1. */
    public int insertBlind(long k) {
        return write(-1, k, INSERT, false);
    }

    private int write(int access, long k, int kind, boolean copy) {
        if (access >= 0 && mode[access] != READ_FOR_UPDATE) {
            throw new IllegalStateException("write to key " + Long.toHexString(k) + " that was not read for update");
        }
        if (writes == MAX_WRITES) {
            throw new IllegalStateException("a transaction has at most " + MAX_WRITES + " writes");
        }
        int w = writes++;
        writeAccess[w] = access;
        writeKey[w] = k;
        writeKind[w] = kind;
        writeVersion[w] = access >= 0 ? version[access] + 1 : 1;
        if (copy) {
            MemorySegment.copy(values, (long) access * VALUE, writeValues, (long) w * VALUE, VALUE);
        } else {
            Zeros.fill(writeValues, (long) w * VALUE, VALUE);
        }
        return w;
    }

    /** Sets the 8-byte field at {@code offset} of write {@code w}'s new value. */
    public void setLong(int w, int offset, long v) {
        writeValues.set(JAVA_LONG_UNALIGNED, (long) w * VALUE + offset, v);
    }

    /** Adds {@code cents} to the ledger change this transaction makes if it commits. */
    public void ledger(long cents) {
        ledgerDelta += cents;
    }

    void storeReply(int access, MemorySegment reply) {
        version[access] = TxnMessage.version(reply);
        flags[access] = TxnMessage.flags(reply);
        TxnMessage.copyValue(reply, values, (long) access * VALUE);
    }
}

package io.dint.shard;

import io.dint.wire.Hash64;
import io.dint.wire.RecordDigest;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A shard's records written out key by key, for reconciling replicas with the committed writes
 * one key at a time (the end-of-run digests only say that a table differs): one 24-byte
 * little-endian entry per record, {@code {key u64, version u32, exists u32, term u64}}, the term
 * being the record's {@link RecordDigest} term. Records a lock created and no install ever wrote
 * (version 0, absent) are left out, as the digests leave them out.
 */
public final class RecordFile {
    static final int ENTRY = 24;

    private RecordFile() {}

    /** Writes every record of {@code records} to {@code file}; returns how many. */
    static long write(RecordTable records, Path file) {
        EntryWriter w = new EntryWriter(file);
        try (w) {
            records.forEachRecord(r -> {
                if (records.writtenAt(r)) {
                    w.entry(records.keyAt(r), records.versionAt(r), records.existsAt(r), records.termAt(r));
                }
            });
        }
        return w.count;
    }

    /**
     * Writes every record of the commit-log file {@code log} from record {@code from} on, in log
     * order — the records of transactions that never committed included — to {@code file};
     * returns how many.
     */
    public static long writeLog(Path log, long from, Path file) {
        EntryWriter w = new EntryWriter(file);
        try (w) {
            io.dint.log.LogReplay r = io.dint.log.LogReplay.read(log, (index, valid, clientId, seq, key, version, value) -> {
                if (index >= from && valid) {
                    int v = (int) version;
                    boolean exists = ((int) (version >>> 32) & 0xff) != io.dint.wire.Op.TXN_DELETE_LOG;
                    w.entry(key, v, exists, RecordDigest.term(key, v, exists, value, 0));
                }
            });
            if (!r.ok()) {
                throw new IllegalStateException("the commit log " + log + " has " + r.badChecksums() + " records with a bad checksum");
            }
        }
        return w.count;
    }

    /** What {@link #forEach} hands over. */
    public interface Visitor {
        void entry(long key, int version, boolean exists, long term);
    }

    /** Calls {@code visit} with every entry of a record file, in order, without keeping them. */
    public static void forEach(Path file, Visitor visit) {
        try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            DataInputStream d = new DataInputStream(in);
            byte[] entry = new byte[ENTRY];
            ByteBuffer b = ByteBuffer.wrap(entry).order(ByteOrder.LITTLE_ENDIAN);
            long n = Files.size(file) / ENTRY;
            for (long i = 0; i < n; i++) {
                d.readFully(entry);
                visit.entry(b.getLong(0), b.getInt(8), b.getInt(12) != 0, b.getLong(16));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read record file " + file, e);
        }
    }

    /** Reads a file {@link #write} wrote. */
    public static Records read(Path file) {
        try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            long size = Files.size(file);
            if (size % ENTRY != 0) {
                throw new IllegalStateException(file + " is not a record file: " + size + " bytes is not a multiple of " + ENTRY);
            }
            Records r = new Records((int) (size / ENTRY));
            DataInputStream d = new DataInputStream(in);
            byte[] entry = new byte[ENTRY];
            ByteBuffer b = ByteBuffer.wrap(entry).order(ByteOrder.LITTLE_ENDIAN);
            for (long i = 0; i < size / ENTRY; i++) {
                d.readFully(entry);
                r.put(b.getLong(0), b.getInt(8), b.getInt(12) != 0, b.getLong(16));
            }
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read record file " + file, e);
        }
    }

    /** Records read back: key to version, existence and term, in an open-addressing table. */
    public static final class Records {
        private long[] keys;
        private int[] versions;
        private boolean[] exists;
        private long[] terms;
        private int size;

        Records(int expected) {
            int cap = Integer.highestOneBit(Math.max(16, expected * 2)) << 1;
            keys = new long[cap];
            versions = new int[cap];
            exists = new boolean[cap];
            terms = new long[cap];
        }

        private int slot(long key) {
            if (2 * (size + 1) > keys.length) {
                grow();
            }
            int mask = keys.length - 1;
            int i = (int) Hash64.hash(key) & mask;
            while (keys[i] != 0 && keys[i] != key) {
                i = (i + 1) & mask;
            }
            return i;
        }

        /** Keeps the entry when key has none, or a lower version; true when it was kept. */
        public boolean putIfNewer(long key, int version, boolean present, long term) {
            int i = slot(key);
            if (keys[i] == key && Integer.compareUnsigned(version, versions[i]) <= 0) {
                return false;
            }
            put(key, version, present, term);
            return true;
        }

        /** A table for about {@code expected} keys. */
        public static Records sized(int expected) {
            return new Records(expected);
        }

        void put(long key, int version, boolean present, long term) {
            if (key == 0) {
                throw new IllegalStateException("a record file names key 0, which is never a record's");
            }
            int i = slot(key);
            size += keys[i] == 0 ? 1 : 0;
            keys[i] = key;
            versions[i] = version;
            exists[i] = present;
            terms[i] = term;
        }

        public int size() {
            return size;
        }

        private void grow() {
            long[] k = keys;
            int[] v = versions;
            boolean[] e = exists;
            long[] t = terms;
            keys = new long[k.length * 2];
            versions = new int[k.length * 2];
            exists = new boolean[k.length * 2];
            terms = new long[k.length * 2];
            size = 0;
            for (int i = 0; i < k.length; i++) {
                if (k[i] != 0) {
                    put(k[i], v[i], e[i], t[i]);
                }
            }
        }

        /** True when key has a record. */
        public boolean has(long key) {
            return keys[slot(key)] == key;
        }

        /** Key's version, 0 when it has no record. */
        public int version(long key) {
            int i = slot(key);
            return keys[i] == key ? versions[i] : 0;
        }

        /** Key's term, 0 when it has no record. */
        public long term(long key) {
            int i = slot(key);
            return keys[i] == key ? terms[i] : 0;
        }

        /** Calls {@code visit} with every key. */
        public void forEachKey(java.util.function.LongConsumer visit) {
            for (long k : keys) {
                if (k != 0) {
                    visit.accept(k);
                }
            }
        }
    }

    /** Buffered little-endian entries to a file. */
    private static final class EntryWriter implements AutoCloseable {
        private final Path file;
        private final OutputStream out;
        private final ByteBuffer entry = ByteBuffer.allocate(ENTRY).order(ByteOrder.LITTLE_ENDIAN);
        long count;

        EntryWriter(Path file) {
            this.file = file;
            try {
                this.out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write record file " + file, e);
            }
        }

        void entry(long key, int version, boolean exists, long term) {
            entry.clear();
            entry.putLong(key).putInt(version).putInt(exists ? 1 : 0).putLong(term);
            try {
                out.write(entry.array());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write record file " + file, e);
            }
            count++;
        }

        @Override
        public void close() {
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write record file " + file, e);
            }
        }
    }
}

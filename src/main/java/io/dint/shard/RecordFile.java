package io.dint.shard;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.dint.wire.Hash64;
import io.dint.wire.Wire;
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

    /** Writes every record of {@code store} to {@code file}; returns how many. */
    static long write(ShardStore store, Path file) {
        EntryWriter w = new EntryWriter(file);
        try (w) {
            var t = store.table();
            store.forEachRecord(r -> {
                long key = t.get(JAVA_LONG, r + ShardStore.KEY);
                int version = t.get(JAVA_INT, r + ShardStore.VERSION);
                boolean exists = (t.get(JAVA_INT, r + ShardStore.FLAGS) & Wire.TXN_F_EXISTS) != 0;
                if (version != 0 || exists) {
                    w.entry(key, version, exists, RecordDigest.term(key, version, exists, t, r + ShardStore.VALUE));
                }
            });
        }
        return w.count;
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
        private final long[] keys;
        private final int[] versions;
        private final boolean[] exists;
        private final long[] terms;
        private int size;

        Records(int expected) {
            int cap = Integer.highestOneBit(Math.max(16, expected * 2)) << 1;
            keys = new long[cap];
            versions = new int[cap];
            exists = new boolean[cap];
            terms = new long[cap];
        }

        private int slot(long key) {
            int mask = keys.length - 1;
            int i = (int) Hash64.hash(key) & mask;
            while (keys[i] != 0 && keys[i] != key) {
                i = (i + 1) & mask;
            }
            return i;
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

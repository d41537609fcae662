package io.dint.log;

import static io.dint.wire.Wire.LOG_ENTRY_CLIENT_ID;
import static io.dint.wire.Wire.LOG_ENTRY_KEY;
import static io.dint.wire.Wire.LOG_ENTRY_SEQ;
import static io.dint.wire.Wire.LOG_ENTRY_VALUE;
import static io.dint.wire.Wire.LOG_ENTRY_VERSION;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import io.dint.wire.Wire;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The commit log on disk: append-only, a 16-byte header then fixed-size records, little-endian.
 *
 * <pre>
 * header:  u64 magic "DINTLOG1" | u32 format (1) | u32 record size (72)
 * record:  u32 crc32c of bytes [4, 72) | u32 client_id | u64 seq | u64 key | u64 version | u8 value[40]
 * </pre>
 *
 * Every record carries its own checksum and the request id {@code (client_id, seq)}, so replay
 * verifies each one and recognises a retransmitted append (appended twice, ACKed each time) as a
 * duplicate. Opening an existing file recovers it: a record cut short by a crash mid-write, or one
 * whose checksum fails at the very end, is cut off (it was never acknowledged as drained, so it is
 * still in its ring and is drained again).
 */
public final class LogFile implements AutoCloseable {
    static final long MAGIC = 0x31474f4c544e4944L; // "DINTLOG1" little-endian
    static final int FORMAT = 1;
    public static final int HEADER_SIZE = 16;
    public static final int RECORD_SIZE = 72;
    static final int CRC = 0, CLIENT_ID = 4, SEQ = 8, KEY = 16, VERSION = 24, VALUE = 32;

    private final Path path;
    private final FileChannel channel;
    private final long recoveredRecords;
    private final long truncatedBytes;
    private long records;

    private LogFile(Path path, FileChannel channel, long records, long truncatedBytes) {
        this.path = path;
        this.channel = channel;
        this.records = records;
        this.recoveredRecords = records;
        this.truncatedBytes = truncatedBytes;
    }

    /** Opens {@code path} for appending, creating it, or recovering it after a crash. */
    public static LogFile open(Path path) {
        FileChannel ch = null;
        try {
            ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            long size = ch.size();
            ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            if (size < HEADER_SIZE) {
                header.putLong(MAGIC).putInt(FORMAT).putInt(RECORD_SIZE).flip();
                ch.truncate(0);
                writeFully(ch, header, 0);
                ch.force(true);
                ch.position(HEADER_SIZE); // positional writes leave the position where it was
                return new LogFile(path, ch, 0, size);
            }
            readFully(ch, header, 0);
            header.flip();
            if (header.getLong() != MAGIC || header.getInt() != FORMAT || header.getInt() != RECORD_SIZE) {
                throw new IllegalArgumentException(path + " is not a DINT commit log (format " + FORMAT
                        + ", " + RECORD_SIZE + "-byte records): give --log a new file or a log written by this version");
            }
            long records = (size - HEADER_SIZE) / RECORD_SIZE;
            if (records > 0) {
                ByteBuffer last = ByteBuffer.allocate(RECORD_SIZE).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, last, HEADER_SIZE + (records - 1) * RECORD_SIZE);
                if (!valid(last, 0, new CRC32C())) {
                    records--; // a torn record: the kernel had not been told it was drained
                }
            }
            long keep = HEADER_SIZE + records * RECORD_SIZE;
            if (keep < size) {
                ch.truncate(keep);
                ch.force(true);
            }
            ch.position(keep);
            return new LogFile(path, ch, records, size - keep);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new UncheckedIOException("cannot open the commit log " + path, e);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    /** Records in the file. */
    public long records() {
        return records;
    }

    /** Records found in the file when it was opened. */
    public long recoveredRecords() {
        return recoveredRecords;
    }

    /** Bytes cut off the end when it was opened (a record torn by a crash). */
    public long truncatedBytes() {
        return truncatedBytes;
    }

    /** Appends {@code buf[position, limit)}, whole records encoded with {@link #encode}. */
    void append(ByteBuffer buf) throws IOException {
        int n = buf.remaining() / RECORD_SIZE;
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
        records += n;
    }

    /**
     * Appends one record {key, version, the 40-byte value at {@code value[offset]}} under the
     * request id {@code (clientId, seq)}, checksummed, and syncs the file. Only for whoever owns the
     * file while no drainer appends to it (a shard recovering before it serves).
     */
    public void appendRecord(int clientId, long seq, long key, long version, MemorySegment value, long offset) {
        ByteBuffer buf = ByteBuffer.allocate(RECORD_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        MemorySegment out = MemorySegment.ofArray(buf.array());
        out.set(JAVA_INT_UNALIGNED, CLIENT_ID, clientId);
        out.set(JAVA_LONG_UNALIGNED, SEQ, seq);
        out.set(JAVA_LONG_UNALIGNED, KEY, key);
        out.set(JAVA_LONG_UNALIGNED, VERSION, version);
        MemorySegment.copy(value, offset, out, VALUE, Wire.LOG_VALUE_SIZE);
        out.set(JAVA_INT_UNALIGNED, CRC, checksum(buf, 0, new CRC32C()));
        try {
            append(buf);
        } catch (IOException e) {
            throw new UncheckedIOException("writing the commit log " + path + " failed", e);
        }
    }

    /** Syncs the file (fdatasync). */
    public void sync() {
        try {
            force();
        } catch (IOException e) {
            throw new UncheckedIOException("syncing the commit log " + path + " failed", e);
        }
    }

    /** fdatasync: the records appended so far survive a crash of the machine. */
    void force() throws IOException {
        channel.force(false);
    }

    /**
     * Encodes the ring record at {@code entries[e]} as a file record at {@code out[off]}, whose
     * segment view is {@code outSeg}, checksum included. Allocation-free.
     */
    static void encode(MemorySegment entries, long e, ByteBuffer out, MemorySegment outSeg, int off, CRC32C crc) {
        outSeg.set(JAVA_INT_UNALIGNED, off + CLIENT_ID, entries.get(JAVA_INT_UNALIGNED, e + LOG_ENTRY_CLIENT_ID));
        outSeg.set(JAVA_LONG_UNALIGNED, off + SEQ, entries.get(JAVA_LONG, e + LOG_ENTRY_SEQ));
        outSeg.set(JAVA_LONG_UNALIGNED, off + KEY, entries.get(JAVA_LONG, e + LOG_ENTRY_KEY));
        outSeg.set(JAVA_LONG_UNALIGNED, off + VERSION, entries.get(JAVA_LONG, e + LOG_ENTRY_VERSION));
        MemorySegment.copy(entries, e + LOG_ENTRY_VALUE, outSeg, off + VALUE, Wire.LOG_VALUE_SIZE);
        outSeg.set(JAVA_INT_UNALIGNED, off + CRC, checksum(out, off, crc));
    }

    /** True when the record at {@code buf[off]} carries the right checksum. */
    static boolean valid(ByteBuffer buf, int off, CRC32C crc) {
        return buf.order(ByteOrder.LITTLE_ENDIAN).getInt(off + CRC) == checksum(buf, off, crc);
    }

    private static int checksum(ByteBuffer buf, int off, CRC32C crc) {
        int pos = buf.position(), lim = buf.limit();
        crc.reset();
        buf.limit(off + RECORD_SIZE).position(off + CLIENT_ID);
        crc.update(buf);
        buf.limit(lim).position(pos);
        return (int) crc.getValue();
    }

    static void readFully(FileChannel ch, ByteBuffer buf, long at) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf, at + buf.position()) < 0) {
                throw new IOException("unexpected end of file at " + (at + buf.position()));
            }
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf, long at) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf, at + buf.position());
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // the open failed already
            }
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing the commit log " + path, e);
        }
    }
}

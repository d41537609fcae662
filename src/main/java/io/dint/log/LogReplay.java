package io.dint.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Reads a commit log back and verifies it: every record's checksum, a torn tail (a record cut
 * short by a crash, which reopening the file with the server cuts off), and retransmitted appends
 * recognised by their request id {@code (client_id, seq)}.
 */
public record LogReplay(Path file, long records, long badChecksums, long tornBytes, long duplicates) {

    /** One record of the log, as replay hands it over (the value is valid during the call only). */
    public interface Visitor {
        void record(long index, boolean valid, int clientId, long seq, long key, long version, MemorySegment value);
    }

    private record RequestId(int clientId, long seq) {}

    /** Distinct requests: records with a good checksum, less duplicates. */
    public long distinct() {
        return records - badChecksums - duplicates;
    }

    /** True when every record's checksum holds (a torn tail is what a crash leaves; it is not corruption). */
    public boolean ok() {
        return badChecksums == 0;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", file.toString());
        m.put("records", records);
        m.put("bad_checksums", badChecksums);
        m.put("torn_bytes", tornBytes);
        m.put("duplicates", duplicates);
        m.put("distinct", distinct());
        m.put("ok", ok());
        return m;
    }

    public static LogReplay read(Path file) {
        return read(file, (i, v, c, s, k, ver, val) -> { });
    }

    public static LogReplay read(Path file, Visitor visitor) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer header = ByteBuffer.allocate(LogFile.HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            if (size < LogFile.HEADER_SIZE) {
                throw new IllegalArgumentException(file + " is too short to be a DINT commit log (" + size + " bytes)");
            }
            LogFile.readFully(ch, header, 0);
            header.flip();
            if (header.getLong() != LogFile.MAGIC || header.getInt() != LogFile.FORMAT || header.getInt() != LogFile.RECORD_SIZE) {
                throw new IllegalArgumentException(file + " is not a DINT commit log (bad magic, format or record size)");
            }
            long records = (size - LogFile.HEADER_SIZE) / LogFile.RECORD_SIZE;
            ByteBuffer buf = ByteBuffer.allocateDirect(4096 * LogFile.RECORD_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            MemorySegment seg = MemorySegment.ofBuffer(buf);
            CRC32C crc = new CRC32C();
            Set<RequestId> seen = new HashSet<>();
            long bad = 0, dups = 0;
            for (long i = 0; i < records; ) {
                int n = (int) Math.min(records - i, 4096);
                buf.clear().limit(n * LogFile.RECORD_SIZE);
                LogFile.readFully(ch, buf, LogFile.HEADER_SIZE + i * LogFile.RECORD_SIZE);
                for (int j = 0; j < n; j++, i++) {
                    int off = j * LogFile.RECORD_SIZE;
                    boolean valid = LogFile.valid(buf, off, crc);
                    int clientId = buf.getInt(off + LogFile.CLIENT_ID);
                    long seq = buf.getLong(off + LogFile.SEQ);
                    if (!valid) {
                        bad++;
                    } else if (!seen.add(new RequestId(clientId, seq))) {
                        dups++;
                    }
                    visitor.record(i, valid, clientId, seq, buf.getLong(off + LogFile.KEY), buf.getLong(off + LogFile.VERSION),
                            seg.asSlice(off + LogFile.VALUE, io.dint.wire.Wire.LOG_VALUE_SIZE));
                }
            }
            return new LogReplay(file, records, bad, size - LogFile.HEADER_SIZE - records * LogFile.RECORD_SIZE, dups);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the commit log " + file, e);
        }
    }
}

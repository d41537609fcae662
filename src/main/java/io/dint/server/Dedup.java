package io.dint.server;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.dint.wire.Header;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The dedup window of {@code struct dint_dedup_entry} in user space, the twin of the kernel's
 * {@code DINT_DEDUP_MAP}: the status answered to each of the last {@code DINT_DEDUP_WINDOW}
 * request ids per client slot, so that a retransmitted request is answered, not applied again. An
 * entry is picked by the seq's low bits and matches only the same client id and the whole seq,
 * incarnation included ({@link io.dint.wire.RequestIds}): a restarted client shares its
 * predecessor's entries but is never answered from them.
 */
public final class Dedup implements AutoCloseable {
    private static final long ENTRIES = (long) Wire.DEDUP_CLIENTS * Wire.DEDUP_WINDOW;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment entries = arena.allocate(ENTRIES * Wire.DEDUP_ENTRY_SIZE, 8);

    private static long slot(MemorySegment request) {
        long client = Integer.toUnsignedLong(Header.clientId(request)) % Wire.DEDUP_CLIENTS;
        long seq = Long.remainderUnsigned(Header.seq(request), Wire.DEDUP_WINDOW);
        return (client * Wire.DEDUP_WINDOW + seq) * Wire.DEDUP_ENTRY_SIZE;
    }

    /** The status already answered to this request, or -1 when it is not a retransmission. */
    public int answered(MemorySegment request) {
        long d = slot(request);
        if (entries.get(JAVA_BYTE, d + Wire.DEDUP_VALID) == 0
                || entries.get(JAVA_LONG, d + Wire.DEDUP_SEQ) != Header.seq(request)
                || entries.get(JAVA_INT, d + Wire.DEDUP_CLIENT_ID) != Header.clientId(request)) {
            return -1;
        }
        return entries.get(JAVA_BYTE, d + Wire.DEDUP_STATUS) & 0xff;
    }

    /** Remembers the status answered to this request. */
    public void remember(MemorySegment request, int status) {
        long d = slot(request);
        entries.set(JAVA_LONG, d + Wire.DEDUP_SEQ, Header.seq(request));
        entries.set(JAVA_INT, d + Wire.DEDUP_CLIENT_ID, Header.clientId(request));
        entries.set(JAVA_BYTE, d + Wire.DEDUP_STATUS, (byte) status);
        entries.set(JAVA_BYTE, d + Wire.DEDUP_VALID, (byte) 1);
    }

    @Override
    public void close() {
        arena.close();
    }
}

package io.dint.testing;

import io.dint.server.DatagramService;
import io.dint.wire.Header;
import io.dint.wire.Wire;
import java.lang.foreign.MemorySegment;

/** The common header of every service's message, read and rewritten as bytes, for fixtures and parity tests. */
public final class Messages {
    private Messages() {}

    /** The header's status (a reply's outcome, or {@link io.dint.wire.Status#REQUEST}). */
    public static int status(byte[] msg) {
        return Header.status(MemorySegment.ofArray(msg));
    }

    /** The header's request sequence number, which matches a reply to its request. */
    public static long seq(byte[] msg) {
        return Header.seq(MemorySegment.ofArray(msg));
    }

    /** A copy of {@code msg} with its status set: the reply a service makes of a request it only answers. */
    public static byte[] withStatus(byte[] msg, int status) {
        byte[] r = msg.clone();
        r[Wire.HDR_STATUS] = (byte) status;
        return r;
    }

    /** A copy of {@code msg} with its opcode replaced. */
    public static byte[] withOp(byte[] msg, int op) {
        byte[] r = msg.clone();
        r[Wire.HDR_OP] = (byte) op;
        return r;
    }

    /**
     * The reply {@code service} makes of (a copy of) {@code request}, its counters in {@code stats},
     * or null when it drops it: a Java backend's answer, to hold the kernel's to.
     */
    public static byte[] servedBy(DatagramService service, byte[] request, long[] stats) {
        // 8-aligned, as a socket's receive buffer is; room for a slow path's grown reply
        MemorySegment buf = MemorySegment.ofArray(new long[Math.max(request.length, 2048) / 8 + 1]);
        MemorySegment.copy(MemorySegment.ofArray(request), 0, buf, 0, request.length);
        int n = service.serve(buf, request.length, stats);
        return n < 0 ? null : buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }
}

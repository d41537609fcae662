package io.dint.testing;

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
}

package io.dint.testing;

import io.dint.wire.OccMessage;
import io.dint.wire.Status;
import java.lang.foreign.MemorySegment;

/** OCC messages as bytes, for fixtures and parity tests. */
public final class OccMessages {
    private OccMessages() {}

    public static byte[] request(int op, long key, long txn, long seq) {
        byte[] b = new byte[OccMessage.SIZE];
        OccMessage.encodeRequest(MemorySegment.ofArray(b), op, 77, seq, key, txn);
        return b;
    }

    public static int version(byte[] msg) {
        return OccMessage.version(MemorySegment.ofArray(msg));
    }

    public static boolean locked(byte[] msg) {
        return OccMessage.locked(MemorySegment.ofArray(msg));
    }

    public static boolean mine(byte[] msg) {
        return OccMessage.mine(MemorySegment.ofArray(msg));
    }

    /** "GRANT v3 locked mine": a reply in one line, for assertions that read like the protocol. */
    public static String describe(byte[] msg) {
        return Status.name(Messages.status(msg)) + " v" + version(msg) + (locked(msg) ? " locked" : "") + (mine(msg) ? " mine" : "");
    }
}

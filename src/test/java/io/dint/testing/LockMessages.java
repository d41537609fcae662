package io.dint.testing;

import io.dint.wire.Status;
import io.dint.wire.Wire;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Lock messages as bytes, for fixtures and parity tests. */
public final class LockMessages {
    private LockMessages() {}

    public static byte[] request(int op, long lockId, long txn, long seq) {
        ByteBuffer b = ByteBuffer.allocate(Wire.LOCK_MSG_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put(Wire.HDR_OP, (byte) op).put(Wire.HDR_STATUS, (byte) Status.REQUEST)
                .putInt(Wire.HDR_CLIENT_ID, 77).putLong(Wire.HDR_SEQ, seq)
                .putLong(Wire.LOCK_LOCK_ID, lockId).putLong(Wire.LOCK_TXN_ID, txn);
        return b.array();
    }
}

package io.dint.testing;

import io.dint.wire.KvMessage;
import io.dint.wire.Status;
import io.dint.wire.Wire;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** KV messages as bytes, for fixtures and parity tests. */
public final class KvMessages {
    private KvMessages() {}

    public static byte[] request(int op, long key, long version, byte[] value, long seq) {
        ByteBuffer b = ByteBuffer.allocate(Wire.KV_MSG_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put(Wire.HDR_OP, (byte) op).put(Wire.HDR_STATUS, (byte) Status.REQUEST)
                .putInt(Wire.HDR_CLIENT_ID, 77).putLong(Wire.HDR_SEQ, seq)
                .putLong(KvMessage.KEY, key).putLong(KvMessage.VERSION, version);
        b.put(KvMessage.VALUE, value);
        return b.array();
    }

    public static byte[] request(int op, long key, byte[] value, long seq) {
        return request(op, key, 0, value, seq);
    }

    /** A 40-byte value that names its key and a salt. */
    public static byte[] value(long key, long salt) {
        ByteBuffer b = ByteBuffer.allocate(Wire.KV_VALUE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(key).putLong(salt).putLong(~key).putLong(salt * 31 + key).putLong(0x5a5a5a5a5a5a5a5aL ^ salt);
        return b.array();
    }

    public static byte[] zeroValue() {
        return new byte[Wire.KV_VALUE_SIZE];
    }

    /** The request rewritten as its reply. */
    public static byte[] reply(byte[] request, int status, long version, byte[] value) {
        ByteBuffer b = ByteBuffer.wrap(request.clone()).order(ByteOrder.LITTLE_ENDIAN);
        b.put(Wire.HDR_STATUS, (byte) status).putLong(KvMessage.VERSION, version);
        b.put(KvMessage.VALUE, value);
        return b.array();
    }

    public static long version(byte[] msg) {
        return ByteBuffer.wrap(msg).order(ByteOrder.LITTLE_ENDIAN).getLong(KvMessage.VERSION);
    }

    public static byte[] value(byte[] msg) {
        return Arrays.copyOfRange(msg, KvMessage.VALUE, KvMessage.VALUE + Wire.KV_VALUE_SIZE);
    }
}

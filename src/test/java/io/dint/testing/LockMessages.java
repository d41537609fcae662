package io.dint.testing;

import io.dint.wire.Status;
import io.dint.wire.Wire;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Lock messages as bytes, for fixtures and parity tests. */
public final class LockMessages {
    private LockMessages() {}

    /** Builds a request of a service whose requests name an id and a transaction (2PL, OCC). */
    @FunctionalInterface
    public interface Builder {
        byte[] request(int op, long id, long txn, long seq);
    }

    public static byte[] request(int op, long lockId, long txn, long seq) {
        ByteBuffer b = ByteBuffer.allocate(Wire.LOCK_MSG_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put(Wire.HDR_OP, (byte) op).put(Wire.HDR_STATUS, (byte) Status.REQUEST)
                .putInt(Wire.HDR_CLIENT_ID, 77).putLong(Wire.HDR_SEQ, seq)
                .putLong(Wire.LOCK_LOCK_ID, lockId).putLong(Wire.LOCK_TXN_ID, txn);
        return b.array();
    }

    /**
     * {@code n} requests drawn from {@code seed}, the seq of each its index: one of the four ops from
     * {@code firstOp} on an id below 40 by a transaction from 1 to 4 (few enough that they conflict,
     * release what is not held and so on). {@code build} is {@code LockMessages::request} or
     * {@code OccMessages::request}.
     */
    public static List<byte[]> randomRequests(long seed, int n, int firstOp, Builder build) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<byte[]> requests = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            requests.add(build.request(firstOp + rnd.nextInt(4), rnd.nextLong(40), 1 + rnd.nextInt(4), i));
        }
        return requests;
    }
}

package io.dint.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.cluster.Host;
import io.dint.net.MsgBatch;
import io.dint.net.UdpSocket;
import io.dint.wire.Wire;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** Sends requests one at a time from a client host and collects their replies, for parity tests. */
public final class Exchange {
    private Exchange() {}

    /**
     * Sends each request to {@code server}'s service port from {@code client}'s namespace, waits for
     * the reply with the same seq (resending up to 5 times, 2 s apart) and returns the replies in
     * order; fails the test when one never comes.
     */
    public static List<byte[]> oneByOne(Host client, Host server, List<byte[]> requests) throws InterruptedException {
        List<byte[]> replies = new ArrayList<>();
        InNamespace.run(client, () -> {
            try (UdpSocket s = UdpSocket.open(client.ipv4(), 0, false); MsgBatch tx = MsgBatch.allocate(1, 256);
                 MsgBatch rx = MsgBatch.allocate(1, 256)) {
                for (byte[] req : requests) {
                    MemorySegment.copy(MemorySegment.ofArray(req), 0, tx.slot(0), 0, req.length);
                    tx.setLength(0, req.length);
                    tx.setPeer(0, server.ipv4(), Wire.PORT);
                    long seq = ByteBuffer.wrap(req).order(ByteOrder.LITTLE_ENDIAN).getLong(Wire.HDR_SEQ);
                    byte[] reply = null;
                    for (int attempt = 0; attempt < 5 && reply == null; attempt++) {
                        assertThat(s.send(tx, 1, 0)).isEqualTo(1);
                        // a first request may be answered late (the server's first call links its
                        // native handles): skip replies to earlier requests, match on seq
                        long deadline = System.nanoTime() + 2_000_000_000L;
                        while (reply == null && System.nanoTime() < deadline && s.receive(rx, 500) == 1) {
                            byte[] r = rx.slot(0).asSlice(0, rx.length(0)).toArray(ValueLayout.JAVA_BYTE);
                            if (ByteBuffer.wrap(r).order(ByteOrder.LITTLE_ENDIAN).getLong(Wire.HDR_SEQ) == seq) {
                                reply = r;
                            }
                        }
                    }
                    assertThat(reply).as("reply to request %d", replies.size()).isNotNull();
                    replies.add(reply);
                }
            }
        });
        return replies;
    }
}

package io.dint.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.cluster.Host;
import io.dint.net.MsgBatch;
import io.dint.net.UdpSocket;
import io.dint.wire.Wire;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/** Sends requests one at a time from a client host to a server and collects their replies, for parity tests. */
public final class Exchange {
    private Exchange() {}

    /** Each request's reply, in order; each request is resent (same seq) until answered, up to 5 times. */
    public static List<byte[]> oneByOne(Host client, int serverAddr, List<byte[]> requests) throws InterruptedException {
        return InNamespace.call(client, () -> {
            List<byte[]> replies = new ArrayList<>();
            try (UdpSocket s = UdpSocket.open(client.ipv4(), 0, false); MsgBatch tx = MsgBatch.allocate(1, 256);
                 MsgBatch rx = MsgBatch.allocate(1, 256)) {
                for (byte[] req : requests) {
                    MemorySegment.copy(MemorySegment.ofArray(req), 0, tx.slot(0), 0, req.length);
                    tx.setLength(0, req.length);
                    tx.setPeer(0, serverAddr, Wire.PORT);
                    long seq = Messages.seq(req);
                    byte[] reply = null;
                    for (int attempt = 0; attempt < 5 && reply == null; attempt++) {
                        assertThat(s.send(tx, 1, 0)).isEqualTo(1);
                        // a first request may be answered late (the server's first call links its
                        // native handles): skip replies to earlier requests, match on seq
                        long deadline = System.nanoTime() + 2_000_000_000L;
                        while (reply == null && System.nanoTime() < deadline && s.receive(rx, 500) == 1) {
                            byte[] r = rx.slot(0).asSlice(0, rx.length(0)).toArray(ValueLayout.JAVA_BYTE);
                            if (Messages.seq(r) == seq) {
                                reply = r;
                            }
                        }
                    }
                    assertThat(reply).as("reply to request %d", replies.size()).isNotNull();
                    replies.add(reply);
                }
            }
            return replies;
        });
    }
}

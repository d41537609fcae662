package io.dint.client;

import io.dint.net.MsgBatch;
import io.dint.net.UdpSocket;
import java.lang.foreign.MemorySegment;

/** {@link Transport} over one kernel UDP socket, batched with sendmmsg/recvmmsg. */
public final class UdpTransport implements Transport {
    private final UdpSocket socket;
    private final MsgBatch tx;
    private final MsgBatch rx;

    public UdpTransport(int localAddr, int batch, int slotBytes) {
        this.socket = UdpSocket.open(localAddr, 0, false);
        this.tx = MsgBatch.allocate(batch, slotBytes);
        this.rx = MsgBatch.allocate(batch, slotBytes);
    }

    @Override
    public int capacity() {
        return tx.capacity();
    }

    @Override
    public MemorySegment txBuffer(int i) {
        return tx.slot(i);
    }

    @Override
    public void setTx(int i, int length, int dstAddr, int dstPort) {
        tx.setLength(i, length);
        tx.setPeer(i, dstAddr, dstPort);
    }

    @Override
    public int flush(int count) {
        int sent = 0;
        while (sent < count) {
            int n = socket.send(tx, count, sent);
            if (n <= 0) {
                break;
            }
            sent += n;
        }
        return sent;
    }

    @Override
    public int poll(int timeoutMillis) {
        return socket.receive(rx, timeoutMillis);
    }

    @Override
    public MemorySegment rxBuffer(int i) {
        return rx.slot(i);
    }

    @Override
    public int rxLength(int i) {
        return rx.length(i);
    }

    @Override
    public void close() {
        socket.close();
        tx.close();
        rx.close();
    }
}

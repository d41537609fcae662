package io.dint.net;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dint.testing.AllocationCheck;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UdpSocketTest {

    /** Echoes every datagram back to its sender until the socket is closed; returns how many. */
    static CompletableFuture<Long> startEcho(UdpSocket server) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            long echoed = 0;
            try (MsgBatch b = MsgBatch.allocate(32, 256)) {
                int n;
                while ((n = server.receiveBlocking(b)) > 0) {
                    int sent = 0;
                    for (int tries = 0; sent < n && tries < 1000; tries++) {
                        sent += server.send(b, n, sent);
                    }
                    echoed += sent;
                }
                done.complete(echoed);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }, "echo-" + server.localPort());
        t.setDaemon(true);
        t.start();
        return done;
    }

    /** Sends {@code rounds} batches of {@code perBatch} numbered datagrams and checks every echo comes back. */
    static long echoRounds(UdpSocket client, int serverAddr, int serverPort, int rounds, int perBatch) {
        long received = 0;
        try (MsgBatch out = MsgBatch.allocate(perBatch, 256); MsgBatch in = MsgBatch.allocate(perBatch, 256)) {
            int seq = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < perBatch; i++) {
                    out.slot(i).set(JAVA_INT, 0, seq + i);
                    out.setLength(i, 4 + i);
                    out.setPeer(i, serverAddr, serverPort);
                }
                assertThat(client.send(out, perBatch)).isEqualTo(perBatch);
                boolean[] seen = new boolean[perBatch];
                int got = 0;
                while (got < perBatch) {
                    assertThat(System.nanoTime()).as("echo deadline").isLessThan(deadline);
                    int n = client.receive(in, 1000);
                    assertThat(n).as("echo of round %d arrived", r).isPositive();
                    for (int i = 0; i < n; i++) {
                        int k = in.slot(i).get(JAVA_INT, 0) - seq;
                        assertThat(k).isBetween(0, perBatch - 1);
                        assertThat(in.length(i)).isEqualTo(4 + k);
                        assertThat(in.peerAddr(i)).isEqualTo(serverAddr);
                        assertThat(in.peerPort(i)).isEqualTo(serverPort);
                        assertThat(seen[k]).isFalse();
                        seen[k] = true;
                    }
                    got += n;
                }
                received += got;
                seq += perBatch;
            }
        }
        return received;
    }

    @Test
    void echoesBatchesOverLoopback() throws Exception {
        UdpSocket server = UdpSocket.open(Ipv4.LOOPBACK, 0, false);
        try (UdpSocket client = UdpSocket.open(Ipv4.LOOPBACK, 0, false)) {
            assertThat(server.localPort()).isPositive();
            CompletableFuture<Long> echo = startEcho(server);
            assertThat(echoRounds(client, Ipv4.LOOPBACK, server.localPort(), 200, 16)).isEqualTo(3200);
            server.close();
            assertThat(echo.get(3, TimeUnit.SECONDS)).isEqualTo(3200);
        } finally {
            server.close();
        }
    }

    @Test
    void receiveTimesOutWithZero() {
        try (UdpSocket s = UdpSocket.open(Ipv4.LOOPBACK, 0, false); MsgBatch b = MsgBatch.allocate(4, 64)) {
            long t0 = System.nanoTime();
            assertThat(s.receive(b, 50)).isZero();
            assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(45));
            assertThat(s.receive(b, 0)).isZero();
        }
    }

    @Test
    void closeWakesBlockedReceiver() throws Exception {
        UdpSocket s = UdpSocket.open(Ipv4.LOOPBACK, 0, false);
        CompletableFuture<Integer> r = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (MsgBatch b = MsgBatch.allocate(4, 64)) {
                r.complete(s.receiveBlocking(b));
            } catch (Throwable e) {
                r.completeExceptionally(e);
            }
        });
        t.start();
        Thread.sleep(150);
        long t0 = System.nanoTime();
        s.close();
        assertThat(r.get(2, TimeUnit.SECONDS)).isEqualTo(-1);
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.MILLISECONDS.toNanos(1000));
        try (MsgBatch b = MsgBatch.allocate(1, 8)) {
            b.setLength(0, 1);
            b.setPeer(0, Ipv4.LOOPBACK, 9);
            assertThat(s.send(b, 1)).isZero();
            assertThat(s.receive(b, 10)).isZero();
            assertThat(s.receiveBlocking(b)).isEqualTo(-1);
        }
    }

    @Test
    void reusePortLetsTwoSocketsShareAPort() {
        try (UdpSocket a = UdpSocket.open(Ipv4.LOOPBACK, 0, true);
                UdpSocket b = UdpSocket.open(Ipv4.LOOPBACK, a.localPort(), true)) {
            assertThat(b.localPort()).isEqualTo(a.localPort());
            assertThatThrownBy(() -> UdpSocket.open(Ipv4.LOOPBACK, a.localPort(), false))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("bind(127.0.0.1:" + a.localPort() + ")")
                    .hasMessageContaining("errno 98");
        }
    }

    @Test
    @AllocationCheck
    void sendAndReceiveAllocateNothing() {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long me = Thread.currentThread().threadId();
        try (UdpSocket a = UdpSocket.open(Ipv4.LOOPBACK, 0, false);
                UdpSocket b = UdpSocket.open(Ipv4.LOOPBACK, 0, false);
                MsgBatch out = MsgBatch.allocate(8, 64);
                MsgBatch in = MsgBatch.allocate(8, 64)) {
            for (int i = 0; i < 8; i++) {
                out.setLength(i, 32);
                out.setPeer(i, Ipv4.LOOPBACK, b.localPort());
            }
            AtomicLong sink = new AtomicLong();
            Runnable round = () -> {
                int sent = a.send(out, 8);
                int got = 0;
                for (int tries = 0; got < sent && tries < 100; tries++) {
                    got += b.receive(in, 100);
                }
                sink.addAndGet(got + in.length(0) + in.peerPort(0));
            };
            for (int i = 0; i < 20_000; i++) {
                round.run();
            }
            long before = mx.getThreadAllocatedBytes(me);
            for (int i = 0; i < 10_000; i++) {
                round.run();
            }
            long allocated = mx.getThreadAllocatedBytes(me) - before;
            assertThat(allocated).as("bytes allocated by 10k send+receive rounds").isLessThan(4096);
            assertThat(sink.get()).isPositive();
        }
    }
}

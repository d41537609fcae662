package io.dint.server;

import io.dint.net.MsgBatch;
import io.dint.net.UdpSocket;
import io.dint.wire.Stat;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.Path;
import java.util.Map;

/**
 * The {@code udp} backend: a {@link DatagramService} served entirely in user space over kernel
 * UDP sockets — the paper's "kernel UDP" baseline. One SO_REUSEPORT socket and one thread per
 * worker; requests are received and answered in batches (recvmmsg/sendmmsg), in place.
 */
public final class UdpServer implements ServiceServer, RecordDumps {
    private static final int BATCH = 32;
    private static final int SLOT = 2048;

    private final DatagramService service;
    private final Allowlist allow;
    private final List<Worker> workers = new ArrayList<>();

    /** Serves {@code service} to every source. */
    public UdpServer(DatagramService service, int bindAddr, int port, int threads) {
        this(service, bindAddr, port, threads, Allowlist.ANY, socket -> { });
    }

    /** Serves {@code service} to the sources {@code allow} allows; others are dropped and counted. */
    public UdpServer(DatagramService service, int bindAddr, int port, int threads, Allowlist allow) {
        this(service, bindAddr, port, threads, allow, socket -> { });
    }

    /** As above, with {@code setup} applied to each socket before it serves (e.g. socket options). */
    public UdpServer(DatagramService service, int bindAddr, int port, int threads, Allowlist allow,
                     java.util.function.Consumer<UdpSocket> setup) {
        if (threads <= 0) {
            throw new IllegalArgumentException("server threads must be positive, got " + threads);
        }
        this.service = service;
        this.allow = allow;
        for (int i = 0; i < threads; i++) {
            UdpSocket socket = UdpSocket.open(bindAddr, port, true);
            try {
                setup.accept(socket);
            } catch (RuntimeException e) {
                socket.close();
                close();
                throw e;
            }
            Worker w = new Worker(socket);
            workers.add(w);
            w.thread = Thread.ofPlatform().name("udp-server-" + i).daemon().start(w);
        }
    }

    private final class Worker implements Runnable {
        final UdpSocket socket;
        final long[] stats = new long[Stat.MAX];
        Thread thread;

        Worker(UdpSocket socket) {
            this.socket = socket;
        }

        @Override
        public void run() {
            try (MsgBatch batch = MsgBatch.allocate(BATCH, SLOT)) {
                while (true) {
                    int n = socket.receiveBlocking(batch);
                    if (n < 0) {
                        return;
                    }
                    int out = 0;
                    for (int i = 0; i < n; i++) {
                        if (!allow.allows(batch.peerAddr(i))) {
                            stats[Stat.RX]++;
                            stats[Stat.DROP_NOT_ALLOWED]++;
                            continue;
                        }
                        int len = service.serve(batch.slot(i), Math.min(batch.length(i), SLOT), stats);
                        if (len < 0) {
                            continue;
                        }
                        if (out != i) {
                            batch.moveSlot(i, out);
                        }
                        batch.setLength(out++, len);
                    }
                    int sent = 0;
                    while (sent < out) {
                        int k = socket.send(batch, out, sent);
                        if (k <= 0) {
                            break; // socket buffer full: the clients time out and resend
                        }
                        sent += k;
                    }
                }
            }
        }
    }

    @Override
    public Map<String, Object> stats() {
        long[] sum = new long[Stat.MAX];
        for (Worker w : workers) {
            for (int i = 0; i < Stat.MAX; i++) {
                sum[i] += w.stats[i];
            }
        }
        return StatCounters.of(sum).named();
    }

    @Override
    public Map<String, Object> check() {
        return service.check();
    }

    @Override
    public Map<String, Object> dumpRecords(Path records, Path log) {
        return RecordDumps.of(service, records, log);
    }

    @Override
    public void close() {
        for (Worker w : workers) {
            w.socket.close();
        }
        for (Worker w : workers) {
            try {
                w.thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (service instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing " + service + " failed", e);
            }
        }
    }
}

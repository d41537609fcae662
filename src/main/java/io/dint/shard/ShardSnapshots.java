package io.dint.shard;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import io.dint.net.Ipv4;
import io.dint.wire.TxnMessage;
import io.dint.wire.Wire;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;

/**
 * What a recovering shard asks its replicas for (README, "Recovery"): every record a shard holds,
 * streamed over TCP on {@link #PORT}. Each entry is 56 bytes, little-endian,
 * {@code {key u64, version u32, exists u32, value[40]}}; a key of 0 ends the stream. A record is
 * copied under its spin word, so each is consistent; the snapshot as a whole is not (installs go
 * on meanwhile), and need not be: the recovering shard keeps the newer of what it gets, and the
 * installs still on their way reach it once it serves.
 */
public final class ShardSnapshots implements AutoCloseable {
    /** The snapshot port: the service's port + 1. */
    public static final int PORT = Wire.PORT + 1;
    static final int ENTRY = 16 + TxnMessage.VALUE_SIZE;
    /** Offsets within an entry. */
    static final int KEY = 0, VERSION = 8, EXISTS = 12, VALUE = 16;

    private final ServerSocket socket;
    private final Thread thread;
    private final ShardStore store;
    private final Runnable beforeSnapshot;
    private volatile boolean closed;

    /**
     * Serves snapshots of {@code store} on {@code bindAddr:port}; {@code beforeSnapshot} runs
     * first each time (the kernel shard writes its dirty cached records back into the store).
     */
    public ShardSnapshots(ShardStore store, int bindAddr, int port, Runnable beforeSnapshot) {
        this.store = store;
        this.beforeSnapshot = beforeSnapshot;
        try {
            socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(Ipv4.format(bindAddr)), port));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for snapshot requests on " + Ipv4.format(bindAddr) + ":" + port, e);
        }
        thread = Thread.ofPlatform().daemon().name("dint-snapshots").start(this::serve);
    }

    private void serve() {
        while (!closed) {
            try (Socket s = socket.accept(); OutputStream out = new BufferedOutputStream(s.getOutputStream(), 1 << 16)) {
                beforeSnapshot.run();
                write(store.records(), out);
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    System.err.println("dint: a snapshot was not sent: " + e);
                }
            }
        }
    }

    /** Writes every record of {@code records} (each copied under its spin word), then the end mark. */
    static void write(RecordTable records, OutputStream out) throws IOException {
        ByteBuffer entry = ByteBuffer.allocate(ENTRY).order(ByteOrder.LITTLE_ENDIAN);
        MemorySegment e = MemorySegment.ofArray(entry.array());
        IOException[] failed = {null};
        records.forEachRecord(r -> {
            if (failed[0] != null || !copy(records, r, e)) {
                return;
            }
            try {
                out.write(entry.array());
            } catch (IOException x) {
                failed[0] = x;
            }
        });
        if (failed[0] != null) {
            throw failed[0];
        }
        out.write(new byte[ENTRY]); // key 0: the end
        out.flush();
    }

    /**
     * Copies record r, under its spin word, as an entry into {@code entry}; false for a record a
     * lock created and no install ever wrote.
     */
    private static boolean copy(RecordTable records, long r, MemorySegment entry) {
        records.spin(r);
        try {
            if (!records.writtenAt(r)) {
                return false;
            }
            entry.set(JAVA_LONG_UNALIGNED, KEY, records.keyAt(r));
            entry.set(JAVA_INT_UNALIGNED, VERSION, records.versionAt(r));
            entry.set(JAVA_INT_UNALIGNED, EXISTS, records.existsAt(r) ? Wire.TXN_F_EXISTS : 0);
            MemorySegment.copy(records.memory(), r + RecordTable.VALUE, entry, VALUE, TxnMessage.VALUE_SIZE);
            return true;
        } finally {
            records.unspin(r);
        }
    }

    /** What {@link #fetch} hands over, record by record. */
    public interface Sink {
        /** A record: key, version, existence and the 40-byte value at {@code value[offset]}. */
        void record(long key, int version, boolean exists, MemorySegment value, long offset);
    }

    /**
     * Fetches the snapshot of the shard at {@code addr:port}, retrying the connection for up to
     * {@code timeout} (a peer may itself be starting). Returns how many records came.
     *
     * @throws UncheckedIOException when no snapshot could be had in time, or it broke off
     */
    public static long fetch(int addr, int port, Duration timeout, Sink sink) {
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getByName(Ipv4.format(addr)), port), 2000);
                s.setSoTimeout((int) Math.max(1000, timeout.toMillis()));
                return read(s.getInputStream(), sink);
            } catch (IOException e) {
                last = e;
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        throw new UncheckedIOException("no snapshot from " + Ipv4.format(addr) + ":" + port + " within " + timeout, last);
    }

    static long read(InputStream in, Sink sink) throws IOException {
        DataInputStream d = new DataInputStream(new BufferedInputStream(in, 1 << 16));
        byte[] entry = new byte[ENTRY];
        ByteBuffer b = ByteBuffer.wrap(entry).order(ByteOrder.LITTLE_ENDIAN);
        MemorySegment seg = MemorySegment.ofArray(entry);
        long n = 0;
        while (true) {
            try {
                d.readFully(entry);
            } catch (EOFException e) {
                throw new IOException("the snapshot broke off after " + n + " records", e);
            }
            long key = b.getLong(0);
            if (key == 0) {
                return n;
            }
            sink.record(key, b.getInt(8), b.getInt(12) != 0, seg, 16);
            n++;
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException e) {
            // closing
        }
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

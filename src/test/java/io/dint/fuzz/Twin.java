package io.dint.fuzz;

import io.dint.bpf.BpfObject;
import io.dint.server.DatagramService;
import io.dint.testing.ServiceProgram;
import io.dint.wire.Stat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/**
 * The Java side of a service under fuzz: its slow path (kv, shard), its Java twin that must
 * answer every well-formed request as the kernel did (lock2pl, occ, kv), and its maps' invariants.
 */
abstract class Twin implements AutoCloseable {
    /** Frames between two checks of the invariants ({@link #checkInvariants}, then {@link #batchDone}). */
    static final int BATCH = 1000;

    final long[] stats = new long[Stat.MAX];
    private final Arena arena = Arena.ofConfined();
    final MemorySegment buf = arena.allocate(2048, 8);

    static Twin of(ServiceProgram service) {
        return switch (service) {
            case LOCK2PL -> TableTwin.locks();
            case OCC -> TableTwin.occ();
            case LOG -> new LogTwin();
            case KV -> new KvTwin();
            case SHARD -> new ShardTwin();
        };
    }

    /** {@code service} serves {@code payload}; returns its reply, or null when it drops it. */
    byte[] serve(DatagramService service, byte[] payload) {
        MemorySegment.copy(MemorySegment.ofArray(payload), 0, buf, 0, payload.length);
        int n = service.serve(buf, payload.length, stats);
        return n < 0 ? null : buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
    }

    /** Asserts the twin's reply to {@code request} is {@code kernel}; nothing for services without a twin. */
    void compare(byte[] request, byte[] kernel, String what) {
    }

    byte[] slowPath(byte[] up) {
        throw new AssertionError("no slow path");
    }

    /** The loaded object under fuzz, before the first frame. */
    void attach(BpfObject obj) {
    }

    /** A well-formed request as the twin wants it sent (some carry state only the twin knows). */
    byte[] adjust(byte[] request, SplittableRandom rnd) {
        return request;
    }

    /** After batch {@code batch} (from 1) and its checks. */
    void batchDone(int batch) {
    }

    /** After the last frame: asserts what the fuzz must have reached. */
    void finish() {
    }

    /** {@code ok}: replies with status OK so far. */
    abstract void checkInvariants(BpfObject obj, int ok, String when);

    @Override
    public void close() {
        arena.close();
    }
}

package io.dint.log;

import io.dint.server.DatagramService;
import io.dint.wire.Header;
import io.dint.wire.LogMessage;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Status;
import java.lang.foreign.MemorySegment;

/**
 * The commit-log service in user space: each serving thread appends to a ring of its own (the
 * kernel's is per CPU), with the same checks, replies and counters as {@code log.bpf.c}: OK once
 * the record is in the ring, RETRY when the ring is full.
 */
public final class LogService implements DatagramService {
    private final LogRings rings;
    private final java.util.function.IntSupplier ring;

    public LogService(LogRings rings) {
        this.rings = rings;
        this.ring = rings.ringPerThread();
    }

    @Override
    public int serve(MemorySegment buf, int len, long[] stats) {
        if (!DatagramService.acceptLength(len, LogMessage.SIZE, stats)) {
            return -1;
        }
        if (Header.status(buf) != Status.REQUEST || Header.op(buf) != Op.LOG_APPEND) {
            stats[Stat.DROP_BAD_OP]++;
            return -1;
        }
        int status;
        if (rings.append(ring.getAsInt(), buf)) {
            status = Status.OK;
            stats[Stat.LOG_APPEND]++;
        } else {
            status = Status.RETRY;
            stats[Stat.LOG_FULL]++;
        }
        Header.setStatus(buf, status);
        stats[Stat.TX]++;
        return len;
    }
}

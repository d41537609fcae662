package io.dint.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bpf.BpfMap;
import io.dint.bpf.BpfObject;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** The log has no twin here (its Java rings are another file); its rings are checked and drained. */
final class LogTwin extends Twin {
    private long appended;

    @Override
    void checkInvariants(BpfObject obj, int ok, String when) {
        BpfMap cursors = obj.map("log_cursor");
        int slots = obj.map("log_ring").maxEntries() / cursors.maxEntries();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment c = a.allocate(Wire.LOG_CURSOR_SIZE, 8);
            for (int cpu = 0; cpu < cursors.maxEntries(); cpu++) {
                cursors.lookup(cpu, c);
                long head = c.get(ValueLayout.JAVA_LONG, Wire.LOG_CURSOR_HEAD);
                long tail = c.get(ValueLayout.JAVA_LONG, Wire.LOG_CURSOR_TAIL);
                assertThat(tail).as("ring %d tail <= head %s", cpu, when).isLessThanOrEqualTo(head);
                assertThat(head - tail).as("ring %d within its slots %s", cpu, when).isLessThanOrEqualTo(slots);
                appended += head - tail;
                c.set(ValueLayout.JAVA_LONG, Wire.LOG_CURSOR_TAIL, head); // drained, as the drainer would
                cursors.update(cpu, c);
            }
        }
        assertThat(appended).as("one ring record per ACKed append %s", when).isEqualTo(ok);
    }
}

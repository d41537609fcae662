package io.dint.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dint.bpf.BpfMap;
import io.dint.bpf.BpfObject;
import io.dint.lock.LockRules;
import io.dint.lock.LockTableCheck;
import io.dint.testing.CacheInvariants;
import io.dint.testing.ServiceProgram;
import io.dint.wire.Hash64;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** Each map invariant the fuzz tests check, shown to fail on a map where it was broken by hand. */
class InvariantsTest {
    @Test
    void brokenLockEntriesAreReported() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment t = arena.allocate(4L * Wire.LOCK_ENTRY_SIZE, 8);
            long e1 = Wire.LOCK_ENTRY_SIZE, e2 = 2L * Wire.LOCK_ENTRY_SIZE, e3 = 3L * Wire.LOCK_ENTRY_SIZE;
            t.set(ValueLayout.JAVA_INT, e1 + Wire.LOCK_ENTRY_EXCLUSIVE, 1); // a grant without a holder
            t.set(ValueLayout.JAVA_INT, e2 + Wire.LOCK_ENTRY_SHARED, 2); // shared grants without a sharer
            t.set(ValueLayout.JAVA_INT, e3 + Wire.LOCK_ENTRY_SHARED, 1); // a holder beside another's share
            t.set(ValueLayout.JAVA_LONG, e3 + Wire.LOCK_ENTRY_SHARER, 5);
            t.set(ValueLayout.JAVA_INT, e3 + Wire.LOCK_ENTRY_EXCLUSIVE, 1);
            t.set(ValueLayout.JAVA_LONG, e3 + Wire.LOCK_ENTRY_HOLDER, 6);
            t.set(ValueLayout.JAVA_INT, Wire.LOCK_ENTRY_SPIN, 1);
            assertThat(LockRules.inconsistency(t, 0)).isNull();
            assertThat(LockRules.inconsistency(t, e1)).contains("holder");
            assertThat(LockRules.inconsistency(t, e2)).contains("sharer");
            assertThat(LockRules.inconsistency(t, e3)).contains("beside");
            LockTableCheck c = LockTableCheck.scan(t, 4);
            assertThat(c.inconsistent()).isEqualTo(3);
            assertThat(c.spinning()).isEqualTo(1);
            assertThat(c.allFree()).isFalse();
        }
    }

    @Test
    void brokenCacheBucketsAreReported() {
        int buckets = ServiceProgram.KV_BUCKETS;
        try (BpfObject obj = ServiceProgram.KV.load(io.dint.server.Allowlist.ANY); Arena arena = Arena.ofConfined()) {
            BpfMap cache = obj.map("kv_cache");
            assertThat(CacheInvariants.violations(cache, buckets)).isEmpty();
            long key = 7;
            int home = (int) Long.remainderUnsigned(Hash64.hash(key), buckets);
            MemorySegment b = arena.allocate(Wire.KV_BUCKET_SIZE, 8);
            b.set(ValueLayout.JAVA_LONG, Wire.KV_BUCKET_LOCK, 1);
            for (int way = 0; way < 2; way++) { // the key twice, without its Bloom bit
                long slot = Wire.KV_BUCKET_SLOT + (long) way * Wire.KV_SLOT_SIZE;
                b.set(ValueLayout.JAVA_LONG, slot + Wire.KV_SLOT_OBJ + Wire.KV_OBJECT_KEY, key);
                b.set(ValueLayout.JAVA_BYTE, slot + Wire.KV_SLOT_VALID, (byte) 1);
            }
            cache.update(home, b);
            cache.update((home + 1) % buckets, b); // and in a bucket it does not hash to
            assertThat(CacheInvariants.violations(cache, buckets)).anyMatch(v -> v.contains("locked"))
                    .anyMatch(v -> v.contains("Bloom")).anyMatch(v -> v.contains("twice")).anyMatch(v -> v.contains("another bucket"));
        }
    }

    @Test
    void aLogCursorOutOfOrderOrAMissingRecordIsReported() {
        try (BpfObject obj = ServiceProgram.LOG.load(io.dint.server.Allowlist.ANY); Arena arena = Arena.ofConfined();
             Twin twin = Twin.of(ServiceProgram.LOG)) {
            twin.checkInvariants(obj, 0, "fresh");
            BpfMap cursors = obj.map("log_cursor");
            MemorySegment c = arena.allocate(Wire.LOG_CURSOR_SIZE, 8);
            cursors.lookup(0, c);
            c.set(ValueLayout.JAVA_LONG, Wire.LOG_CURSOR_HEAD, 3);
            cursors.update(0, c);
            assertThatThrownBy(() -> twin.checkInvariants(obj, 2, "three records for two ACKs")).isInstanceOf(AssertionError.class);
            c.set(ValueLayout.JAVA_LONG, Wire.LOG_CURSOR_TAIL, 5);
            cursors.update(0, c);
            assertThatThrownBy(() -> twin.checkInvariants(obj, 3, "tail past head")).hasMessageContaining("tail <= head");
        }
    }
}

package io.dint.testing;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.BitSet;

/** Pins the calling thread to CPUs, so that BPF test runs of a per-CPU program land where a test looks. */
public final class Cpu {
    private static final MethodHandle GETAFFINITY = bind("sched_getaffinity");
    private static final MethodHandle SETAFFINITY = bind("sched_setaffinity");
    private static final int MASK_BYTES = 128;

    private Cpu() {}

    @SuppressWarnings("restricted")
    private static MethodHandle bind(String name) {
        Linker linker = Linker.nativeLinker();
        return linker.downcallHandle(linker.defaultLookup().find(name).orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, java.lang.foreign.ValueLayout.ADDRESS));
    }

    /** The calling thread's CPU set. */
    public static BitSet affinity() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(MASK_BYTES);
            if ((int) GETAFFINITY.invokeExact(0, (long) MASK_BYTES, mask) != 0) {
                throw new IllegalStateException("sched_getaffinity failed");
            }
            return BitSet.valueOf(mask.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Restricts the calling thread to {@code cpus}. */
    public static void pin(BitSet cpus) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(MASK_BYTES);
            byte[] bits = cpus.toByteArray();
            MemorySegment.copy(bits, 0, mask, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, bits.length);
            if ((int) SETAFFINITY.invokeExact(0, (long) MASK_BYTES, mask) != 0) {
                throw new IllegalStateException("sched_setaffinity failed");
            }
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Restricts the calling thread to the first CPU it may run on; returns that CPU. */
    public static int pinToOne() {
        int cpu = affinity().nextSetBit(0);
        BitSet one = new BitSet();
        one.set(cpu);
        pin(one);
        return cpu;
    }
}

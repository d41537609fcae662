package io.dint.bpf;

import java.lang.foreign.MemorySegment;
import java.util.function.ToIntFunction;

/**
 * What a map and a program of a {@link BpfObject} share: the object, libbpf's pointer, the name,
 * and the fd the kernel gives it at load, asked for once and refused after the object is closed.
 */
abstract sealed class BpfObjectPart permits BpfMap, BpfProgram {
    final BpfObject owner;
    final MemorySegment ptr;
    final String name;
    private final String kind;
    private final ToIntFunction<MemorySegment> fdOf;
    private final String noFdHint;
    private int fd = -1;

    BpfObjectPart(BpfObject owner, MemorySegment ptr, String name, String kind, ToIntFunction<MemorySegment> fdOf,
            String noFdHint) {
        this.owner = owner;
        this.ptr = ptr;
        this.name = name;
        this.kind = kind;
        this.fdOf = fdOf;
        this.noFdHint = noFdHint;
    }

    /** The name it was asked for by: its C name (for a map also ".rodata" and the like). */
    public String name() {
        return name;
    }

    /** Its fd; the object must be loaded. */
    public int fd() {
        if (fd < 0) {
            owner.checkLoaded("the fd of " + kind + " '" + name + "'");
            int f = fdOf.applyAsInt(ptr);
            if (f < 0) {
                throw BpfException.of(kind + " '" + name + "' has no fd", -f, noFdHint);
            }
            fd = f;
        }
        owner.checkOpen(); // a closed object's fd numbers may already name other files
        return fd;
    }

    /** {@code rc} if it is not negative, else libbpf's -errno thrown as a BpfException. */
    static int check(int rc, String what, String hint) {
        if (rc < 0) {
            throw BpfException.of(what, -rc, hint);
        }
        return rc;
    }
}

package io.dint.bpf;

import static io.dint.bpf.LibBpf.LIBBPF;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.dint.sys.Errno;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A global variable of an opened object ({@code const volatile struct x name SEC(".rodata")}): the
 * section map it lives in, and its offset and size there, as the object's BTF says — the way a
 * libbpf skeleton finds {@code skel->rodata->name}. {@link #set} writes it in place before load,
 * and leaves the section's other variables as they are.
 */
public record BpfVariable(String name, BpfMap section, long offset, long size) {
    private static final int BTF_KIND_VAR = 14;
    private static final int BTF_KIND_DATASEC = 15;
    /** {@code struct btf_type}: name_off, info, size; a datasec's {@code btf_var_secinfo}s follow it. */
    private static final long BTF_TYPE_SIZE = 12;
    /** {@code struct btf_var_secinfo}: type, offset, size. */
    private static final long SECINFO_SIZE = 12;

    /**
     * Writes {@code value} — exactly the variable's size, so that a Java layout that has drifted
     * from the C struct is refused here rather than read wrongly by the program — at the
     * variable's offset in its section; before load.
     */
    public void set(MemorySegment value) {
        requireSize(value.byteSize(), "the value written is");
        section.initialValue().asSlice(offset, size).copyFrom(value);
    }

    /** Checks that {@code layout} is as long as this variable, and returns it. */
    public MemoryLayout check(MemoryLayout layout) {
        requireSize(layout.byteSize(), "its Java layout is");
        return layout;
    }

    private void requireSize(long bytes, String what) {
        if (bytes != size) {
            throw new IllegalArgumentException("variable '" + name + "' of " + section.owner.fileName() + " is " + size
                    + " bytes (BTF), " + what + " " + bytes + ": the Java layout differs from the C one");
        }
    }

    /** The variable {@code name} of {@code object}, found in the datasecs of its BTF. */
    @SuppressWarnings("restricted") // libbpf's btf_type records, of the sizes their vlen gives
    static BpfVariable find(BpfObject object, MemorySegment obj, String name) {
        MemorySegment btf = LIBBPF.bpf_object__btf(obj);
        List<String> known = new ArrayList<>();
        if (!btf.equals(MemorySegment.NULL)) {
            int count = LIBBPF.btf__type_cnt(btf);
            for (int id = 1; id < count; id++) {
                MemorySegment t = LIBBPF.btf__type_by_id(btf, id).reinterpret(BTF_TYPE_SIZE);
                int info = t.get(JAVA_INT, 4);
                if ((info >>> 24 & 0x1f) != BTF_KIND_DATASEC) {
                    continue;
                }
                String section = nameOf(btf, t);
                int vlen = info & 0xffff;
                MemorySegment secinfo = t.reinterpret(BTF_TYPE_SIZE + vlen * SECINFO_SIZE);
                for (int i = 0; i < vlen; i++) {
                    long at = BTF_TYPE_SIZE + i * SECINFO_SIZE;
                    MemorySegment v = LIBBPF.btf__type_by_id(btf, secinfo.get(JAVA_INT, at)).reinterpret(BTF_TYPE_SIZE);
                    if ((v.get(JAVA_INT, 4) >>> 24 & 0x1f) != BTF_KIND_VAR) {
                        continue;
                    }
                    String var = nameOf(btf, v);
                    if (var.equals(name)) {
                        return new BpfVariable(name, object.map(section), Integer.toUnsignedLong(secinfo.get(JAVA_INT, at + 4)),
                                Integer.toUnsignedLong(secinfo.get(JAVA_INT, at + 8)));
                    }
                    if (section.startsWith(".rodata") || section.startsWith(".data") || section.startsWith(".bss")) {
                        known.add(var);
                    }
                }
            }
        }
        throw new BpfException("BPF object " + object.fileName() + " has no global variable '" + name + "' (it has " + known
                + "). Check the name in the .bpf.c file; a variable the program never reads is left out by the compiler",
                Errno.ENOENT);
    }

    private static String nameOf(MemorySegment btf, MemorySegment type) {
        return LIBBPF.btf__name_by_offset(btf, type.get(JAVA_INT, 0)).getString(0);
    }
}

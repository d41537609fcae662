package io.dint.bpf;

import static io.dint.bpf.LibBpf.LIBBPF;
import static io.dint.sys.Libc.LIBC;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.dint.sys.Errno;
import io.dint.sys.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * One map of a {@link BpfObject}. Its definition (size, initial contents) may be changed until
 * the object is loaded; its elements may be read and written once it is, from any thread.
 *
 * <p>Keys and values are {@link MemorySegment}s, native or on the heap
 * ({@code MemorySegment.ofArray(bytes)}), at least {@link #keySize()} and {@link #valueBytes()}
 * bytes long. A per-CPU map's value holds one {@link #perCpuValueSize()} slot per possible CPU.
 */
public final class BpfMap extends BpfObjectPart {

    /** Update flags (BPF_ANY, BPF_NOEXIST, BPF_EXIST, BPF_F_LOCK). */
    public static final long ANY = 0;
    public static final long NOEXIST = 1;
    public static final long EXIST = 2;
    public static final long F_LOCK = 4;

    /** The per-CPU ones of enum bpf_map_type. */
    static final int TYPE_PERCPU_HASH = 5;
    static final int TYPE_PERCPU_ARRAY = 6;
    static final int TYPE_LRU_PERCPU_HASH = 10;
    static final int TYPE_PERCPU_CGROUP_STORAGE = 21;

    /** A per-thread 4-byte key for the int-key helpers: no allocation per call. */
    private static final ThreadLocal<MemorySegment> INT_KEY =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(JAVA_INT));

    /** libbpf_num_possible_cpus(), or -errno. */
    private static final int POSSIBLE_CPUS = LIBBPF.libbpf_num_possible_cpus();

    private final int type;
    private final int keySize;
    private final int valueSize;
    private final boolean perCpu;

    BpfMap(BpfObject owner, MemorySegment map, String name) {
        super(owner, map, name, "map", LIBBPF::bpf_map__fd, "Was it created by load()?");
        this.type = LIBBPF.bpf_map__type(map);
        this.keySize = LIBBPF.bpf_map__key_size(map);
        this.valueSize = LIBBPF.bpf_map__value_size(map);
        this.perCpu = type == TYPE_PERCPU_HASH || type == TYPE_PERCPU_ARRAY
                || type == TYPE_LRU_PERCPU_HASH || type == TYPE_PERCPU_CGROUP_STORAGE;
    }

    /** The kernel's map type (enum bpf_map_type: 1 hash, 2 array, 6 per-CPU array, ...). */
    public int type() {
        return type;
    }

    public int keySize() {
        return keySize;
    }

    public int valueSize() {
        return valueSize;
    }

    public int maxEntries() {
        owner.checkOpen();
        return LIBBPF.bpf_map__max_entries(ptr);
    }

    /** Whether each element holds one value per possible CPU. */
    public boolean perCpu() {
        return perCpu;
    }

    /** The space one CPU's value takes in a per-CPU lookup: the value size rounded up to 8. */
    public int perCpuValueSize() {
        return (valueSize + 7) & ~7;
    }

    /** The bytes a lookup writes: the value size, or one slot per possible CPU for per-CPU maps. */
    public long valueBytes() {
        return perCpu ? (long) perCpuValueSize() * possibleCpus() : valueSize;
    }

    /** The number of possible CPUs (libbpf_num_possible_cpus), the slot count of per-CPU values. */
    public static int possibleCpus() {
        if (POSSIBLE_CPUS <= 0) {
            throw BpfException.of("libbpf_num_possible_cpus", -POSSIBLE_CPUS,
                    "check that /sys/devices/system/cpu/possible is readable");
        }
        return POSSIBLE_CPUS;
    }

    /** Resizes the map; before load. */
    public void setMaxEntries(int n) {
        owner.checkNotLoaded("setMaxEntries on map '" + name + "'");
        if (n <= 0) {
            throw new IllegalArgumentException("max_entries of map '" + name + "' must be positive: " + n);
        }
        check(LIBBPF.bpf_map__set_max_entries(ptr, n), "bpf_map__set_max_entries(" + name + ", " + n + ") failed",
                "Resize before load()");
    }

    /**
     * Replaces the initial contents of a global-variable map (".rodata", ".data", ".bss"); before
     * load. {@code bytes} must be exactly {@link #valueSize()} long.
     */
    public void setInitialValue(MemorySegment bytes) {
        owner.checkNotLoaded("setInitialValue on map '" + name + "'");
        if (bytes.byteSize() != valueSize) {
            throw new IllegalArgumentException("initial value of map '" + name + "' must be "
                    + valueSize + " bytes (the whole section), not " + bytes.byteSize());
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment copy = arena.allocate(valueSize).copyFrom(bytes);
            check(LIBBPF.bpf_map__set_initial_value(ptr, copy, valueSize), "bpf_map__set_initial_value(" + name
                    + ") failed", "Only global-variable maps (.rodata, .data, .bss) have an initial value");
        }
    }

    /**
     * The initial contents of a global-variable map, writable in place until load (the segment
     * becomes inaccessible then). Variables sit at their BTF offsets within the section.
     */
    @SuppressWarnings("restricted") // libbpf's mmap of the section, of the size libbpf reports
    public MemorySegment initialValue() {
        owner.checkNotLoaded("initialValue of map '" + name + "'");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment size = arena.allocate(JAVA_LONG);
            MemorySegment data = LIBBPF.bpf_map__initial_value(ptr, size);
            if (data.equals(MemorySegment.NULL)) {
                throw new BpfException("map '" + name + "' has no initial value: only global-variable "
                        + "maps (.rodata, .data, .bss) have one", Errno.EINVAL);
            }
            return data.reinterpret(size.get(JAVA_LONG, 0), owner.setupArena(), null);
        }
    }

    /** Copies the value stored under {@code key} into {@code value}; false if there is none. */
    public boolean lookup(MemorySegment key, MemorySegment value) {
        checkKey(key);
        checkValue(value);
        int rc = LIBBPF.bpf_map_lookup_elem(fd(), key, value);
        if (rc == -Errno.ENOENT) {
            return false;
        }
        if (rc < 0) { // the message is built only on failure: lookups may sit on hot paths
            throw BpfException.of("bpf_map_lookup_elem on map '" + name + "' failed", -rc,
                    "Check the key and value sizes against the map definition");
        }
        return true;
    }

    /** Stores {@code value} under {@code key}; {@code flags} is {@link #ANY}, {@link #NOEXIST} or {@link #EXIST}. */
    public void update(MemorySegment key, MemorySegment value, long flags) {
        checkKey(key);
        checkValue(value);
        int rc = LIBBPF.bpf_map_update_elem(fd(), key, value, flags);
        if (rc < 0) {
            String hint = switch (-rc) {
                case Errno.E2BIG -> "The map is full (max_entries " + maxEntries()
                        + ", or the index is out of range for an array): resize it with setMaxEntries before load";
                case Errno.EEXIST -> "The key exists and NOEXIST was asked for";
                case Errno.ENOENT -> "The key does not exist and EXIST was asked for";
                default -> "Check the flags and the map type (arrays cannot take NOEXIST)";
            };
            throw BpfException.of("bpf_map_update_elem on map '" + name + "' failed", -rc, hint);
        }
    }

    public void update(MemorySegment key, MemorySegment value) {
        update(key, value, ANY);
    }

    /** Removes the element under {@code key}; false if there was none. Arrays cannot delete. */
    public boolean delete(MemorySegment key) {
        checkKey(key);
        int rc = LIBBPF.bpf_map_delete_elem(fd(), key);
        if (rc == -Errno.ENOENT) {
            return false;
        }
        if (rc < 0) {
            throw BpfException.of("bpf_map_delete_elem on map '" + name + "' failed", -rc,
                    "Array maps cannot delete: write a zero value instead");
        }
        return true;
    }

    /**
     * Writes the key after {@code key} (the first key if {@code key} is null) into {@code next};
     * false when there is none. Iterating a hash map that changes meanwhile may restart.
     */
    public boolean nextKey(MemorySegment key, MemorySegment next) {
        if (key != null) {
            checkKey(key);
        }
        if (next.byteSize() < keySize) {
            throw new IllegalArgumentException("next key of map '" + name + "' needs " + keySize
                    + " bytes, got " + next.byteSize());
        }
        int rc = LIBBPF.bpf_map_get_next_key(fd(), key == null ? MemorySegment.NULL : key, next);
        if (rc == -Errno.ENOENT) {
            return false;
        }
        if (rc < 0) {
            throw BpfException.of("bpf_map_get_next_key on map '" + name + "' failed", -rc,
                    "Check the key size against the map definition");
        }
        return true;
    }

    /**
     * Copies every element of an array map, in index order, into {@code into} (at least
     * {@code maxEntries() * valueSize()} bytes): one lookup per element, for checks at quiescence.
     */
    public void copyAll(MemorySegment into) {
        long n = maxEntries();
        if (into.byteSize() < n * valueSize) {
            throw new IllegalArgumentException("copying map '" + name + "' needs " + n * valueSize
                    + " bytes, got " + into.byteSize());
        }
        for (int i = 0; i < n; i++) {
            lookup(i, into.asSlice((long) i * valueSize, valueSize));
        }
    }

    /** {@link #lookup(MemorySegment, MemorySegment)} with a 4-byte key (array index). */
    public boolean lookup(int key, MemorySegment value) {
        return lookup(intKey(key), value);
    }

    /** {@link #update(MemorySegment, MemorySegment, long)} with a 4-byte key (array index). */
    public void update(int key, MemorySegment value, long flags) {
        update(intKey(key), value, flags);
    }

    public void update(int key, MemorySegment value) {
        update(intKey(key), value, ANY);
    }

    /** The sum over all possible CPUs of a per-CPU u64 counter at {@code index}. */
    public long sumPerCpuLong(int index) {
        long sum = 0;
        for (long v : perCpuLongs(index)) {
            sum += v;
        }
        return sum;
    }

    /** Each possible CPU's u64 (or u32) counter at {@code index}; zeros if the index has no element. */
    public long[] perCpuLongs(int index) {
        if (!perCpu) {
            throw new IllegalStateException("map '" + name + "' is not a per-CPU map");
        }
        if (valueSize != 8 && valueSize != 4) {
            throw new IllegalStateException("map '" + name + "' holds " + valueSize
                    + "-byte values, not u64 or u32 counters");
        }
        int cpus = possibleCpus();
        long[] out = new long[cpus];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(valueBytes(), 8);
            if (lookup(index, value)) {
                int stride = perCpuValueSize();
                for (int cpu = 0; cpu < cpus; cpu++) {
                    out[cpu] = valueSize == 8 ? value.get(JAVA_LONG, (long) cpu * stride)
                            : Integer.toUnsignedLong(value.get(JAVA_INT, (long) cpu * stride));
                }
            }
        }
        return out;
    }

    /** Pins the map at {@code path} on a BPF file system ({@link BpfFs#ensureMounted()}). */
    public void pin(Path path) {
        fd();
        BpfFs.pin("bpf_map__pin(" + name + ", " + path + ")", path, p -> LIBBPF.bpf_map__pin(ptr, p), BpfFs::pinHint);
    }

    /**
     * Pins the map at {@code path} when the object is loaded — or, when something is pinned there
     * already, makes load() reuse that map instead of creating one, so a restarted process finds
     * the state of its predecessor. Before load; the parent directory must exist.
     */
    public void setPinPath(Path path) {
        owner.checkNotLoaded("setPinPath on map '" + name + "'");
        BpfFs.pin("bpf_map__set_pin_path(" + name + ", " + path + ")", path,
                p -> LIBBPF.bpf_map__set_pin_path(ptr, p), BpfFs::pinHint);
    }

    /**
     * Maps the elements of an array map created with {@code BPF_F_MMAPABLE} into this process,
     * read-write and shared with the kernel: element i at {@code i * round_up(valueSize, 8)}.
     * Unmapped when {@code arena} closes; the mapping keeps the map alive after the object closes.
     */
    @SuppressWarnings("restricted") // the kernel's mapping, of the size asked for
    public MemorySegment mmap(Arena arena) {
        long size = ((long) maxEntries() * ((valueSize + 7) & ~7) + 4095) & ~4095L;
        long addr = LIBC.mmap(0, size, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, fd(), 0);
        if (addr < 0) {
            throw BpfException.of("mmap of map '" + name + "' failed", (int) -addr,
                    "Only array maps declared with map_flags BPF_F_MMAPABLE can be mapped");
        }
        return MemorySegment.ofAddress(addr).reinterpret(size, arena, a -> LIBC.munmap(a.address(), size));
    }

    /** Removes the pin at {@code path}. */
    public void unpin(Path path) {
        owner.checkOpen();
        BpfFs.pin("bpf_map__unpin(" + name + ", " + path + ")", path, p -> LIBBPF.bpf_map__unpin(ptr, p),
                errno -> "Was the map pinned at exactly this path?");
    }

    @Override
    public String toString() {
        return "BpfMap[" + name + ", type " + type + ", key " + keySize + ", value " + valueSize + "]";
    }

    private MemorySegment intKey(int key) {
        if (keySize != 4) {
            throw new IllegalStateException("map '" + name + "' has " + keySize + "-byte keys, not 4");
        }
        MemorySegment k = INT_KEY.get();
        k.set(JAVA_INT, 0, key);
        return k;
    }

    private void checkKey(MemorySegment key) {
        if (key.byteSize() < keySize) {
            throw new IllegalArgumentException("key of map '" + name + "' needs " + keySize
                    + " bytes, got " + key.byteSize());
        }
    }

    /** The kernel writes valueBytes() whatever the segment's size: a short one would be overrun. */
    private void checkValue(MemorySegment value) {
        if (value.byteSize() < valueBytes()) {
            throw new IllegalArgumentException("value of map '" + name + "' needs " + valueBytes()
                    + " bytes" + (perCpu ? " (" + perCpuValueSize() + " per possible CPU x "
                    + possibleCpus() + ")" : "") + ", got " + value.byteSize());
        }
    }
}

package io.dint.bpf;

import io.dint.sys.Native;
import io.dint.sys.Native.CString;
import io.dint.sys.Native.Critical;
import io.dint.sys.Native.SetsErrno;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandles;

/**
 * The libbpf 1.x functions this package uses ({@link #LIBBPF}), bound by {@link Native}: one line
 * each, named as in C.
 *
 * <p>libbpf 1.x returns -errno from a function returning {@code int}, which is the errno discipline
 * of every binding here ({@link io.dint.sys.Errno}); a function returning a pointer returns NULL and
 * sets errno, so those are {@link SetsErrno} and {@link io.dint.sys.Errno#last()} says why. The map
 * element functions are {@link Critical}: one short system call each, never calling back into Java,
 * so they take heap segments ({@code MemorySegment.ofArray(bytes)}) without a copy.
 */
interface LibBpf {
    /** libbpf, with its messages going to {@link LibbpfLog}. */
    LibBpf LIBBPF = load();

    @SuppressWarnings("restricted") // loading the library is what binding it takes
    private static LibBpf load() {
        SymbolLookup library;
        try {
            library = SymbolLookup.libraryLookup("libbpf.so.1", Arena.global());
        } catch (IllegalArgumentException e) {
            throw new BpfException("cannot load libbpf.so.1: " + e.getMessage()
                    + ". Install libbpf 1.x (Debian: apt-get install libbpf1)", 0, e);
        }
        LibBpf bound;
        try {
            bound = Native.bind(MethodHandles.lookup(), LibBpf.class, library, "libbpf.so.1");
        } catch (IllegalStateException e) {
            throw new BpfException(e.getMessage() + ": libbpf 1.1 or newer is required", 0, e);
        }
        LibbpfLog.install(bound);
        return bound;
    }

    // bpf_object
    @SetsErrno
    MemorySegment bpf_object__open_file(MemorySegment path, MemorySegment opts);

    int bpf_object__load(MemorySegment obj);

    void bpf_object__close(MemorySegment obj);

    MemorySegment bpf_object__find_map_by_name(MemorySegment obj, MemorySegment name);

    MemorySegment bpf_object__find_program_by_name(MemorySegment obj, MemorySegment name);

    MemorySegment bpf_object__next_program(MemorySegment obj, MemorySegment prev);

    MemorySegment bpf_object__next_map(MemorySegment obj, MemorySegment prev);

    /** The object's BTF (libbpf's, datasec offsets fixed up at open); NULL when it has none. */
    MemorySegment bpf_object__btf(MemorySegment obj);

    // btf: the types of the object, for its global variables
    int btf__type_cnt(MemorySegment btf);

    /** A {@code struct btf_type}, followed by its kind's members (a datasec's {@code btf_var_secinfo}s). */
    MemorySegment btf__type_by_id(MemorySegment btf, int id);

    @CString
    MemorySegment btf__name_by_offset(MemorySegment btf, int offset);

    // bpf_map, before load
    int bpf_map__fd(MemorySegment map);

    @CString
    MemorySegment bpf_map__name(MemorySegment map);

    int bpf_map__type(MemorySegment map);

    int bpf_map__key_size(MemorySegment map);

    int bpf_map__value_size(MemorySegment map);

    int bpf_map__max_entries(MemorySegment map);

    int bpf_map__set_max_entries(MemorySegment map, int n);

    int bpf_map__set_initial_value(MemorySegment map, MemorySegment data, long size);

    MemorySegment bpf_map__initial_value(MemorySegment map, MemorySegment size);

    int bpf_map__pin(MemorySegment map, MemorySegment path);

    int bpf_map__unpin(MemorySegment map, MemorySegment path);

    int bpf_map__set_pin_path(MemorySegment map, MemorySegment path);

    // map elements, by fd
    @Critical
    int bpf_map_lookup_elem(int fd, MemorySegment key, MemorySegment value);

    @Critical
    int bpf_map_update_elem(int fd, MemorySegment key, MemorySegment value, long flags);

    @Critical
    int bpf_map_delete_elem(int fd, MemorySegment key);

    @Critical
    int bpf_map_get_next_key(int fd, MemorySegment key, MemorySegment next);

    // bpf_program
    int bpf_program__fd(MemorySegment prog);

    @CString
    MemorySegment bpf_program__name(MemorySegment prog);

    int bpf_program__set_log_buf(MemorySegment prog, MemorySegment buf, long size);

    int bpf_program__set_log_level(MemorySegment prog, int level);

    @SetsErrno
    MemorySegment bpf_program__attach_xdp(MemorySegment prog, int ifindex);

    /** {@code opts}: a {@link BpfStructs#BPF_TEST_RUN_OPTS}. */
    int bpf_prog_test_run_opts(int fd, MemorySegment opts);

    /** {@code info}: a {@link BpfStructs#BPF_PROG_INFO}; {@code length}: its size in, what the kernel filled out. */
    int bpf_obj_get_info_by_fd(int fd, MemorySegment info, MemorySegment length);

    // bpf_link
    int bpf_link__destroy(MemorySegment link);

    int bpf_link__pin(MemorySegment link, MemorySegment path);

    int bpf_link__fd(MemorySegment link);

    // tc: hook is a BpfStructs.BPF_TC_HOOK, opts a BPF_TC_OPTS
    int bpf_tc_hook_create(MemorySegment hook);

    int bpf_tc_hook_destroy(MemorySegment hook);

    int bpf_tc_attach(MemorySegment hook, MemorySegment opts);

    int bpf_tc_detach(MemorySegment hook, MemorySegment opts);

    // libbpf itself
    int libbpf_num_possible_cpus();

    MemorySegment libbpf_set_print(MemorySegment printFn);

    int libbpf_strerror(int err, MemorySegment buf, long size);
}

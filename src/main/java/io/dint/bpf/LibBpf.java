package io.dint.bpf;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The libbpf 1.x (and the few libc) functions this package uses, bound by hand with the FFM API.
 *
 * <p>libbpf 1.x reports errors in two ways: functions returning {@code int} return {@code -errno}
 * directly, functions returning a pointer return NULL and set {@code errno}. Only the latter are
 * linked with {@code captureCallState("errno")}; their wrappers take the capture segment first.
 * The map element functions are linked {@code critical(true)}: they are one short syscall, never
 * call back into Java, and so may be handed heap segments (a {@code byte[]} wrapped with
 * {@link MemorySegment#ofArray(byte[])}) without copying.
 */
@SuppressWarnings("restricted") // the point of this class: everything unsafe is here
final class LibBpf {

    static final Linker LINKER = Linker.nativeLinker();
    static final SymbolLookup BPF = loadLibbpf();
    static final SymbolLookup LIBC = LINKER.defaultLookup().or(
            SymbolLookup.libraryLookup("libc.so.6", Arena.global()));

    /** A pointer whose target can be read as a C string. */
    static final AddressLayout C_STRING =
            ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(Long.MAX_VALUE, JAVA_BYTE));

    static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final Linker.Option ERRNO_OPT = Linker.Option.captureCallState("errno");
    private static final Linker.Option CRITICAL = Linker.Option.critical(true);

    private static SymbolLookup loadLibbpf() {
        try {
            return SymbolLookup.libraryLookup("libbpf.so.1", Arena.global());
        } catch (IllegalArgumentException e) {
            throw new BpfException("cannot load libbpf.so.1: " + e.getMessage()
                    + ". Install libbpf 1.x (Debian: apt-get install libbpf1)", 0, e);
        }
    }

    private static MethodHandle bpf(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment symbol = BPF.find(name).orElseThrow(() -> new BpfException(
                "libbpf.so.1 has no function " + name + ": libbpf 1.1 or newer is required", 0));
        return LINKER.downcallHandle(symbol, fd, options);
    }

    private static MethodHandle libc(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment symbol = LIBC.find(name).orElseThrow(
                () -> new BpfException("libc has no function " + name, 0));
        return LINKER.downcallHandle(symbol, fd, options);
    }

    private static FunctionDescriptor fn(MemoryLayout ret, MemoryLayout... args) {
        return FunctionDescriptor.of(ret, args);
    }

    // --- bpf_object ---
    private static final MethodHandle OBJECT_OPEN_FILE =
            bpf("bpf_object__open_file", fn(ADDRESS, ADDRESS, ADDRESS), ERRNO_OPT);
    private static final MethodHandle OBJECT_LOAD = bpf("bpf_object__load", fn(JAVA_INT, ADDRESS));
    private static final MethodHandle OBJECT_CLOSE =
            bpf("bpf_object__close", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle OBJECT_FIND_MAP =
            bpf("bpf_object__find_map_by_name", fn(ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle OBJECT_FIND_PROGRAM =
            bpf("bpf_object__find_program_by_name", fn(ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle OBJECT_NEXT_PROGRAM =
            bpf("bpf_object__next_program", fn(ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle OBJECT_NEXT_MAP =
            bpf("bpf_object__next_map", fn(ADDRESS, ADDRESS, ADDRESS));

    // --- bpf_map (object-level) ---
    private static final MethodHandle MAP_FD = bpf("bpf_map__fd", fn(JAVA_INT, ADDRESS));
    private static final MethodHandle MAP_NAME = bpf("bpf_map__name", fn(C_STRING, ADDRESS));
    private static final MethodHandle MAP_TYPE = bpf("bpf_map__type", fn(JAVA_INT, ADDRESS));
    private static final MethodHandle MAP_KEY_SIZE = bpf("bpf_map__key_size", fn(JAVA_INT, ADDRESS));
    private static final MethodHandle MAP_VALUE_SIZE =
            bpf("bpf_map__value_size", fn(JAVA_INT, ADDRESS));
    private static final MethodHandle MAP_MAX_ENTRIES =
            bpf("bpf_map__max_entries", fn(JAVA_INT, ADDRESS));
    private static final MethodHandle MAP_SET_MAX_ENTRIES =
            bpf("bpf_map__set_max_entries", fn(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle MAP_SET_INITIAL_VALUE =
            bpf("bpf_map__set_initial_value", fn(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle MAP_INITIAL_VALUE =
            bpf("bpf_map__initial_value", fn(ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle MAP_PIN = bpf("bpf_map__pin", fn(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle MAP_UNPIN =
            bpf("bpf_map__unpin", fn(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle MAP_SET_PIN_PATH =
            bpf("bpf_map__set_pin_path", fn(JAVA_INT, ADDRESS, ADDRESS));

    // --- map elements (fd-level, bpf.h) ---
    private static final MethodHandle MAP_LOOKUP_ELEM =
            bpf("bpf_map_lookup_elem", fn(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), CRITICAL);
    private static final MethodHandle MAP_UPDATE_ELEM = bpf("bpf_map_update_elem",
            fn(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG), CRITICAL);
    private static final MethodHandle MAP_DELETE_ELEM =
            bpf("bpf_map_delete_elem", fn(JAVA_INT, JAVA_INT, ADDRESS), CRITICAL);
    private static final MethodHandle MAP_GET_NEXT_KEY =
            bpf("bpf_map_get_next_key", fn(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), CRITICAL);

    // --- bpf_program ---
    private static final MethodHandle PROGRAM_FD = bpf("bpf_program__fd", fn(JAVA_INT, ADDRESS));
    private static final MethodHandle PROGRAM_NAME =
            bpf("bpf_program__name", fn(C_STRING, ADDRESS));
    private static final MethodHandle PROGRAM_SET_LOG_BUF =
            bpf("bpf_program__set_log_buf", fn(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle PROGRAM_SET_LOG_LEVEL =
            bpf("bpf_program__set_log_level", fn(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle PROGRAM_ATTACH_XDP =
            bpf("bpf_program__attach_xdp", fn(ADDRESS, ADDRESS, JAVA_INT), ERRNO_OPT);
    private static final MethodHandle PROG_TEST_RUN_OPTS =
            bpf("bpf_prog_test_run_opts", fn(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle OBJ_GET_INFO_BY_FD =
            bpf("bpf_obj_get_info_by_fd", fn(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));

    // --- bpf_link ---
    private static final MethodHandle LINK_DESTROY = bpf("bpf_link__destroy", fn(JAVA_INT, ADDRESS));
    private static final MethodHandle LINK_PIN = bpf("bpf_link__pin", fn(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle LINK_FD = bpf("bpf_link__fd", fn(JAVA_INT, ADDRESS));

    // --- tc ---
    private static final MethodHandle TC_HOOK_CREATE = bpf("bpf_tc_hook_create", fn(JAVA_INT, ADDRESS));
    private static final MethodHandle TC_HOOK_DESTROY =
            bpf("bpf_tc_hook_destroy", fn(JAVA_INT, ADDRESS));
    private static final MethodHandle TC_ATTACH = bpf("bpf_tc_attach", fn(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle TC_DETACH = bpf("bpf_tc_detach", fn(JAVA_INT, ADDRESS, ADDRESS));

    // --- misc ---
    private static final MethodHandle NUM_POSSIBLE_CPUS =
            bpf("libbpf_num_possible_cpus", fn(JAVA_INT));
    private static final MethodHandle SET_PRINT = bpf("libbpf_set_print", fn(ADDRESS, ADDRESS));
    private static final MethodHandle STRERROR =
            bpf("libbpf_strerror", fn(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG));

    // --- libc ---
    private static final MethodHandle VSNPRINTF =
            libc("vsnprintf", fn(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));
    /** syscall(long nr, long a1, void *a2, long a3): the one shape we need (bpf(2)). */
    private static final MethodHandle SYSCALL = libc("syscall",
            fn(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG),
            Linker.Option.firstVariadicArg(1), ERRNO_OPT);
    private static final MethodHandle CLOSE = libc("close", fn(JAVA_INT, JAVA_INT));
    private static final MethodHandle MMAP = libc("mmap",
            fn(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), ERRNO_OPT);
    private static final MethodHandle MUNMAP = libc("munmap", fn(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle MOUNT = libc("mount",
            fn(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS), ERRNO_OPT);
    private static final MethodHandle IF_NAMETOINDEX =
            libc("if_nametoindex", fn(JAVA_INT, ADDRESS), ERRNO_OPT);

    private static final int POSSIBLE_CPUS;

    static {
        LibbpfLog.install();
        try {
            POSSIBLE_CPUS = (int) NUM_POSSIBLE_CPUS.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private LibBpf() {
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    /** errno as captured into a {@link #CALL_STATE} segment by the last call. */
    static int errno(MemorySegment callState) {
        return (int) ERRNO.get(callState, 0L);
    }

    static int possibleCpus() {
        if (POSSIBLE_CPUS <= 0) {
            throw BpfException.of("libbpf_num_possible_cpus", -POSSIBLE_CPUS,
                    "check that /sys/devices/system/cpu/possible is readable");
        }
        return POSSIBLE_CPUS;
    }

    static String string(MemorySegment cString) {
        return cString.equals(MemorySegment.NULL) ? null : cString.getString(0);
    }

    static MemorySegment objectOpenFile(MemorySegment state, MemorySegment path) {
        try {
            return (MemorySegment) OBJECT_OPEN_FILE.invokeExact(state, path, MemorySegment.NULL);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int objectLoad(MemorySegment obj) {
        try {
            return (int) OBJECT_LOAD.invokeExact(obj);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void objectClose(MemorySegment obj) {
        try {
            OBJECT_CLOSE.invokeExact(obj);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static MemorySegment objectFindMap(MemorySegment obj, MemorySegment name) {
        try {
            return (MemorySegment) OBJECT_FIND_MAP.invokeExact(obj, name);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static MemorySegment objectFindProgram(MemorySegment obj, MemorySegment name) {
        try {
            return (MemorySegment) OBJECT_FIND_PROGRAM.invokeExact(obj, name);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static MemorySegment objectNextProgram(MemorySegment obj, MemorySegment prev) {
        try {
            return (MemorySegment) OBJECT_NEXT_PROGRAM.invokeExact(obj, prev);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static MemorySegment objectNextMap(MemorySegment obj, MemorySegment prev) {
        try {
            return (MemorySegment) OBJECT_NEXT_MAP.invokeExact(obj, prev);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int mapFd(MemorySegment map) {
        try {
            return (int) MAP_FD.invokeExact(map);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static String mapName(MemorySegment map) {
        try {
            return string((MemorySegment) MAP_NAME.invokeExact(map));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int mapType(MemorySegment map) {
        try {
            return (int) MAP_TYPE.invokeExact(map);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int mapKeySize(MemorySegment map) {
        try {
            return (int) MAP_KEY_SIZE.invokeExact(map);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int mapValueSize(MemorySegment map) {
        try {
            return (int) MAP_VALUE_SIZE.invokeExact(map);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int mapMaxEntries(MemorySegment map) {
        try {
            return (int) MAP_MAX_ENTRIES.invokeExact(map);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int mapSetMaxEntries(MemorySegment map, int n) {
        try {
            return (int) MAP_SET_MAX_ENTRIES.invokeExact(map, n);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int mapSetInitialValue(MemorySegment map, MemorySegment data, long size) {
        try {
            return (int) MAP_SET_INITIAL_VALUE.invokeExact(map, data, size);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static MemorySegment mapInitialValue(MemorySegment map, MemorySegment psize) {
        try {
            return (MemorySegment) MAP_INITIAL_VALUE.invokeExact(map, psize);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int mapPin(MemorySegment map, MemorySegment path) {
        try {
            return (int) MAP_PIN.invokeExact(map, path);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int mapUnpin(MemorySegment map, MemorySegment path) {
        try {
            return (int) MAP_UNPIN.invokeExact(map, path);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int mapSetPinPath(MemorySegment map, MemorySegment path) {
        try {
            return (int) MAP_SET_PIN_PATH.invokeExact(map, path);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int mapLookupElem(int fd, MemorySegment key, MemorySegment value) {
        try {
            return (int) MAP_LOOKUP_ELEM.invokeExact(fd, key, value);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int mapUpdateElem(int fd, MemorySegment key, MemorySegment value, long flags) {
        try {
            return (int) MAP_UPDATE_ELEM.invokeExact(fd, key, value, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int mapDeleteElem(int fd, MemorySegment key) {
        try {
            return (int) MAP_DELETE_ELEM.invokeExact(fd, key);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int mapGetNextKey(int fd, MemorySegment key, MemorySegment next) {
        try {
            return (int) MAP_GET_NEXT_KEY.invokeExact(fd, key, next);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int programFd(MemorySegment prog) {
        try {
            return (int) PROGRAM_FD.invokeExact(prog);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static String programName(MemorySegment prog) {
        try {
            return string((MemorySegment) PROGRAM_NAME.invokeExact(prog));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int programSetLogBuf(MemorySegment prog, MemorySegment buf, long size) {
        try {
            return (int) PROGRAM_SET_LOG_BUF.invokeExact(prog, buf, size);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int programSetLogLevel(MemorySegment prog, int level) {
        try {
            return (int) PROGRAM_SET_LOG_LEVEL.invokeExact(prog, level);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static MemorySegment programAttachXdp(MemorySegment state, MemorySegment prog, int ifindex) {
        try {
            return (MemorySegment) PROGRAM_ATTACH_XDP.invokeExact(state, prog, ifindex);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int progTestRunOpts(int fd, MemorySegment opts) {
        try {
            return (int) PROG_TEST_RUN_OPTS.invokeExact(fd, opts);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int objGetInfoByFd(int fd, MemorySegment info, MemorySegment infoLen) {
        try {
            return (int) OBJ_GET_INFO_BY_FD.invokeExact(fd, info, infoLen);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int linkDestroy(MemorySegment link) {
        try {
            return (int) LINK_DESTROY.invokeExact(link);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int linkPin(MemorySegment link, MemorySegment path) {
        try {
            return (int) LINK_PIN.invokeExact(link, path);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int linkFd(MemorySegment link) {
        try {
            return (int) LINK_FD.invokeExact(link);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int tcHookCreate(MemorySegment hook) {
        try {
            return (int) TC_HOOK_CREATE.invokeExact(hook);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int tcHookDestroy(MemorySegment hook) {
        try {
            return (int) TC_HOOK_DESTROY.invokeExact(hook);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int tcAttach(MemorySegment hook, MemorySegment opts) {
        try {
            return (int) TC_ATTACH.invokeExact(hook, opts);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int tcDetach(MemorySegment hook, MemorySegment opts) {
        try {
            return (int) TC_DETACH.invokeExact(hook, opts);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static MemorySegment setPrint(MemorySegment fn) {
        try {
            return (MemorySegment) SET_PRINT.invokeExact(fn);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** libbpf_strerror knows errno values and libbpf's own (4000 and up). */
    static String strerror(int errno) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(256);
            int ignored = (int) STRERROR.invokeExact(errno, buf, buf.byteSize());
            return buf.getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int vsnprintf(MemorySegment buf, long size, MemorySegment fmt, MemorySegment vaList) {
        try {
            return (int) VSNPRINTF.invokeExact(buf, size, fmt, vaList);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long syscall(MemorySegment state, long nr, long a1, MemorySegment a2, long a3) {
        try {
            return (long) SYSCALL.invokeExact(state, nr, a1, a2, a3);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int close(int fd) {
        try {
            return (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** mmap(NULL, length, prot, MAP_SHARED, fd, 0); MAP_FAILED is returned as address -1. */
    static MemorySegment mmapShared(MemorySegment state, long length, int prot, int fd) {
        try {
            return (MemorySegment) MMAP.invokeExact(state, MemorySegment.NULL, length, prot, 0x01, fd, 0L);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int munmap(MemorySegment addr, long length) {
        try {
            return (int) MUNMAP.invokeExact(addr, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int mount(MemorySegment state, MemorySegment source, MemorySegment target,
            MemorySegment fstype, long flags, MemorySegment data) {
        try {
            return (int) MOUNT.invokeExact(state, source, target, fstype, flags, data);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int ifNameToIndex(MemorySegment state, MemorySegment name) {
        try {
            return (int) IF_NAMETOINDEX.invokeExact(state, name);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The upcall type of libbpf_print_fn_t: int (*)(enum level, const char *fmt, va_list ap). */
    static MemorySegment printUpcall(MethodHandle target) {
        return LINKER.upcallStub(target,
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, C_STRING, ADDRESS), Arena.global());
    }
}

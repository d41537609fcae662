package io.dint.sys;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Map;

/**
 * The one errno discipline of this project's native calls.
 *
 * <p>A C function that reports failure through {@code errno} is linked with
 * {@code captureCallState("errno")} ({@link Native.SetsErrno}): the FFM runtime copies errno into
 * the calling thread's capture segment right after the call, before the JVM can run anything that
 * changes it. An {@code int} or {@code long} result of -1 then comes back as minus that errno, so
 * every binding answers as libbpf 1.x and the kernel's system calls do: <b>the result, or -errno</b>.
 * A pointer result (NULL, or {@code if_nametoindex}'s 0) stays what C returned, and {@link #last()}
 * says why. Calls that must not allocate (poll, sendmmsg, recvmmsg, sendto, recvfrom in busy loops)
 * are linked without capture, because the runtime may slice the capture segment on every call
 * where the JIT does not inline the call whole; a failed one is made again through its capturing
 * twin to learn why.
 *
 * <p>Also the errno values the code tests, their names and libc's text for them.
 */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int E2BIG = 7;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int EOPNOTSUPP = 95;
    public static final int EAFNOSUPPORT = 97;
    public static final int EADDRINUSE = 98;
    public static final int ENETDOWN = 100;
    public static final int ENOBUFS = 105;
    /** The kernel's own "not supported" (include/linux/errno.h), which BPF calls return; libc has no text for it. */
    public static final int ENOTSUPP = 524;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(EPERM, "EPERM"), Map.entry(ENOENT, "ENOENT"), Map.entry(3, "ESRCH"),
            Map.entry(EINTR, "EINTR"), Map.entry(5, "EIO"), Map.entry(E2BIG, "E2BIG"),
            Map.entry(EBADF, "EBADF"), Map.entry(EAGAIN, "EAGAIN"), Map.entry(12, "ENOMEM"),
            Map.entry(EACCES, "EACCES"), Map.entry(14, "EFAULT"), Map.entry(EBUSY, "EBUSY"),
            Map.entry(EEXIST, "EEXIST"), Map.entry(ENODEV, "ENODEV"), Map.entry(20, "ENOTDIR"),
            Map.entry(EINVAL, "EINVAL"), Map.entry(24, "EMFILE"), Map.entry(ENOSPC, "ENOSPC"),
            Map.entry(34, "ERANGE"), Map.entry(38, "ENOSYS"), Map.entry(EOPNOTSUPP, "EOPNOTSUPP"),
            Map.entry(EAFNOSUPPORT, "EAFNOSUPPORT"), Map.entry(EADDRINUSE, "EADDRINUSE"),
            Map.entry(ENETDOWN, "ENETDOWN"), Map.entry(ENOBUFS, "ENOBUFS"), Map.entry(107, "ENOTCONN"),
            Map.entry(ENOTSUPP, "ENOTSUPP"));

    static final StructLayout STATE = Linker.Option.captureStateLayout();
    static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");
    private static final long OFFSET = STATE.byteOffset(PathElement.groupElement("errno"));
    /** Each thread's capture segment, made on its first capturing call and kept for its life. */
    private static final ThreadLocal<MemorySegment> THREAD_STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(STATE));

    private static final MethodHandle THREAD_STATE_GET;
    private static final MethodHandle INT_RESULT;
    private static final MethodHandle LONG_RESULT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            THREAD_STATE_GET = l.findStatic(Errno.class, "threadState", MethodType.methodType(MemorySegment.class));
            INT_RESULT = l.findStatic(Errno.class, "result",
                    MethodType.methodType(int.class, int.class, MemorySegment.class));
            LONG_RESULT = l.findStatic(Errno.class, "result",
                    MethodType.methodType(long.class, long.class, MemorySegment.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Errno() {}

    /** The errno the calling thread's last capturing call left (for NULL pointer results). */
    public static int last() {
        return THREAD_STATE.get().get(JAVA_INT, OFFSET);
    }

    /** "ENOENT (No such file or directory, errno 2)": the name, libc's text and the number. */
    public static String describe(int errno) {
        if (errno <= 0) {
            return "no error code";
        }
        String text = errno == ENOTSUPP ? "operation not supported by this kernel or device" : strerror(errno);
        String name = NAMES.get(errno);
        return (name == null ? "" : name + " (") + text + ", errno " + errno + (name == null ? "" : ")");
    }

    /** libc's text for an errno. Error paths only. */
    public static String strerror(int errno) {
        MemorySegment s = Libc.LIBC.strerror(errno);
        return s.equals(MemorySegment.NULL) ? "errno " + errno : s.getString(0);
    }

    /**
     * {@code handle}, a downcall linked with {@link #CAPTURE} and so taking the capture segment
     * first, adapted to take the calling thread's segment itself and, for an int or long result,
     * to answer -errno for -1.
     */
    static MethodHandle captured(MethodHandle handle) {
        MethodType type = handle.type();
        Class<?> r = type.returnType();
        if (r == int.class || r == long.class) {
            // (R result, MemorySegment state, A... args) -> R, folded over the call itself
            MethodHandle after = MethodHandles.dropArguments(r == int.class ? INT_RESULT : LONG_RESULT, 2,
                    type.parameterList().subList(1, type.parameterCount()));
            handle = MethodHandles.foldArguments(after, handle);
        }
        return MethodHandles.foldArguments(handle, THREAD_STATE_GET);
    }

    private static MemorySegment threadState() {
        return THREAD_STATE.get();
    }

    private static int result(int r, MemorySegment state) {
        return r == -1 ? -state.get(JAVA_INT, OFFSET) : r;
    }

    private static long result(long r, MemorySegment state) {
        return r == -1 ? -state.get(JAVA_INT, OFFSET) : r;
    }
}

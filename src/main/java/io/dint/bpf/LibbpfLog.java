package io.dint.bpf;

import static io.dint.sys.Libc.LIBC;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.dint.sys.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;

/**
 * Where libbpf's messages go. libbpf prints through one process-wide callback
 * ({@code libbpf_set_print}); while an operation that may fail runs, its thread captures the
 * messages so that a {@link BpfException} can quote them, and forwards them to the
 * {@code io.dint.bpf.libbpf} logger when the operation succeeds. Messages printed outside any
 * capture go to the logger directly.
 */
final class LibbpfLog implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("io.dint.bpf.libbpf");
    private static final ThreadLocal<LibbpfLog> CURRENT = new ThreadLocal<>();
    private static final int LIBBPF_WARN = 0;
    private static final int LIBBPF_INFO = 1;
    /** vsnprintf gets one try (a va_list is consumed): long enough for any message but a log dump. */
    private static final int MESSAGE_MAX = 64 * 1024;

    private record Message(System.Logger.Level level, String text) {
    }

    private final List<Message> messages = new ArrayList<>();
    private final LibbpfLog outer;
    private boolean quoted;

    private LibbpfLog(LibbpfLog outer) {
        this.outer = outer;
    }

    /** Makes {@code libbpf} print through {@link #print}: libbpf_print_fn_t is int (*)(enum level, const char *fmt, va_list ap). */
    static void install(LibBpf libbpf) {
        try {
            MethodHandle print = MethodHandles.lookup().findStatic(LibbpfLog.class, "print",
                    MethodType.methodType(int.class, int.class, MemorySegment.class,
                            MemorySegment.class));
            libbpf.libbpf_set_print(Native.upcall(print,
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, Native.C_STRING, ADDRESS)));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts capturing this thread's libbpf messages until {@link #close()}. */
    static LibbpfLog capture() {
        LibbpfLog log = new LibbpfLog(CURRENT.get());
        CURRENT.set(log);
        return log;
    }

    /** The captured warnings, for an exception message; they are then not logged on close. */
    String text() {
        quoted = true;
        StringBuilder sb = new StringBuilder();
        for (Message m : messages) {
            sb.append(m.text());
            if (!m.text().endsWith("\n")) {
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    /** Forgets what was captured so far: the caller has judged it expected. */
    void discard() {
        messages.clear();
    }

    @Override
    public void close() {
        if (outer == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(outer);
        }
        if (!quoted) {
            for (Message m : messages) {
                LOG.log(m.level(), m.text().stripTrailing());
            }
        }
    }

    private static System.Logger.Level level(int libbpfLevel) {
        return switch (libbpfLevel) {
            case LIBBPF_WARN -> System.Logger.Level.WARNING;
            case LIBBPF_INFO -> System.Logger.Level.INFO;
            default -> System.Logger.Level.DEBUG;
        };
    }

    /** The libbpf_print_fn_t upcall. Nothing may escape it: an exception here ends the JVM. */
    private static int print(int libbpfLevel, MemorySegment fmt, MemorySegment vaList) {
        try {
            LibbpfLog capture = CURRENT.get();
            System.Logger.Level level = level(libbpfLevel);
            boolean captured = capture != null && libbpfLevel <= LIBBPF_INFO;
            if (!captured && !LOG.isLoggable(level)) {
                return 0;
            }
            String text;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment buf = arena.allocate(MESSAGE_MAX);
                // On x86_64 and aarch64 Linux a va_list parameter is passed as a pointer: hand it on.
                int n = LIBC.vsnprintf(buf, MESSAGE_MAX, fmt, vaList);
                text = buf.getString(0) + (n >= MESSAGE_MAX ? " [truncated]\n" : "");
            }
            if (captured) {
                capture.messages.add(new Message(level, text));
            } else {
                LOG.log(level, text.stripTrailing());
            }
        } catch (Throwable ignored) {
            // dropped: libbpf carries on, and the failure it reports still reaches the caller
        }
        return 0;
    }
}

package io.dint.sys;

import static io.dint.sys.Libc.LIBC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dint.bpf.Btf;
import io.dint.testing.AllocationCheck;
import java.lang.foreign.Arena;
import java.lang.invoke.MethodHandles;
import java.lang.management.ManagementFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The binding layer: {@link Libc}'s macros against the C headers (both ways: every Java constant
 * has its C value, every probed macro is a Java constant), the errno discipline of
 * {@link Native.SetsErrno} bindings, the errors, and that a capture-free binding allocates nothing.
 */
class LibcTest {

    /** A binding of close(2) without errno capture, to show what the annotation changes. */
    public interface Uncaptured {
        int close(int fd);
    }

    /** A function no C library has. */
    public interface Missing {
        int dint_no_such_function(int x);
    }

    /** A Java type C has no counterpart for. */
    public interface Unmappable {
        int strlen(String s);
    }

    @Test
    void macrosMatchTheHeaders() {
        Map<String, Long> java = Btf.constants(Libc.class);
        assertThat(java).as("io.dint.sys.Libc vs the C headers (src/test/c/abi_probe.c)")
                .containsExactlyInAnyOrderEntriesOf(Btf.abiProbe().enumerators("libc_"));
    }

    @Test
    void errnoValuesMatchTheHeaders() {
        Map<String, Long> java = Btf.constants(Errno.class);
        java.remove("ENOTSUPP"); // the kernel's own (include/linux/errno.h), in no user-space header
        assertThat(java).containsExactlyInAnyOrderEntriesOf(Btf.abiProbe().enumerators("errno_"));
    }

    @Test
    void aFailedCallAnswersMinusErrnoWhenBoundWithCapture() {
        assertThat(LIBC.close(-1)).isEqualTo(-Errno.EBADF);
        Uncaptured plain = Native.bind(MethodHandles.lookup(), Uncaptured.class, Native.LIBC, "libc");
        assertThat(plain.close(-1)).as("without @SetsErrno, C's -1").isEqualTo(-1);
        assertThat(LIBC.mmap(0, 4096, Libc.PROT_READ, Libc.MAP_SHARED, -1, 0)).isEqualTo(-Errno.EBADF);
    }

    @Test
    void aNullOrZeroResultLeavesItsErrnoToLast() {
        try (Arena arena = Arena.ofConfined()) {
            assertThat(LIBC.if_nametoindex(arena.allocateFrom("dint-no-such0"))).isZero();
            assertThat(Errno.last()).isEqualTo(Errno.ENODEV);
            assertThat(LIBC.if_nametoindex(arena.allocateFrom("lo"))).isPositive();
        }
        assertThat(LIBC.strerror(Errno.ENOENT).getString(0)).isEqualTo("No such file or directory");
    }

    @Test
    void errorsNameTheCallTheErrnoAndItsText() {
        NativeException e = NativeException.of("bind(127.0.0.1:9)", Errno.EADDRINUSE, "Pick another port");
        assertThat(e.getMessage()).isEqualTo(
                "bind(127.0.0.1:9) failed: EADDRINUSE (Address already in use, errno 98). Pick another port");
        assertThat(e.errno()).isEqualTo(Errno.EADDRINUSE);
        assertThat(e.call()).isEqualTo("bind(127.0.0.1:9)");
        assertThat(NativeException.check(3, "x")).isEqualTo(3);
        assertThatThrownBy(() -> NativeException.check(LIBC.close(-1), "close(-1)"))
                .isInstanceOf(NativeException.class).hasMessage("close(-1) failed: EBADF (Bad file descriptor, errno 9)");
        assertThat(Errno.describe(Errno.ENOTSUPP)).isEqualTo(
                "ENOTSUPP (operation not supported by this kernel or device, errno 524)");
    }

    @Test
    void bindingRefusesWhatItCannotBind() {
        assertThatThrownBy(() -> Native.bind(MethodHandles.lookup(), Missing.class, Native.LIBC, "libc"))
                .isInstanceOf(IllegalStateException.class).hasMessage("libc has no function dint_no_such_function");
        assertThatThrownBy(() -> Native.bind(MethodHandles.lookup(), Unmappable.class, Native.LIBC, "libc"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("strlen")
                .hasMessageContaining("C has no java.lang.String");
    }

    @Test
    @AllocationCheck
    void aCaptureFreeCallAllocatesNothing() {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        PollFds none = new PollFds(Arena.ofAuto());
        long sink = 0;
        for (int i = 0; i < 50_000; i++) { // warm-up: C2 compiles the loop and inlines the binding
            sink += LIBC.pollNoErrno(0, 0, 0) + none.pollIn(0);
        }
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 50_000; i++) {
            sink += LIBC.pollNoErrno(0, 0, 0) + none.pollIn(0);
        }
        assertThat(mx.getCurrentThreadAllocatedBytes() - before).as("bytes allocated by 100k polls").isLessThan(1024);
        assertThat(sink).isZero();
    }
}

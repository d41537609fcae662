package io.dint.sys;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bpf.Btf;
import java.lang.foreign.StructLayout;
import org.junit.jupiter.api.Test;

/**
 * {@link SocketStructs} against the running kernel's BTF, member by member. Every one is there:
 * the kernel's own code uses each (vmlinux carries {@code user_msghdr}, {@code mmsghdr},
 * {@code sockaddr_in} and {@code __kernel_old_timeval} under those names), so a kernel without one
 * is a failure to look into, not a skip. {@code BtfTest} shows the check failing on planted drift.
 */
class SocketStructsTest {

    @Test
    void everyLayoutMatchesTheKernel() {
        Btf kernel = Btf.vmlinux();
        for (StructLayout layout : SocketStructs.ALL) {
            assertThat(kernel.mismatches(layout)).as("%s against %s", layout.name().orElseThrow(), kernel).isEmpty();
        }
    }

    @Test
    void theOffsetsTheSocketsUseAreTheKernels() {
        // what MsgBatch, UdpSocket and NetLink read by these layouts, as x86-64 and AArch64 have it
        assertThat(SocketStructs.MMSGHDR.byteSize()).isEqualTo(64);
        assertThat(SocketStructs.IFREQ.byteSize()).isEqualTo(40);
        assertThat(SocketStructs.POLLFD.byteSize()).isEqualTo(8);
    }
}

package io.dint.sys;

import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.MemoryLayout.unionLayout;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.StructLayout;
import java.util.List;

/**
 * The kernel structs of the socket API that Java fills or reads, as named layouts: each named and
 * laid out as in the kernel's BTF, which {@code SocketStructsTest} compares with
 * {@code /sys/kernel/btf/vmlinux} member by member (names, offsets, sizes). Where the kernel's
 * name differs from glibc's, the kernel's is used and glibc's given.
 */
public final class SocketStructs {
    /** {@code struct sockaddr_in}; glibc calls {@code __pad} {@code sin_zero}. Port and address in network order. */
    public static final StructLayout SOCKADDR_IN = structLayout(
            JAVA_SHORT.withName("sin_family"),
            JAVA_SHORT.withName("sin_port"),
            JAVA_INT.withName("sin_addr"),
            sequenceLayout(8, JAVA_BYTE).withName("__pad")).withName("sockaddr_in");

    /** {@code struct sockaddr}: a family and 14 bytes whose meaning the family gives (a MAC, for ARPHRD_ETHER). */
    public static final StructLayout SOCKADDR = structLayout(
            JAVA_SHORT.withName("sa_family"),
            sequenceLayout(14, JAVA_BYTE).withName("sa_data")).withName("sockaddr");

    /** {@code struct iovec}. */
    public static final StructLayout IOVEC = structLayout(
            ADDRESS.withName("iov_base"),
            JAVA_LONG.withName("iov_len")).withName("iovec");

    /** {@code struct user_msghdr}, the kernel's name for the {@code struct msghdr} of user space. */
    public static final StructLayout USER_MSGHDR = structLayout(
            ADDRESS.withName("msg_name"),
            JAVA_INT.withName("msg_namelen"), paddingLayout(4),
            ADDRESS.withName("msg_iov"),
            JAVA_LONG.withName("msg_iovlen"),
            ADDRESS.withName("msg_control"),
            JAVA_LONG.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags"), paddingLayout(4)).withName("user_msghdr");

    /** {@code struct mmsghdr}: one message of sendmmsg/recvmmsg and the length it moved. */
    public static final StructLayout MMSGHDR = structLayout(
            USER_MSGHDR.withName("msg_hdr"),
            JAVA_INT.withName("msg_len"), paddingLayout(4)).withName("mmsghdr");

    /** {@code struct pollfd}. */
    public static final StructLayout POLLFD = structLayout(
            JAVA_INT.withName("fd"),
            JAVA_SHORT.withName("events"),
            JAVA_SHORT.withName("revents")).withName("pollfd");

    /** {@code struct __kernel_old_timeval}, the {@code struct timeval} of glibc on 64-bit (SO_RCVTIMEO). */
    public static final StructLayout OLD_TIMEVAL = structLayout(
            JAVA_LONG.withName("tv_sec"),
            JAVA_LONG.withName("tv_usec")).withName("__kernel_old_timeval");

    /**
     * {@code struct ifreq} of the interface ioctls, with the union members they use;
     * {@code ifru_map}, the largest member, gives the union its size. SIOCGIFADDR writes a
     * {@link #SOCKADDR_IN} into {@code ifru_addr}.
     */
    public static final StructLayout IFREQ = structLayout(
            unionLayout(sequenceLayout(16, JAVA_BYTE).withName("ifrn_name")).withName("ifr_ifrn"),
            unionLayout(
                    SOCKADDR.withName("ifru_addr"),
                    SOCKADDR.withName("ifru_hwaddr"),
                    JAVA_INT.withName("ifru_ivalue"),
                    JAVA_INT.withName("ifru_mtu"),
                    sequenceLayout(24, JAVA_BYTE).withName("ifru_map"),
                    ADDRESS.withName("ifru_data")).withName("ifr_ifru")).withName("ifreq");

    /** {@code struct ethtool_channels} (ETHTOOL_GCHANNELS). */
    public static final StructLayout ETHTOOL_CHANNELS = structLayout(
            JAVA_INT.withName("cmd"),
            JAVA_INT.withName("max_rx"),
            JAVA_INT.withName("max_tx"),
            JAVA_INT.withName("max_other"),
            JAVA_INT.withName("max_combined"),
            JAVA_INT.withName("rx_count"),
            JAVA_INT.withName("tx_count"),
            JAVA_INT.withName("other_count"),
            JAVA_INT.withName("combined_count")).withName("ethtool_channels");

    /** Every layout above, for the test against the kernel's BTF. */
    public static final List<StructLayout> ALL = List.of(SOCKADDR_IN, SOCKADDR, IOVEC, USER_MSGHDR, MMSGHDR, POLLFD,
            OLD_TIMEVAL, IFREQ, ETHTOOL_CHANNELS);

    private SocketStructs() {}
}

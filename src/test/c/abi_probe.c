// What Java copies from C that the kernel's BTF does not carry, for the tests to compare:
// libbpf's option structs (each anchored by a variable, so that clang puts it in this object's
// BTF) and the values of macros (each an enumerator named after its Java constant, which BTF
// does carry). Btf.compile builds it with clang -g -target bpf; it is never linked into anything.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <linux/sockios.h>
#include <linux/ethtool.h>
#include <linux/if_xdp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "../../main/bpf/dint_wire.h"
#include "../../main/bpf/loadgen.h"

struct bpf_test_run_opts probe_test_run_opts;
struct bpf_tc_hook probe_tc_hook;
struct bpf_tc_opts probe_tc_opts;

/* io.dint.sys.Libc */
enum probe_libc {
	libc_AF_INET = AF_INET,
	libc_AF_XDP = AF_XDP,
	libc_SOCK_DGRAM = SOCK_DGRAM,
	libc_SOCK_RAW = SOCK_RAW,
	libc_SOCK_CLOEXEC = SOCK_CLOEXEC,
	libc_SOL_SOCKET = SOL_SOCKET,
	libc_SOL_XDP = SOL_XDP,
	libc_SO_SNDBUF = SO_SNDBUF,
	libc_SO_RCVBUF = SO_RCVBUF,
	libc_SO_NO_CHECK = SO_NO_CHECK,
	libc_SO_REUSEPORT = SO_REUSEPORT,
	libc_SO_RCVTIMEO = SO_RCVTIMEO_OLD,
	libc_SO_SNDBUFFORCE = SO_SNDBUFFORCE,
	libc_SO_RCVBUFFORCE = SO_RCVBUFFORCE,
	libc_MSG_TRUNC = MSG_TRUNC,
	libc_MSG_DONTWAIT = MSG_DONTWAIT,
	libc_MSG_WAITFORONE = MSG_WAITFORONE,
	libc_SHUT_RDWR = SHUT_RDWR,
	libc_POLLIN = POLLIN,
	libc_O_RDONLY = O_RDONLY,
	libc_O_CLOEXEC = O_CLOEXEC,
	libc_CLONE_NEWNET = CLONE_NEWNET,
	libc_PROT_READ = PROT_READ,
	libc_PROT_WRITE = PROT_WRITE,
	libc_MAP_SHARED = MAP_SHARED,
	libc_MAP_POPULATE = MAP_POPULATE,
	libc_MS_BIND = MS_BIND,
	libc_SIOCGIFADDR = SIOCGIFADDR,
	libc_SIOCGIFMTU = SIOCGIFMTU,
	libc_SIOCGIFHWADDR = SIOCGIFHWADDR,
	libc_SIOCGIFINDEX = SIOCGIFINDEX,
	libc_SIOCETHTOOL = SIOCETHTOOL,
	libc_ETHTOOL_GCHANNELS = ETHTOOL_GCHANNELS,
	libc_SYS_BPF = SYS_bpf,
};
enum probe_libc probe_libc;

/* io.dint.sys.Errno (ENOTSUPP is the kernel's own, in no user-space header) */
enum probe_errno {
	errno_EPERM = EPERM,
	errno_ENOENT = ENOENT,
	errno_EINTR = EINTR,
	errno_E2BIG = E2BIG,
	errno_EBADF = EBADF,
	errno_EAGAIN = EAGAIN,
	errno_EACCES = EACCES,
	errno_EBUSY = EBUSY,
	errno_EEXIST = EEXIST,
	errno_ENODEV = ENODEV,
	errno_EINVAL = EINVAL,
	errno_ENOSPC = ENOSPC,
	errno_EOPNOTSUPP = EOPNOTSUPP,
	errno_EAFNOSUPPORT = EAFNOSUPPORT,
	errno_EADDRINUSE = EADDRINUSE,
	errno_ENETDOWN = ENETDOWN,
	errno_ENOBUFS = ENOBUFS,
};
enum probe_errno probe_errno;

/* io.dint.xsk.IfXdp (64-bit: the mmap page offsets pass 2^32) */
enum probe_if_xdp {
	if_xdp_XDP_MMAP_OFFSETS = XDP_MMAP_OFFSETS,
	if_xdp_XDP_RX_RING = XDP_RX_RING,
	if_xdp_XDP_TX_RING = XDP_TX_RING,
	if_xdp_XDP_UMEM_REG = XDP_UMEM_REG,
	if_xdp_XDP_UMEM_FILL_RING = XDP_UMEM_FILL_RING,
	if_xdp_XDP_UMEM_COMPLETION_RING = XDP_UMEM_COMPLETION_RING,
	if_xdp_XDP_STATISTICS = XDP_STATISTICS,
	if_xdp_XDP_OPTIONS = XDP_OPTIONS,
	if_xdp_XDP_SHARED_UMEM = XDP_SHARED_UMEM,
	if_xdp_XDP_COPY = XDP_COPY,
	if_xdp_XDP_ZEROCOPY = XDP_ZEROCOPY,
	if_xdp_XDP_USE_NEED_WAKEUP = XDP_USE_NEED_WAKEUP,
	if_xdp_XDP_RING_NEED_WAKEUP = XDP_RING_NEED_WAKEUP,
	if_xdp_XDP_OPTIONS_ZEROCOPY = XDP_OPTIONS_ZEROCOPY,
	if_xdp_XDP_PGOFF_RX_RING = XDP_PGOFF_RX_RING,
	if_xdp_XDP_PGOFF_TX_RING = XDP_PGOFF_TX_RING,
	if_xdp_XDP_UMEM_PGOFF_FILL_RING = XDP_UMEM_PGOFF_FILL_RING,
	if_xdp_XDP_UMEM_PGOFF_COMPLETION_RING = XDP_UMEM_PGOFF_COMPLETION_RING,
};
enum probe_if_xdp probe_if_xdp;

/* io.dint.bpf: the macros of linux/bpf.h the loader passes (its enums are in the kernel's BTF) */
enum probe_bpf {
	bpf_F_TEST_XDP_LIVE_FRAMES = BPF_F_TEST_XDP_LIVE_FRAMES,
};
enum probe_bpf probe_bpf;

/* io.dint.xsk.Umem: where copy mode puts a received packet in its frame */
enum probe_xsk {
	xsk_XDP_PACKET_HEADROOM = XDP_PACKET_HEADROOM,
};
enum probe_xsk probe_xsk;

/* io.dint.wire.Wire: the macros of dint_wire.h (and the headers it includes) that Java copies */
enum probe_wire {
	wire_PORT = DINT_PORT,
	wire_MAX_PAYLOAD = DINT_MAX_PAYLOAD,
	wire_SEQ_INCARNATION_SHIFT = DINT_SEQ_INCARNATION_SHIFT,
	wire_LOCK_SHARERS = DINT_LOCK_SHARERS,
	wire_ALLOW_MAX = DINT_ALLOW_MAX,
	wire_KV_VALUE_SIZE = DINT_KV_VALUE_SIZE,
	wire_KV_WAYS = DINT_KV_WAYS,
	wire_KV_NO_WAY = DINT_KV_NO_WAY,
	wire_KV_VICTIM = DINT_KV_VICTIM,
	wire_KV_INSTALL = DINT_KV_INSTALL,
	wire_KV_INVALIDATE = DINT_KV_INVALIDATE,
	wire_KV_WRITE_BACK_BLOOM = DINT_KV_WRITE_BACK_BLOOM,
	wire_KV_WRITE_BACK = DINT_KV_WRITE_BACK,
	wire_KV_WRITE_THROUGH = DINT_KV_WRITE_THROUGH,
	wire_TXN_VALUE_SIZE = DINT_TXN_VALUE_SIZE,
	wire_TXN_F_EXISTS = DINT_TXN_F_EXISTS,
	wire_TXN_F_LOCKED = DINT_TXN_F_LOCKED,
	wire_TXN_F_UNLOCK = DINT_TXN_F_UNLOCK,
	wire_TXN_OBJ_EXISTS = DINT_TXN_OBJ_EXISTS,
	wire_SHARD_PINNED = DINT_SHARD_PINNED,
	wire_LOG_VALUE_SIZE = DINT_LOG_VALUE_SIZE,
	wire_DEDUP_CLIENTS = DINT_DEDUP_CLIENTS,
	wire_DEDUP_WINDOW = DINT_DEDUP_WINDOW,
};
enum probe_wire probe_wire;

/* io.dint.bench.LoadGenLayout: the macros of loadgen.h it copies; lg_: those it has no constant of */
enum probe_loadgen {
	loadgen_MAX_SLOTS = LG_MAX_SLOTS,
	loadgen_MAX_KEYS = LG_MAX_KEYS,
	loadgen_KICK = LG_KICK,
	loadgen_PHASE_PARKED = LG_PH_PARKED,
	loadgen_HIST_MAX_EXP = LG_HIST_MAX_EXP,
	loadgen_HIST_BUCKETS = LG_HIST_BUCKETS,
	lg_SLOT_BITS = LG_SLOT_BITS,
};
enum probe_loadgen probe_loadgen;

package io.dint.net;

import static io.dint.sys.Libc.LIBC;

import io.dint.sys.Libc;
import io.dint.sys.NativeException;
import java.lang.foreign.Arena;

/**
 * Moves the calling thread into a named network namespace (one made by {@code ip netns add}).
 *
 * <p>{@code setns(2)} switches only the calling OS thread, so only platform threads may use this:
 * a virtual thread could be carried by another OS thread at its next step. Sockets keep the namespace
 * they were opened in, so the usual pattern is to enter, open sockets, and go back:
 * {@snippet :
 * UdpSocket socket;
 * try (var _ = NetNs.enterTemporarily(host.netns())) {
 *     socket = UdpSocket.open(host.ipv4(), 0, false);
 * }
 * }
 */
public final class NetNs {
    static final String NETNS_DIR = "/var/run/netns/";
    private static final String SELF = "/proc/thread-self/ns/net";

    private NetNs() {}

    /** Moves the calling thread into namespace {@code nsName} for good. */
    public static void enter(String nsName) {
        requirePlatformThread();
        int fd = open(NETNS_DIR + nsName, "network namespace '" + nsName + "' (does it exist? ip netns list)");
        try {
            setns(fd, nsName);
        } finally {
            close(fd);
        }
    }

    /**
     * Moves the calling thread into {@code nsName} until the returned scope is closed, then back to the
     * namespace it was in. Close it on the same thread.
     */
    public static Scope enterTemporarily(String nsName) {
        requirePlatformThread();
        int home = open(SELF, "this thread's network namespace");
        try {
            enter(nsName);
        } catch (RuntimeException e) {
            close(home);
            throw e;
        }
        return new Scope(home, Thread.currentThread());
    }

    /** Return ticket from {@link #enterTemporarily}. */
    public static final class Scope implements AutoCloseable {
        private final int homeFd;
        private final Thread owner;
        private boolean closed;

        private Scope(int homeFd, Thread owner) {
            this.homeFd = homeFd;
            this.owner = owner;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            if (Thread.currentThread() != owner) {
                throw new IllegalStateException("close the namespace scope on the thread that entered it (" + owner + ")");
            }
            closed = true;
            try {
                setns(homeFd, "original");
            } finally {
                NetNs.close(homeFd);
            }
        }
    }

    private static void requirePlatformThread() {
        if (Thread.currentThread().isVirtual()) {
            throw new IllegalStateException("setns needs a platform thread; a virtual thread may move between OS threads");
        }
    }

    private static int open(String path, String what) {
        try (Arena a = Arena.ofConfined()) {
            int fd = LIBC.open(a.allocateFrom(path), Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
            return NativeException.check(fd, "open(" + path + ") for " + what);
        }
    }

    private static void setns(int fd, String nsName) {
        NativeException.check(LIBC.setns(fd, Libc.CLONE_NEWNET), "setns(" + nsName + ", CLONE_NEWNET) (needs CAP_SYS_ADMIN)");
    }

    private static void close(int fd) {
        LIBC.close(fd);
    }
}

package io.dint.bpf;

import static io.dint.sys.Libc.LIBC;

import io.dint.sys.Errno;
import java.lang.foreign.Arena;

/** Network interfaces by name. */
public final class NetIf {

    private NetIf() {
    }

    /** The interface's index (if_nametoindex). */
    public static int index(String ifname) {
        if (ifname.isEmpty() || ifname.length() > 15) {
            throw new IllegalArgumentException("not an interface name: '" + ifname + "'");
        }
        try (Arena arena = Arena.ofConfined()) {
            int index = LIBC.if_nametoindex(arena.allocateFrom(ifname));
            if (index == 0) {
                throw BpfException.of("no network interface '" + ifname + "'", Errno.last(),
                        "Check the name with ip link (inside the right network namespace)");
            }
            return index;
        }
    }
}

package io.dint.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

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
            MemorySegment state = arena.allocate(LibBpf.CALL_STATE);
            int index = LibBpf.ifNameToIndex(state, arena.allocateFrom(ifname));
            if (index == 0) {
                throw BpfException.of("no network interface '" + ifname + "'", LibBpf.errno(state),
                        "Check the name with ip link (inside the right network namespace)");
            }
            return index;
        }
    }
}

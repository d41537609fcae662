package io.dint.backend;

import java.util.Arrays;
import java.util.Locale;

/**
 * How a server answers: in the kernel (XDP + Java slow path), in Java over kernel UDP, in Java
 * over AF_XDP (kernel bypass), or (KV only) by Debian's memcached, the KV baseline.
 */
public enum Backend {
    XDP, UDP, AFXDP, MEMCACHED;

    /** The name on the command line, in cluster files, results and figures: {@code xdp}, {@code udp}, ... */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The backend named {@code id} (any case); an unknown name is refused with the names there are. */
    public static Backend parse(String id) {
        try {
            return valueOf(id.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown backend '" + id + "': use one of "
                    + Arrays.stream(values()).map(Backend::id).toList());
        }
    }

    @Override
    public String toString() {
        return id();
    }
}

package io.dint.cli;

/**
 * How a server answers: in the kernel (XDP + Java slow path), in Java over kernel UDP, in Java
 * over AF_XDP (kernel bypass), or (KV only) by Debian's memcached, the KV baseline.
 */
public enum Backend {
    XDP, UDP, AFXDP, MEMCACHED;

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

package io.dint.cli;

/**
 * How a server answers: in the kernel (XDP + Java slow path), in Java over kernel UDP, or in Java
 * over AF_XDP (kernel bypass).
 */
public enum Backend {
    XDP, UDP, AFXDP;

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

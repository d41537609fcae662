package io.dint.cli;

/** How a server answers: in the kernel (XDP + Java slow path) or in Java over kernel UDP. */
public enum Backend {
    XDP, UDP;

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

package io.dint.bpf;

/** TC classifier verdicts (TC_ACT_*) a SEC("tc") program returns. */
public final class Tc {

    public static final int UNSPEC = -1;
    public static final int OK = 0;
    public static final int SHOT = 2;
    public static final int PIPE = 3;
    public static final int STOLEN = 4;
    public static final int REDIRECT = 7;

    private Tc() {
    }
}

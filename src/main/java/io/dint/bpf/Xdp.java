package io.dint.bpf;

/** XDP verdicts (enum xdp_action). */
public final class Xdp {

    public static final int ABORTED = 0;
    public static final int DROP = 1;
    public static final int PASS = 2;
    public static final int TX = 3;
    public static final int REDIRECT = 4;

    private Xdp() {
    }

    /** "XDP_PASS" and so on, for messages. */
    public static String name(int verdict) {
        return switch (verdict) {
            case ABORTED -> "XDP_ABORTED";
            case DROP -> "XDP_DROP";
            case PASS -> "XDP_PASS";
            case TX -> "XDP_TX";
            case REDIRECT -> "XDP_REDIRECT";
            default -> "XDP_" + verdict;
        };
    }
}

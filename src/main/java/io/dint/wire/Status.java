package io.dint.wire;

/** {@code enum dint_status}: reply statuses. Names are the C names without {@code DINT_ST_}. */
public final class Status {
    private Status() {}

    public static final int REQUEST = 0;
    public static final int GRANT = 1;
    public static final int REJECT = 2;
    public static final int RETRY = 3;
    public static final int OK = 4;
    public static final int NOT_HELD = 5;
    public static final int NO_SPACE = 50;
    /** Install: newer than the record, written. */
    public static final int APPLIED = 51;
    /** Install: the record is this very write already (same version and content), a retransmission. */
    public static final int ALREADY_APPLIED = 52;
    /** Install: the record is newer, or the same version with other content; nothing written. */
    public static final int REFUSED = 53;
    /** LOG refused: the sender's locks at this shard are from an epoch it has left; the transaction must not commit. */
    public static final int STALE = 54;
    public static final int KV_OK = 30;
    public static final int KV_NOT_EXIST = 31;
    public static final int KV_EXISTS = 32;

    private static final String[] NAMES = Names.of(Status.class, 100, "status(");

    /** The constant's name, or {@code "status(n)"} for a value the header does not define. */
    public static String name(int status) {
        return status >= 0 && status < NAMES.length && !NAMES[status].startsWith("status(")
                ? NAMES[status] : "status(" + status + ")";
    }
}

package io.dint.wire;

/** {@code enum dint_op}: operation codes. Names are the C names without {@code DINT_OP_}. */
public final class Op {
    private Op() {}

    public static final int NONE = 0;
    public static final int LOCK_ACQUIRE_SHARED = 1;
    public static final int LOCK_ACQUIRE_EXCLUSIVE = 2;
    public static final int LOCK_RELEASE_SHARED = 3;
    public static final int LOCK_RELEASE_EXCLUSIVE = 4;
    public static final int OCC_READ = 10;
    public static final int OCC_ACQUIRE = 11;
    public static final int OCC_ABORT = 12;
    public static final int OCC_COMMIT = 13;
    public static final int LOG_APPEND = 20;
    public static final int KV_GET = 30;
    public static final int KV_SET = 31;
    public static final int KV_INSERT = 32;
    public static final int KV_DELETE = 33;
    public static final int TXN_READ = 50;
    public static final int TXN_LOCK_SHARED = 51;
    public static final int TXN_LOCK_EXCLUSIVE = 52;
    public static final int TXN_RELEASE_SHARED = 53;
    public static final int TXN_RELEASE_EXCLUSIVE = 54;
    public static final int TXN_OCC_LOCK = 55;
    public static final int TXN_OCC_ABORT = 56;
    public static final int TXN_VALIDATE = 57;
    public static final int TXN_COMMIT_LOG = 58;
    public static final int TXN_COMMIT_BACKUP = 59;
    public static final int TXN_COMMIT_PRIMARY = 60;
    public static final int TXN_INSERT_LOG = 61;
    public static final int TXN_INSERT_BACKUP = 62;
    public static final int TXN_INSERT_PRIMARY = 63;
    public static final int TXN_DELETE_LOG = 64;
    public static final int TXN_DELETE_BACKUP = 65;
    public static final int TXN_DELETE_PRIMARY = 66;
    public static final int MAX = 100;

    private static final String[] NAMES = Names.of(Op.class, MAX, "op(");

    /** The constant's name, or {@code "op(n)"} for a value the header does not define. */
    public static String name(int op) {
        return op >= 0 && op < NAMES.length && !NAMES[op].startsWith("op(") ? NAMES[op] : "op(" + op + ")";
    }
}

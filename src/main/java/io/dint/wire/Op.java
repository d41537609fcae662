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
    public static final int MAX = 100;
}

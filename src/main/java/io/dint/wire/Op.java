package io.dint.wire;

/** {@code enum dint_op}: operation codes. Names are the C names without {@code DINT_OP_}. */
public final class Op {
    private Op() {}

    public static final int NONE = 0;
    public static final int LOCK_ACQUIRE_SHARED = 1;
    public static final int LOCK_ACQUIRE_EXCLUSIVE = 2;
    public static final int LOCK_RELEASE_SHARED = 3;
    public static final int LOCK_RELEASE_EXCLUSIVE = 4;
    public static final int KV_GET = 30;
    public static final int KV_SET = 31;
    public static final int KV_INSERT = 32;
    public static final int KV_DELETE = 33;
    public static final int MAX = 100;
}

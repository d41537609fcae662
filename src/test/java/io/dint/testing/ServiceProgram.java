package io.dint.testing;

import io.dint.bpf.BpfObject;
import io.dint.kv.KvObject;
import io.dint.kv.KvPolicy;
import io.dint.lock.LockObject;
import io.dint.lock.LockRules;
import io.dint.log.LogObject;
import io.dint.occ.OccObject;
import io.dint.server.Allowlist;
import io.dint.shard.ShardObject;
import io.dint.wire.Header;
import io.dint.wire.KvMessage;
import io.dint.wire.LockMessage;
import io.dint.wire.LogMessage;
import io.dint.wire.OccMessage;
import io.dint.wire.Op;
import io.dint.wire.Status;
import io.dint.wire.TxnMessage;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/**
 * Every service's XDP program as the BPF fixtures and the fuzzer see it: how to load it small, its
 * programs, a random well-formed request, and which payloads are requests it serves (its size, a
 * request status, an op of its range, the fields it refuses: txn 0 or all ones, key 0).
 */
public enum ServiceProgram {
    LOCK2PL("lock2pl", "lock2pl_xdp", null, LockMessage.SIZE, Op.LOCK_ACQUIRE_SHARED, Op.LOCK_RELEASE_EXCLUSIVE) {
        @Override
        public BpfObject load(Allowlist allow) {
            return LockObject.load(64, Frames.SERVER_MAC, allow).object();
        }

        @Override
        public byte[] request(SplittableRandom rnd, long seq) {
            return LockMessages.request(op(rnd), rnd.nextLong(200), 1 + rnd.nextInt(4), seq);
        }

        @Override
        boolean fieldsServed(MemorySegment p) {
            return LockRules.txnOk(LockMessage.txnId(p));
        }
    },
    OCC("occ", "occ_xdp", null, OccMessage.SIZE, Op.OCC_READ, Op.OCC_COMMIT) {
        @Override
        public BpfObject load(Allowlist allow) {
            return OccObject.load(64, Frames.SERVER_MAC, allow).object();
        }

        @Override
        public byte[] request(SplittableRandom rnd, long seq) {
            return OccMessages.request(op(rnd), rnd.nextLong(200), 1 + rnd.nextInt(4), seq);
        }

        @Override
        boolean fieldsServed(MemorySegment p) {
            return LockRules.txnOk(OccMessage.txnId(p));
        }
    },
    LOG("log", "log_xdp", null, LogMessage.SIZE, Op.LOG_APPEND, Op.LOG_APPEND) {
        @Override
        public BpfObject load(Allowlist allow) {
            return LogObject.load(1024, Frames.SERVER_MAC, allow, null).object();
        }

        @Override
        public byte[] request(SplittableRandom rnd, long seq) {
            return LogMessages.request(rnd.nextLong(), rnd.nextLong(), seq);
        }
    },
    KV("kv", "kv_xdp", "kv_tc_egress", KvMessage.SIZE, Op.KV_GET, Op.KV_DELETE) {
        @Override
        public BpfObject load(Allowlist allow) {
            return KvObject.load(KV_BUCKETS, Frames.SERVER_MAC, allow, KvPolicy.WRITE_BACK_BLOOM, LONG_LEASE).object();
        }

        @Override
        public byte[] request(SplittableRandom rnd, long seq) {
            long key = 1 + rnd.nextLong(KEYS);
            return KvMessages.request(op(rnd), key, KvMessages.value(key, rnd.nextLong()), seq);
        }
    },
    SHARD("shard", "shard_xdp", "shard_tc_egress", TxnMessage.SIZE, Op.TXN_READ, Op.TXN_DELETE_PRIMARY) {
        @Override
        public BpfObject load(Allowlist allow) {
            ShardObject obj = ShardObject.load(SHARD_BUCKETS, 256, 1024, LONG_LEASE, SHARD_LOCK_LEASE_MS, Frames.SERVER_MAC,
                    allow, null);
            obj.setEpoch(SHARD_EPOCH, 0);
            return obj.object();
        }

        @Override
        public byte[] request(SplittableRandom rnd, long seq) {
            byte[] b = new byte[TxnMessage.SIZE];
            MemorySegment m = MemorySegment.ofArray(b);
            int op = op(rnd);
            long key = 0x0100_0000_0000_0000L | (1 + rnd.nextLong(KEYS));
            // four transactions at a time, four new ones every 1024 seqs; only the first logs, and
            // is pinned (its locks kept past their lease), the others' locks may be taken over
            long first = 1 + 4 * ((seq >>> 10) & 0xff);
            boolean log = op == Op.TXN_COMMIT_LOG || op == Op.TXN_INSERT_LOG || op == Op.TXN_DELETE_LOG;
            long txn = log ? first : first + rnd.nextInt(4);
            if (op >= Op.TXN_COMMIT_LOG) {
                MemorySegment value = MemorySegment.ofArray(KvMessages.value(key, rnd.nextLong()));
                TxnMessage.encodeInstall(m, op, 77, seq, key, txn, 1 + rnd.nextInt(30), rnd.nextInt(4) == 0 ? 4 : 0, value, 0);
            } else {
                TxnMessage.encodeRequest(m, op, 77, seq, key, txn);
            }
            return b;
        }

        @Override
        boolean fieldsServed(MemorySegment p) {
            // an install names the version it writes: version 0 is never one (the commit protocol)
            return TxnMessage.key(p) != 0 && LockRules.txnOk(TxnMessage.txnId(p))
                    && !(isInstall(Header.op(p)) && TxnMessage.version(p) == 0);
        }
    };

    /** The shard fixtures' epoch when loaded. */
    public static final int SHARD_EPOCH = 0x2a00;
    /** The shard fixtures' lock lease: no lease runs out by itself during a test; fixtures age locks to end theirs. */
    public static final int SHARD_LOCK_LEASE_MS = 10_000;

    /**
     * What is wrong with {@code reply} as a transaction shard's answer to the well-formed
     * {@code request}, or null when nothing is: a status the request's op may get (reads OK;
     * locks GRANT or REJECT; releases OK or NOT_HELD; LOGs OK or STALE; installs APPLIED,
     * ALREADY_APPLIED or REFUSED; RETRY for any, NO_SPACE where a record or log record is made),
     * the shard's {@code epoch} in the reply, STALE only to a LOG whose sender's grants are of
     * another epoch (a LOG of a left epoch may still hear OK: a retransmission answered from the
     * dedup window), and in a {@code grace} period reads and locks answered RETRY only. A request
     * whose id (client, seq) was {@code seenBefore} is a retransmission to the shard, whatever its
     * op: the dedup window may answer it as it answered the first, so its status is not judged.
     */
    public static String shardReplyFault(byte[] request, byte[] reply, int epoch, boolean grace, boolean seenBefore) {
        MemorySegment q = MemorySegment.ofArray(request);
        MemorySegment a = MemorySegment.ofArray(reply);
        int op = Header.op(q);
        int st = Header.status(a);
        if (Header.reserved(a) != epoch) {
            return "epoch " + Header.reserved(a) + " in the reply, the shard's is " + epoch;
        }
        boolean read = op == Op.TXN_READ || op == Op.TXN_VALIDATE;
        boolean lock = op == Op.TXN_LOCK_SHARED || op == Op.TXN_LOCK_EXCLUSIVE || op == Op.TXN_OCC_LOCK;
        boolean log = op == Op.TXN_COMMIT_LOG || op == Op.TXN_INSERT_LOG || op == Op.TXN_DELETE_LOG;
        if (grace && (read || lock) && st != Status.RETRY) {
            return Status.name(st) + " in the grace period, which answers reads and locks RETRY";
        }
        if (seenBefore) {
            return null;
        }
        if (st == Status.STALE) {
            int expect = Header.reserved(q);
            return log && expect != 0 && expect != epoch ? null : "STALE to " + Op.name(op) + " of epoch " + expect;
        }
        boolean allowed = st == Status.RETRY || switch (op) {
            case Op.TXN_READ, Op.TXN_VALIDATE -> st == Status.OK;
            case Op.TXN_LOCK_SHARED, Op.TXN_LOCK_EXCLUSIVE, Op.TXN_OCC_LOCK -> st == Status.GRANT || st == Status.REJECT
                    || st == Status.NO_SPACE;
            case Op.TXN_RELEASE_SHARED, Op.TXN_RELEASE_EXCLUSIVE, Op.TXN_OCC_ABORT -> st == Status.OK || st == Status.NOT_HELD;
            case Op.TXN_COMMIT_LOG, Op.TXN_INSERT_LOG, Op.TXN_DELETE_LOG -> st == Status.OK || st == Status.NO_SPACE;
            default -> st == Status.APPLIED || st == Status.ALREADY_APPLIED || st == Status.REFUSED || st == Status.NO_SPACE;
        };
        return allowed ? null : Status.name(st) + " is no answer to " + Op.name(op);
    }

    /** Backup and primary installs of a shard: commits, inserts and deletes. */
    public static boolean isInstall(int op) {
        return op == Op.TXN_COMMIT_BACKUP || op == Op.TXN_COMMIT_PRIMARY || op == Op.TXN_INSERT_BACKUP
                || op == Op.TXN_INSERT_PRIMARY || op == Op.TXN_DELETE_BACKUP || op == Op.TXN_DELETE_PRIMARY;
    }

    /** Keys the random requests of the cache services draw from: a few per bucket, so buckets fill and evict. */
    public static final long KEYS = 48;
    public static final int KV_BUCKETS = 8;
    public static final int SHARD_BUCKETS = 4;
    /** Long enough that no lease runs out during a test. */
    public static final long LONG_LEASE = 10_000_000_000L;

    private final String file;
    private final String program;
    private final String tcProgram;
    private final int size;
    private final int opLo;
    private final int opHi;

    ServiceProgram(String file, String program, String tcProgram, int size, int opLo, int opHi) {
        this.file = file;
        this.program = program;
        this.tcProgram = tcProgram;
        this.size = size;
        this.opLo = opLo;
        this.opHi = opHi;
    }

    /** Loads the object small (a few table entries or buckets), answering frames to {@link Frames#SERVER_MAC} from {@code allow}. */
    public abstract BpfObject load(Allowlist allow);

    /** A random well-formed request with this seq. */
    public abstract byte[] request(SplittableRandom rnd, long seq);

    /** The object's file name without {@code .bpf.o}, as the fuzz counts name it. */
    public String file() {
        return file;
    }

    public String program() {
        return program;
    }

    /** The TC egress program, or null when the service has no slow path. */
    public String tcProgram() {
        return tcProgram;
    }

    /** The message size: every request and reply is exactly this long. */
    public int size() {
        return size;
    }

    int op(SplittableRandom rnd) {
        return opLo + rnd.nextInt(opHi - opLo + 1);
    }

    /** True when {@code payload} is a request this service serves: its size, a request, an op of its range, fields it accepts. */
    public boolean serves(byte[] payload) {
        if (payload.length != size) {
            return false;
        }
        MemorySegment p = MemorySegment.ofArray(payload);
        int op = Header.op(p);
        return Header.status(p) == Status.REQUEST && op >= opLo && op <= opHi && fieldsServed(p);
    }

    /** The fields past the header the service refuses. */
    boolean fieldsServed(MemorySegment payload) {
        return true;
    }
}

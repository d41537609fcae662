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
import io.dint.wire.Wire;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Every service's XDP program as the BPF fixtures and the fuzzer see it: how to load it small, its
 * programs, a random well-formed request, and which payloads are requests it serves (its size, a
 * request status, an op of its range, the fields it refuses: txn 0 or all ones, key 0).
 *
 * <p>This is the one place the tests load a service's BPF object ({@link #load(Settings)}), with
 * the sizes and settings a test may vary ({@link Settings}) over the service's small defaults.
 */
public enum ServiceProgram {
    LOCK2PL(new Spec(LockObject.PROGRAM, null, LockMessage.SIZE, Op.LOCK_ACQUIRE_SHARED, Op.LOCK_RELEASE_EXCLUSIVE,
            ServiceProgram.LOCK_ENTRIES,
            s -> LockObject.load(s.size(), Frames.SERVER_MAC, s.allow()).object(),
            (rnd, op, seq) -> LockMessages.request(op, rnd.nextLong(200), 1 + rnd.nextInt(4), seq),
            p -> LockRules.txnOk(LockMessage.txnId(p)), refusedTxnIds(Wire.LOCK_TXN_ID))),
    OCC(new Spec(OccObject.PROGRAM, null, OccMessage.SIZE, Op.OCC_READ, Op.OCC_COMMIT, ServiceProgram.LOCK_ENTRIES,
            s -> OccObject.load(s.size(), Frames.SERVER_MAC, s.allow()).object(),
            (rnd, op, seq) -> OccMessages.request(op, rnd.nextLong(200), 1 + rnd.nextInt(4), seq),
            p -> LockRules.txnOk(OccMessage.txnId(p)), refusedTxnIds(Wire.OCC_TXN_ID))),
    LOG(new Spec(LogObject.PROGRAM, null, LogMessage.SIZE, Op.LOG_APPEND, Op.LOG_APPEND, 1024,
            s -> LogObject.load(s.size(), Frames.SERVER_MAC, s.allow(), null).object(),
            (rnd, op, seq) -> LogMessages.request(rnd.nextLong(), rnd.nextLong(), seq),
            p -> true, List.of())),
    KV(new Spec(KvObject.PROGRAM, KvObject.TC_PROGRAM, KvMessage.SIZE, Op.KV_GET, Op.KV_DELETE, ServiceProgram.KV_BUCKETS,
            s -> KvObject.load(s.size(), Frames.SERVER_MAC, s.allow(), s.policy(), s.leaseNanos()).object(),
            (rnd, op, seq) -> {
                long key = 1 + rnd.nextLong(ServiceProgram.KEYS);
                return KvMessages.request(op, key, KvMessages.value(key, rnd.nextLong()), seq);
            },
            p -> true, List.of())),
    SHARD(new Spec(ShardObject.PROGRAM, ShardObject.TC_PROGRAM, TxnMessage.SIZE, Op.TXN_READ, Op.TXN_DELETE_PRIMARY,
            ServiceProgram.SHARD_BUCKETS,
            ServiceProgram::loadShard, ServiceProgram::shardRequest,
            // an install names the version it writes: version 0 is never one (the commit protocol)
            p -> TxnMessage.key(p) != 0 && LockRules.txnOk(TxnMessage.txnId(p))
                    && !(isInstall(Header.op(p)) && TxnMessage.version(p) == 0),
            Stream.concat(Stream.of(new Refusal("key 0", Wire.TXN_KEY, 0)), refusedTxnIds(Wire.TXN_TXN_ID).stream()).toList()));

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
    /** The lock services' table entries by default. */
    public static final int LOCK_ENTRIES = 64;
    public static final int KV_BUCKETS = 8;
    public static final int SHARD_BUCKETS = 4;
    /** Long enough that no lease runs out during a test. */
    public static final long LONG_LEASE = 10_000_000_000L;

    /**
     * What a test may vary when it loads a service's object: its size (as the service's
     * {@code dint_config.table_size} means it: lock entries for 2PL and OCC, ring slots per CPU for
     * the log, cache buckets for KV and the shard), the sources it serves, and what only some
     * services have: the cache policy (KV) and bucket lock lease (KV, shard); the lock table, log
     * ring, lock lease in ms (0: none) and epoch (0: as loaded) of the shard. A service reads what
     * it has and ignores the rest; {@link #settings()} gives its defaults.
     */
    public record Settings(int size, Allowlist allow, KvPolicy policy, long leaseNanos, int lockEntries, int logSlots,
                           int lockLeaseMs, int epoch) {
        /** These settings with the object's size. */
        public Settings size(int n) {
            return new Settings(n, allow, policy, leaseNanos, lockEntries, logSlots, lockLeaseMs, epoch);
        }

        /** These settings serving only what {@code a} allows. */
        public Settings allow(Allowlist a) {
            return new Settings(size, a, policy, leaseNanos, lockEntries, logSlots, lockLeaseMs, epoch);
        }

        /** These settings with a cache of policy {@code p} whose bucket locks are leased for {@code lease} ns. */
        public Settings cache(KvPolicy p, long lease) {
            return new Settings(size, allow, p, lease, lockEntries, logSlots, lockLeaseMs, epoch);
        }

        /** These settings with a shard's lock table, log ring, lock lease and epoch. */
        public Settings shard(int locks, int slots, int leaseMs, int shardEpoch) {
            return new Settings(size, allow, policy, leaseNanos, locks, slots, leaseMs, shardEpoch);
        }
    }

    /**
     * A field of a request set to a value the service refuses ({@link #serves}): an 8-byte field at
     * {@code offset} of the payload holding {@code value}.
     */
    record Refusal(String what, int offset, long value) {
        /** {@code request} with the field set. */
        byte[] applyTo(byte[] request) {
            byte[] b = request.clone();
            MemorySegment.ofArray(b).set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, offset, value);
            return b;
        }
    }

    /** The transaction ids a lock entry keeps for itself, refused in a request's field at {@code offset}. */
    private static List<Refusal> refusedTxnIds(int offset) {
        return List.of(new Refusal("transaction id 0 (means no holder)", offset, 0),
                new Refusal("transaction id ~0 (means several sharers)", offset, Wire.LOCK_SHARERS));
    }

    /** Makes a random well-formed request with {@code op}, drawn from the service's range. */
    @FunctionalInterface
    private interface Requests {
        byte[] make(SplittableRandom rnd, int op, long seq);
    }

    /**
     * What a service is to the tests: its programs, message size and op range, its default size, how
     * its object is loaded, how a random request of it is made, which fields of a request it serves
     * and examples of those it refuses.
     */
    private record Spec(String program, String tcProgram, int size, int opLo, int opHi, int defaultSize,
                        Function<Settings, BpfObject> loader, Requests requests, Predicate<MemorySegment> fieldsServed,
                        List<Refusal> refused) {}

    private final Spec spec;
    /** The first and last op of the service's range. */
    final int opLo;
    final int opHi;

    ServiceProgram(Spec spec) {
        this.spec = spec;
        this.opLo = spec.opLo();
        this.opHi = spec.opHi();
    }

    /** The service's defaults: small (a few entries or buckets), answering frames to {@link Frames#SERVER_MAC} from anywhere. */
    public Settings settings() {
        return new Settings(spec.defaultSize(), Allowlist.ANY, KvPolicy.WRITE_BACK_BLOOM, LONG_LEASE, 256, 1024, SHARD_LOCK_LEASE_MS,
                SHARD_EPOCH);
    }

    /** Loads the object with {@code settings}; the caller closes it. */
    public BpfObject load(Settings settings) {
        return spec.loader().apply(settings);
    }

    /** Loads the object with its defaults, serving the sources {@code allow} allows. */
    public BpfObject load(Allowlist allow) {
        return load(settings().allow(allow));
    }

    private static BpfObject loadShard(Settings s) {
        ShardObject obj = ShardObject.load(s.size(), s.lockEntries(), s.logSlots(), s.leaseNanos(), s.lockLeaseMs(),
                Frames.SERVER_MAC, s.allow(), null);
        if (s.epoch() != 0) {
            obj.setEpoch(s.epoch(), 0);
        }
        return obj.object();
    }

    private static byte[] shardRequest(SplittableRandom rnd, int op, long seq) {
        byte[] b = new byte[TxnMessage.SIZE];
        MemorySegment m = MemorySegment.ofArray(b);
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

    /** A random well-formed request with this seq. */
    public byte[] request(SplittableRandom rnd, long seq) {
        return spec.requests().make(rnd, opLo == opHi ? opLo : opLo + rnd.nextInt(opHi - opLo + 1), seq);
    }

    /** The object's file name without {@code .bpf.o}, as the fuzz counts name it. */
    public String file() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The XDP program. */
    public String program() {
        return spec.program();
    }

    /** The TC egress program, or null when the service has no slow path. */
    public String tcProgram() {
        return spec.tcProgram();
    }

    /** The message size: every request and reply is exactly this long. */
    public int size() {
        return spec.size();
    }

    /** Example fields the service refuses, besides its ops. */
    List<Refusal> refused() {
        return spec.refused();
    }

    /** True when {@code payload} is a request this service serves: its size, a request, an op of its range, fields it accepts. */
    public boolean serves(byte[] payload) {
        if (payload.length != spec.size()) {
            return false;
        }
        MemorySegment p = MemorySegment.ofArray(payload);
        int op = Header.op(p);
        return Header.status(p) == Status.REQUEST && op >= opLo && op <= opHi && spec.fieldsServed().test(p);
    }
}

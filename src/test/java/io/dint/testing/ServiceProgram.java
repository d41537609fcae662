package io.dint.testing;

import io.dint.bpf.BpfObject;
import io.dint.kv.KvObjects;
import io.dint.kv.KvPolicy;
import io.dint.lock.LockObjects;
import io.dint.lock.LockRules;
import io.dint.log.LogObjects;
import io.dint.occ.OccObjects;
import io.dint.server.Allowlist;
import io.dint.shard.ShardXdpServer;
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
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Every service's XDP program as the BPF fixtures and the fuzzer see it: how to load it small, its
 * programs, a random well-formed request, and which payloads are requests it serves (its size, a
 * request status, an op of its range, the fields it refuses: txn 0 or all ones, key 0).
 */
public enum ServiceProgram {
    LOCK2PL("lock2pl", LockObjects.PROGRAM, null, LockMessage.SIZE, Op.LOCK_ACQUIRE_SHARED, Op.LOCK_RELEASE_EXCLUSIVE,
            allow -> LockObjects.load(64, Frames.SERVER_MAC, allow),
            (op, rnd, seq) -> LockMessages.request(op, rnd.nextLong(200), 1 + rnd.nextInt(4), seq),
            p -> LockRules.txnOk(LockMessage.txnId(p))),
    OCC("occ", OccObjects.PROGRAM, null, OccMessage.SIZE, Op.OCC_READ, Op.OCC_COMMIT,
            allow -> OccObjects.load(64, Frames.SERVER_MAC, allow),
            (op, rnd, seq) -> OccMessages.request(op, rnd.nextLong(200), 1 + rnd.nextInt(4), seq),
            p -> LockRules.txnOk(OccMessage.txnId(p))),
    LOG("log", LogObjects.PROGRAM, null, LogMessage.SIZE, Op.LOG_APPEND, Op.LOG_APPEND,
            allow -> LogObjects.load(1024, Frames.SERVER_MAC, allow, null),
            (op, rnd, seq) -> LogMessages.request(rnd.nextLong(), rnd.nextLong(), seq),
            p -> true),
    KV("kv", KvObjects.PROGRAM, KvObjects.TC_PROGRAM, KvMessage.SIZE, Op.KV_GET, Op.KV_DELETE,
            allow -> KvObjects.load(ServiceProgram.KV_BUCKETS, Frames.SERVER_MAC, allow, KvPolicy.WRITE_BACK_BLOOM, ServiceProgram.LONG_LEASE),
            (op, rnd, seq) -> {
                long key = 1 + rnd.nextLong(ServiceProgram.KEYS);
                return KvMessages.request(op, key, KvMessages.value(key, rnd.nextLong()), seq);
            },
            p -> true),
    SHARD("shard", ShardXdpServer.PROGRAM, ShardXdpServer.TC_PROGRAM, TxnMessage.SIZE, Op.TXN_READ, Op.TXN_DELETE_PRIMARY,
            allow -> ShardXdpServer.load(ServiceProgram.SHARD_BUCKETS, 256, 1024, ServiceProgram.LONG_LEASE, Frames.SERVER_MAC, allow),
            ServiceProgram::shardRequest,
            // an install names the version it writes: version 0 is never one (the commit protocol)
            p -> TxnMessage.key(p) != 0 && LockRules.txnOk(TxnMessage.txnId(p))
                    && !(isInstall(Header.op(p)) && TxnMessage.version(p) == 0));

    /** A random well-formed request of a service, given its op. */
    private interface RequestMaker {
        byte[] make(int op, SplittableRandom rnd, long seq);
    }

    private static byte[] shardRequest(int op, SplittableRandom rnd, long seq) {
        byte[] b = new byte[TxnMessage.SIZE];
        MemorySegment m = MemorySegment.ofArray(b);
        long key = 0x0100_0000_0000_0000L | (1 + rnd.nextLong(KEYS));
        long txn = 1 + rnd.nextInt(4);
        if (op >= Op.TXN_COMMIT_LOG) {
            MemorySegment value = MemorySegment.ofArray(KvMessages.value(key, rnd.nextLong()));
            TxnMessage.encodeInstall(m, op, 77, seq, key, txn, 1 + rnd.nextInt(30), rnd.nextInt(4) == 0 ? 4 : 0, value, 0);
        } else {
            TxnMessage.encodeRequest(m, op, 77, seq, key, txn);
        }
        return b;
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
    private final Function<Allowlist, BpfObject> loader;
    private final RequestMaker requests;
    private final Predicate<MemorySegment> fieldsServed;

    ServiceProgram(String file, String program, String tcProgram, int size, int opLo, int opHi,
                   Function<Allowlist, BpfObject> loader, RequestMaker requests, Predicate<MemorySegment> fieldsServed) {
        this.file = file;
        this.program = program;
        this.tcProgram = tcProgram;
        this.size = size;
        this.opLo = opLo;
        this.opHi = opHi;
        this.loader = loader;
        this.requests = requests;
        this.fieldsServed = fieldsServed;
    }

    /** Loads the object small (a few table entries or buckets), answering frames to {@link Frames#SERVER_MAC} from {@code allow}. */
    public BpfObject load(Allowlist allow) {
        return loader.apply(allow);
    }

    /** A random well-formed request with this seq. */
    public byte[] request(SplittableRandom rnd, long seq) {
        return requests.make(opLo + rnd.nextInt(opHi - opLo + 1), rnd, seq);
    }

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

    /** True when {@code payload} is a request this service serves: its size, a request, an op of its range, fields it accepts. */
    public boolean serves(byte[] payload) {
        if (payload.length != size) {
            return false;
        }
        MemorySegment p = MemorySegment.ofArray(payload);
        int op = Header.op(p);
        return Header.status(p) == Status.REQUEST && op >= opLo && op <= opHi && fieldsServed.test(p);
    }
}

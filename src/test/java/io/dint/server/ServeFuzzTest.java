package io.dint.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.kv.KvService;
import io.dint.kv.KvSlowPath;
import io.dint.kv.KvStore;
import io.dint.lock.LockTable;
import io.dint.log.LogRings;
import io.dint.log.LogService;
import io.dint.occ.OccTable;
import io.dint.shard.ShardLog;
import io.dint.shard.ShardSlowPath;
import io.dint.shard.ShardStore;
import io.dint.testing.KvMessages;
import io.dint.testing.ServiceProgram;
import io.dint.wire.Hash64;
import io.dint.wire.Header;
import io.dint.wire.KvMessage;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Status;
import io.dint.wire.TxnMessage;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * {@code serve()} of every Java service and slow path with malformed input: well-formed requests
 * mutated (bits, bytes, words set to boundary values, cut short, extended) and random bytes. None
 * ever throws; each counts the datagram once, as served or as one kind of drop; a reply is the
 * request's length with its header echoed and a reply status, and only a well-formed request gets
 * one — and every well-formed request does.
 */
class ServeFuzzTest {
    private static final Arena ARENA = Arena.ofShared();
    private static final LockTable LOCKS = new LockTable(64);
    private static final OccTable OCC = new OccTable(64);
    private static final LogService LOG = new LogService(new LogRings(ARENA.allocate(1024L * Wire.LOG_ENTRY_SIZE, 64),
            ARENA.allocate(Wire.LOG_CURSOR_SIZE, 64), 1, 1024));
    private static final KvService KV = new KvService(new KvStore(ServiceProgram.KV_BUCKETS));
    private static final ShardStore SHARD = shard();
    /** Request ids the shard has answered: another request under one of them is answered from its dedup window. */
    private static final java.util.Set<java.util.List<Long>> SHARD_IDS = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final KvStore KV_SLOW_STORE = new KvStore(ServiceProgram.KV_BUCKETS);
    private static final KvSlowPath KV_SLOW = new KvSlowPath(KV_SLOW_STORE, 0);
    private static final ShardSlowPath SHARD_SLOW = new ShardSlowPath(new ShardStore(1024, new ShardLog(1024)), ServiceProgram.SHARD_BUCKETS);
    private static final int[] DROPS = {Stat.DROP_TRUNCATED, Stat.DROP_BAD_LENGTH, Stat.DROP_BAD_OP};

    /** The shard as a served one is: with an epoch and a lock lease. */
    private static ShardStore shard() {
        ShardStore s = new ShardStore(1024, new ShardLog(1024));
        s.setEpoch(ServiceProgram.SHARD_EPOCH);
        s.setLockLease(ServiceProgram.SHARD_LOCK_LEASE_MS);
        return s;
    }

    @AfterContainer
    static void close() {
        LOCKS.close();
        OCC.close();
        KV.close();
        SHARD.close();
        KV_SLOW.close();
        SHARD_SLOW.close();
        ARENA.close();
    }

    private static final Map<ServiceProgram, DatagramService> SERVICES = Map.of(ServiceProgram.LOCK2PL, LOCKS,
            ServiceProgram.OCC, OCC, ServiceProgram.LOG, LOG, ServiceProgram.KV, KV, ServiceProgram.SHARD, SHARD);

    @Property(tries = 15000)
    void everyService(@ForAll ServiceProgram program, @ForAll long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] input = mutate(program.request(rnd, rnd.nextLong()), rnd);
        byte[] reply = check(SERVICES.get(program), input, program::serves, program.file());
        if (program == ServiceProgram.SHARD && reply != null) {
            MemorySegment q = MemorySegment.ofArray(input);
            boolean seen = !SHARD_IDS.add(java.util.List.of((long) Header.clientId(q), Header.seq(q)));
            assertThat(ServiceProgram.shardReplyFault(input, reply, SHARD.epoch(), false, seen)).as(HexFormat.of().formatHex(input))
                    .isNull();
        }
    }

    @Property(tries = 3000)
    void kvSlowPath(@ForAll long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] grown = kvGrown(rnd);
        check(KV_SLOW, mutate(grown, rnd), ServeFuzzTest::kvGrownServed, "KV slow path");
    }

    @Property(tries = 3000)
    void shardSlowPath(@ForAll long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] grown = shardGrown(rnd);
        check(SHARD_SLOW, mutate(grown, rnd), ServeFuzzTest::shardGrownServed, "shard slow path");
    }

    /**
     * Serves {@code input} and checks what came of it against {@code served}, the oracle of
     * well-formed input. Returns the reply, or null when there is none.
     */
    private static byte[] check(DatagramService service, byte[] input, Predicate<byte[]> served, String what) {
        long[] stats = new long[Stat.MAX];
        MemorySegment buf = ARENA.allocate(2048, 8);
        MemorySegment.copy(MemorySegment.ofArray(input), 0, buf, 0, input.length);
        int n = service.serve(buf, input.length, stats);
        String d = what + " " + HexFormat.of().formatHex(input);
        assertThat(stats[Stat.RX]).as("counted once: %s", d).isEqualTo(1);
        if (n < 0) {
            assertThat(served.test(input)).as("a well-formed request dropped: %s", d).isFalse();
            assertThat(Arrays.stream(DROPS).mapToLong(i -> stats[i]).sum()).as("one drop counted: %s", d).isEqualTo(1);
            assertThat(stats[Stat.TX]).isZero();
            return null;
        }
        assertThat(served.test(input)).as("answered, so well-formed: %s", d).isTrue();
        assertThat(n).as("a reply is the request's length: %s", d).isEqualTo(input.length);
        assertThat(stats[Stat.TX]).isEqualTo(1);
        MemorySegment q = MemorySegment.ofArray(input);
        assertThat(Header.op(buf)).as("op echoed: %s", d).isEqualTo(Header.op(q));
        assertThat(Header.clientId(buf)).as("client echoed: %s", d).isEqualTo(Header.clientId(q));
        assertThat(Header.seq(buf)).as("seq echoed: %s", d).isEqualTo(Header.seq(q));
        assertThat(Header.status(buf)).as("a reply status: %s", d).isNotEqualTo(Status.REQUEST);
        return buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
    }

    /** The input mutated one way or another, or left well-formed a quarter of the time. */
    private static byte[] mutate(byte[] valid, SplittableRandom rnd) {
        byte[] m = valid.clone();
        switch (rnd.nextInt(8)) {
            case 0, 1 -> {
                return m;
            }
            case 2 -> {
                for (int i = 1 + rnd.nextInt(4); i > 0; i--) {
                    int bit = rnd.nextInt(m.length * 8);
                    m[bit / 8] ^= (byte) (1 << (bit % 8));
                }
            }
            case 3 -> {
                int at = 8 * rnd.nextInt(m.length / 8);
                long v = switch (rnd.nextInt(4)) {
                    case 0 -> 0;
                    case 1 -> -1;
                    case 2 -> rnd.nextLong();
                    default -> MemorySegment.ofArray(m).get(ValueLayout.JAVA_LONG_UNALIGNED, at) + (rnd.nextBoolean() ? 1 : -1);
                };
                MemorySegment.ofArray(m).set(ValueLayout.JAVA_LONG_UNALIGNED, at, v);
            }
            case 4 -> m[rnd.nextInt(m.length)] = (byte) rnd.nextInt();
            case 5 -> m = Arrays.copyOf(m, rnd.nextInt(m.length));
            case 6 -> m = Arrays.copyOf(m, m.length + 1 + rnd.nextInt(300));
            default -> {
                m = new byte[rnd.nextInt(Wire.MAX_PAYLOAD + 40)];
                rnd.nextBytes(m);
            }
        }
        return m;
    }

    // ---- slow-path requests: a message and the trailer XDP appends ----

    private static byte[] kvGrown(SplittableRandom rnd) {
        byte[] b = Arrays.copyOf(ServiceProgram.KV.request(rnd, rnd.nextLong()), KvMessage.SLOW_SIZE);
        MemorySegment m = MemorySegment.ofArray(b);
        long key = KvMessage.key(m);
        int bucket = KV_SLOW_STORE.bucketOf(key);
        trailer(m, KvMessage.SIZE, bucket, rnd, victimOf(bucket, ServiceProgram.KV_BUCKETS, rnd, 0));
        return b;
    }

    private static byte[] shardGrown(SplittableRandom rnd) {
        byte[] b = Arrays.copyOf(ServiceProgram.SHARD.request(rnd, rnd.nextLong()), ShardSlowPath.SIZE);
        MemorySegment m = MemorySegment.ofArray(b);
        int bucket = (int) Long.remainderUnsigned(Hash64.hash(TxnMessage.key(m)), ServiceProgram.SHARD_BUCKETS);
        trailer(m, TxnMessage.SIZE, bucket, rnd, victimOf(bucket, ServiceProgram.SHARD_BUCKETS, rnd, 0x0100_0000_0000_0000L));
        return b;
    }

    /** A key of {@code bucket} (tagged with {@code tag}), or 0 for no victim. */
    private static long victimOf(int bucket, int buckets, SplittableRandom rnd, long tag) {
        if (rnd.nextBoolean()) {
            return 0;
        }
        for (long k = 1 + rnd.nextLong(ServiceProgram.KEYS); ; k++) {
            if (Long.remainderUnsigned(Hash64.hash(tag | k), buckets) == bucket) {
                return tag | k;
            }
        }
    }

    private static void trailer(MemorySegment m, int at, int bucket, SplittableRandom rnd, long victim) {
        m.set(ValueLayout.JAVA_LONG_UNALIGNED, at + Wire.KV_SLOW_LEASE, rnd.nextLong() | 1);
        m.set(ValueLayout.JAVA_INT_UNALIGNED, at + Wire.KV_SLOW_BUCKET, bucket);
        m.set(ValueLayout.JAVA_BYTE, at + Wire.KV_SLOW_WAY, (byte) rnd.nextInt(Wire.KV_WAYS));
        m.set(ValueLayout.JAVA_BYTE, at + Wire.KV_SLOW_FLAGS, (byte) (victim != 0 ? Wire.KV_VICTIM : 0));
        if (victim != 0) {
            long obj = at + Wire.KV_SLOW_VICTIM;
            m.set(ValueLayout.JAVA_LONG_UNALIGNED, obj + Wire.KV_OBJECT_KEY, victim);
            m.set(ValueLayout.JAVA_LONG_UNALIGNED, obj + Wire.KV_OBJECT_VERSION, 1 + rnd.nextInt(9));
            MemorySegment.copy(MemorySegment.ofArray(KvMessages.value(victim, 1)), 0, m, obj + Wire.KV_OBJECT_VALUE, Wire.KV_VALUE_SIZE);
        }
    }

    /** A KV slow-path request: a KV request it serves, its trailer naming its key's bucket, a victim of that bucket. */
    private static boolean kvGrownServed(byte[] b) {
        MemorySegment m = MemorySegment.ofArray(b);
        return b.length == KvMessage.SLOW_SIZE && ServiceProgram.KV.serves(Arrays.copyOf(b, KvMessage.SIZE))
                && KvMessage.bucket(m) == KV_SLOW_STORE.bucketOf(KvMessage.key(m))
                && victimInBucket(m, KvMessage.SIZE, KvMessage.bucket(m), ServiceProgram.KV_BUCKETS);
    }

    /**
     * A shard slow-path request: a shard request it serves that goes up (a read, lock or install,
     * not a log append or a release), its key's bucket, only the victim flag, a victim of that bucket.
     */
    private static boolean shardGrownServed(byte[] b) {
        if (b.length != ShardSlowPath.SIZE || !ServiceProgram.SHARD.serves(Arrays.copyOf(b, TxnMessage.SIZE))) {
            return false;
        }
        MemorySegment m = MemorySegment.ofArray(b);
        int op = Header.op(m);
        int bucket = m.get(ValueLayout.JAVA_INT_UNALIGNED, TxnMessage.SIZE + Wire.KV_SLOW_BUCKET);
        int flags = m.get(ValueLayout.JAVA_BYTE, TxnMessage.SIZE + Wire.KV_SLOW_FLAGS) & 0xff;
        boolean logOrRelease = op == Op.TXN_COMMIT_LOG || op == Op.TXN_INSERT_LOG || op == Op.TXN_DELETE_LOG
                || op == Op.TXN_RELEASE_SHARED || op == Op.TXN_RELEASE_EXCLUSIVE || op == Op.TXN_OCC_ABORT;
        return !logOrRelease && (flags & ~Wire.KV_VICTIM) == 0
                && bucket == Long.remainderUnsigned(Hash64.hash(TxnMessage.key(m)), ServiceProgram.SHARD_BUCKETS)
                && victimInBucket(m, TxnMessage.SIZE, bucket, ServiceProgram.SHARD_BUCKETS);
    }

    private static boolean victimInBucket(MemorySegment m, int at, int bucket, int buckets) {
        if ((m.get(ValueLayout.JAVA_BYTE, at + Wire.KV_SLOW_FLAGS) & Wire.KV_VICTIM) == 0) {
            return true;
        }
        long victim = m.get(ValueLayout.JAVA_LONG_UNALIGNED, at + Wire.KV_SLOW_VICTIM + Wire.KV_OBJECT_KEY);
        return Long.remainderUnsigned(Hash64.hash(victim), buckets) == bucket;
    }
}

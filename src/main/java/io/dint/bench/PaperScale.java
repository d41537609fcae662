package io.dint.bench;

import io.dint.kv.KvDataSet;
import io.dint.kv.KvStore;
import io.dint.kv.MemcachedServer;
import io.dint.lock.LockTable;
import io.dint.shard.ShardStore;
import io.dint.shard.ShardXdpServer;
import io.dint.txn.TxnWorkload;
import io.dint.wire.Wire;
import io.dint.workload.SmallbankWorkload;
import io.dint.workload.TatpWorkload;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongUnaryOperator;

/**
 * {@code ./dint bench --scale paper}: every benchmark at the paper's data size, or, where that does
 * not fit this machine's memory, at the largest size that does.
 *
 * <p>What a size costs is computed from the same structures the servers allocate, for the backend
 * that needs most, with every server of the benchmark at once: the lock table (kernel array map or
 * Java table, {@code 1.5 x ids} entries); the KV store ({@link KvStore}: a 64-byte record per key,
 * a header per bucket) plus the kernel cache (a 4-way bucket per 2.67 keys at 1.5 slots per key),
 * or memcached's {@code -m}; a transaction shard's two {@link ShardStore}s (served and replayed;
 * a power of two of 96-byte slots above 1.5x its records) plus the kernel cache and lock table of
 * the xdp shard, three times
 * (every shard holds every record). Each server process adds {@link #JVM_BYTES}. What is available
 * is {@code MemAvailable} of {@code /proc/meminfo} less the bench JVM's heap limit, its own
 * {@link #JVM_BYTES} and {@link #HEADROOM} of the total for the kernel and the page cache.
 * Measured here: a TATP xdp shard of 100K subscribers (2.2M records) is estimated at 665 MB of
 * data and took 656 MB with its JVM (356 MB of BPF maps, 474 MB resident).
 */
public final class PaperScale {
    /** Lock ids of lock2pl, keys of occ and log: the paper's lock trace. */
    public static final long LOCK_IDS = 24_000_000;
    /** KV subscribers: their 12 CALL_FORWARDING keys each are the paper's 24M keys. */
    public static final long KV_SUBSCRIBERS = 2_000_000;
    /** Smallbank accounts, the paper's. */
    public static final long ACCOUNTS = 24_000_000;
    /** TATP subscribers: the original's {@code kSubscriberNum}. */
    public static final long TATP_SUBSCRIBERS = 7_000_000;
    /** A server JVM beside its data (an idle one is ~125 MiB resident here). */
    static final long JVM_BYTES = 256L << 20;
    /** Share of the available memory left to the kernel and the page cache. */
    static final double HEADROOM = 0.10;

    private PaperScale() {}

    /**
     * One size option of the bench: the paper's value, the one chosen, and what the servers need
     * at the chosen and at the paper's size.
     */
    public record Choice(String option, String what, long paper, long chosen, int servers, long bytes, long paperBytes,
                         boolean given) {
        /** True when the paper's size did not fit and a smaller one was chosen. */
        public boolean reduced() {
            return !given && chosen < paper;
        }
    }

    /** The sizes of a run at the paper's scale and the memory they were fitted to. */
    public record Plan(long available, long benchHeap, long budget, List<Choice> choices) {
        /** The choice for a size option such as {@code --accounts}. */
        public Choice choice(String option) {
            return choices.stream().filter(c -> c.option().equals(option)).findFirst().orElseThrow();
        }

        /** What the bench prints before it starts: one line for the budget, one per size. */
        public String describe() {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                    "scale paper: %s available; %s for the servers (less the bench JVM's heap limit %s, %s per JVM and %.0f%% headroom)%n",
                    gib(available), gib(budget), gib(benchHeap), (JVM_BYTES >> 20) + " MiB", 100 * HEADROOM));
            for (Choice c : choices) {
                b.append(String.format(Locale.ROOT, "  %-17s %,12d  %s%n", c.option(), c.chosen(), note(c)));
            }
            return b.toString();
        }

        /** How the size of {@code option} was chosen, as a result records it. */
        public String note(String option) {
            return note(choice(option));
        }

        private String note(Choice c) {
            String servers = c.servers() == 1 ? "its server needs " : c.servers() + " servers need ";
            if (c.given()) {
                return "given on the command line (" + c.what() + "; paper: " + String.format(Locale.ROOT, "%,d", c.paper()) + ")";
            }
            if (!c.reduced()) {
                return "the paper's " + c.what() + "; " + servers + gib(c.bytes());
            }
            return String.format(Locale.ROOT, "%s, the largest that fits: of the paper's %,d; %s%s (the paper's: %s, more than the %s there is)",
                    c.what(), c.paper(), servers, gib(c.bytes()), gib(c.paperBytes()), gib(budget));
        }
    }

    /**
     * The plan for this machine: {@code MemAvailable} now, this JVM's heap limit, and the KV and
     * shard caches at {@code cacheRatio} slots per key. Sizes in {@code given} (option names such as
     * {@code --accounts}) are the user's and are kept.
     */
    public static Plan plan(double cacheRatio, List<String> given, long lockIds, long kvSubscribers, long accounts, long subscribers) {
        return plan(memAvailable(), Runtime.getRuntime().maxMemory(), cacheRatio, given,
                new long[] {lockIds, kvSubscribers, accounts, subscribers});
    }

    /** As above for a given available memory and bench heap; {@code values} are the given sizes, in the plan's order. */
    static Plan plan(long available, long benchHeap, double cacheRatio, List<String> given, long[] values) {
        long budget = (long) (available - benchHeap - JVM_BYTES - HEADROOM * available);
        List<Choice> out = new ArrayList<>();
        out.add(fit("--lock-ids", "lock ids and keys (lock2pl, occ, log)", LOCK_IDS, 1, budget, given, values[0],
                PaperScale::lockBytes));
        out.add(fit("--kv-subscribers", "KV subscribers (12 keys each; kv, kv-ablation)", KV_SUBSCRIBERS, 1, budget, given, values[1],
                n -> kvBytes(n, cacheRatio)));
        out.add(fit("--accounts", "Smallbank accounts", ACCOUNTS, 3, budget, given, values[2],
                n -> shardBytes(new SmallbankWorkload(Math.max(n, 2)), cacheRatio)));
        out.add(fit("--subscribers", "TATP subscribers", TATP_SUBSCRIBERS, 3, budget, given, values[3],
                n -> shardBytes(new TatpWorkload(n, 0), cacheRatio)));
        return new Plan(available, benchHeap, budget, List.copyOf(out));
    }

    /**
     * The paper's size if {@code servers} servers of {@code bytes(n)} each (and their JVMs) fit the
     * budget, else the largest that does, rounded down to two significant digits.
     */
    private static Choice fit(String option, String what, long paper, int servers, long budget, List<String> given, long value,
                              LongUnaryOperator bytes) {
        LongUnaryOperator need = n -> servers * (bytes.applyAsLong(n) + JVM_BYTES);
        if (given.contains(option)) {
            return new Choice(option, what, paper, value, servers, need.applyAsLong(value), need.applyAsLong(paper), true);
        }
        long lo = 0, hi = paper; // need(lo) fits (or lo is 0), need(hi + 1) does not
        if (need.applyAsLong(paper) > budget) {
            hi = paper - 1;
            while (lo < hi) {
                long mid = (lo + hi + 1) >>> 1;
                if (need.applyAsLong(mid) <= budget) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            hi = round(lo);
        }
        if (hi < 100) {
            throw new IllegalStateException(String.format(Locale.ROOT,
                    "--scale paper: this machine has %s for the servers, too little for even 100 %s: free memory or give the size with %s",
                    gib(budget), what, option));
        }
        return new Choice(option, what, paper, hi, servers, need.applyAsLong(hi), need.applyAsLong(paper), false);
    }

    /** Two significant digits, rounded down: 7,456,123 -> 7,400,000. */
    static long round(long n) {
        long unit = 1;
        while (n / unit >= 100) {
            unit *= 10;
        }
        return n / unit * unit;
    }

    /** lock2pl's table (the larger entry, beside occ's), in the kernel or in Java. */
    static long lockBytes(long ids) {
        return (long) LockTable.sizeFor(ids) * Wire.LOCK_ENTRY_SIZE;
    }

    /** The KV server that needs most: the xdp one (store and kernel cache) or memcached (its -m). */
    static long kvBytes(long subscribers, double cacheRatio) {
        long keys = subscribers * KvDataSet.KEYS_PER_SUBSCRIBER;
        long buckets = KvStore.bucketsFor(keys, cacheRatio);
        long xdp = keys * KvStore.RECORD_BYTES + buckets * KvStore.BUCKET_BYTES + buckets * Wire.KV_BUCKET_SIZE;
        return Math.max(xdp, MemcachedServer.megabytesFor(keys) << 20);
    }

    /**
     * One xdp shard, the largest backend: the Java store of every record, the store its commit log
     * is replayed into for the end-of-run check (ShardLog), the kernel cache and the kernel lock
     * table (1.5 entries a record).
     */
    static long shardBytes(TxnWorkload workload, double cacheRatio) {
        long records = workload.records();
        return 2 * ShardStore.bytesFor(records) + (long) ShardXdpServer.buckets(records, cacheRatio) * Wire.KV_BUCKET_SIZE
                + (long) LockTable.sizeFor(records) * Wire.LOCK_ENTRY_SIZE;
    }

    /** {@code MemAvailable} of {@code /proc/meminfo}, in bytes. */
    static long memAvailable() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (l.startsWith("MemAvailable:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/meminfo for --scale paper", e);
        }
        throw new IllegalStateException("/proc/meminfo has no MemAvailable (Linux >= 3.14): cannot size --scale paper");
    }

    static String gib(double bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (1L << 30));
    }
}

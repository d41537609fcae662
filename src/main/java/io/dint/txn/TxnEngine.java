package io.dint.txn;

import io.dint.client.ClientStats;
import io.dint.client.LoadLoop;
import io.dint.client.Transport;
import io.dint.wire.Op;
import io.dint.wire.Wire;
import java.util.ArrayList;
import java.util.List;

/**
 * The transaction coordinator, run in the client as in DINT: keeps many transactions in flight
 * over one {@link Transport} and drives each through its {@link Phase}s — EXECUTE round by round
 * as the {@link TxnLogic} asks, VALIDATE (OCC), LOG to all three replicas, BACKUP, PRIMARY,
 * RELEASE — every phase's requests sent at once, in parallel across the shards. A rejected lock
 * or a failed validation aborts the attempt: its locks are released and the same transaction
 * restarts after a randomized backoff. RETRY and timeouts resend the same request (installs carry
 * their version, so a repeated install applies once). Configured by a {@link Context}:
 * <pre>{@code
 * TxnEngine engine = new TxnEngine(new TxnEngine.Context()
 *         .transport(transport).stats(stats).source(source).protocol(Protocol.TWO_PL)
 *         .clientId(7).servers(addrs).port(Wire.PORT).inflight(8)
 *         .listener(new HistoryRecorder(history)));
 * engine.run();
 * }</pre>
 *
 * <p>This class is the coordinator's face: its settings and types. Where each rule lives: the
 * phases, what each sends and which replies it allows in {@link Phase} (the protocols' own steps
 * in {@link Protocol}); the requests, their ids and resends in {@link RequestTable}; timeouts in
 * {@link RtoEstimator} (RFC 6298: about a round trip of waiting for a lost datagram, doubled per
 * resend); a slot's attempt, its epochs and outcome in {@link TxnSlot}, the transactions'
 * lifecycle in {@link TxnSlots}, the datagrams in {@link TxnLoop}; what becomes of a finished
 * transaction — history, committed state, workload accounting, unknown outcomes — in the
 * {@link TxnListener}s. The duty cycle is {@link io.dint.client.ClientLoop}'s, shared with the
 * microbenchmark clients ({@link io.dint.client.InflightLoop} says why the rest differs).
 *
 * <p>Retries are bounded ({@link Context#giveUpAfter}): a phase unanswered that long is given up.
 * Before LOG the attempt aborts; in LOG the outcome is unknown ({@link ClientStats#UNKNOWN},
 * {@link TxnListener#unknown}), never counted as committed or aborted; a committed transaction's
 * installs are never given up. A reply the commit protocol does not allow is counted
 * ({@link ClientStats#PROTOCOL_ERRORS}) and {@link #run} throws a {@link ProtocolViolation} naming
 * the request and the reply. Nothing is allocated per request.
 */
public final class TxnEngine implements LoadLoop {
    /** Concurrency control of a workload, and what it asks of the shards in each phase. */
    public enum Protocol {
        /** No-wait two-phase locking: a read takes a shared lock, a read for update an exclusive one. */
        TWO_PL(false) {
            @Override
            int accessOp(int mode, boolean concurrencyControl) {
                return !concurrencyControl ? Op.TXN_READ : mode == TxnContext.READ ? Op.TXN_LOCK_SHARED : Op.TXN_LOCK_EXCLUSIVE;
            }

            @Override
            int releaseOp(int mode) {
                return mode == TxnContext.READ ? Op.TXN_RELEASE_SHARED : Op.TXN_RELEASE_EXCLUSIVE;
            }

            @Override
            boolean validates(TxnContext x, boolean concurrencyControl) {
                return false;
            }
        },
        /** Optimistic: reads unlocked and validated before LOG, records to be written locked; the primary's install unlocks. */
        OCC(true) {
            @Override
            int accessOp(int mode, boolean concurrencyControl) {
                return mode == TxnContext.READ ? Op.TXN_READ : Op.TXN_OCC_LOCK;
            }

            @Override
            int releaseOp(int mode) {
                return Op.TXN_OCC_ABORT;
            }

            @Override
            boolean validates(TxnContext x, boolean concurrencyControl) {
                // a single unlocked read serializes at the moment it was served: nothing to validate
                int unlocked = x.unlockedReads();
                return concurrencyControl && unlocked > 0 && (x.writes > 0 || unlocked > 1);
            }
        };

        /** The primary's install of a record the transaction locked releases the lock. */
        final boolean installUnlocks;

        Protocol(boolean installUnlocks) {
            this.installUnlocks = installUnlocks;
        }

        /** EXECUTE: the request for an access of {@code mode} (without concurrency control 2PL reads unlocked). */
        abstract int accessOp(int mode, boolean concurrencyControl);

        /** RELEASE: the request for a lock taken by an access of {@code mode}. */
        abstract int releaseOp(int mode);

        /** VALIDATE: whether the attempt's reads without a lock are validated before LOG. */
        abstract boolean validates(TxnContext x, boolean concurrencyControl);

        /** The flags of {@code phase}'s install of write {@code w}: the primary's of a record the transaction locked may unlock. */
        int installFlags(Phase phase, TxnContext x, int w) {
            return phase == Phase.PRIMARY && installUnlocks && x.writeAccess[w] >= 0 ? Wire.TXN_F_UNLOCK : 0;
        }
    }

    /** Supplies the next transaction for an in-flight slot; may reuse one logic object per slot. */
    public interface Source {
        /** The next transaction for {@code slot}, or null when there is none (stop). */
        TxnLogic next(int slot);
    }

    /**
     * A reply the commit protocol does not allow: a bug in a server or the coordinator, or servers
     * of another cluster. The message names the request and the reply.
     */
    public static final class ProtocolViolation extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        ProtocolViolation(String message) {
            super(message);
        }
    }

    /** Shards: a key's primary is {@code key % 3}, its backups the other two. */
    public static final int REPLICAS = 3;
    /**
     * Transactions one engine keeps in flight: every request it may have outstanding has its own
     * entry in the servers' dedup window ({@link RequestTable}), so that a retransmission is
     * always recognised.
     */
    public static final int MAX_INFLIGHT = RequestTable.MAX_SLOTS;
    /** The timeout of a request before any round trip was measured, and the most any estimate gives. */
    public static final long DEFAULT_TIMEOUT_NANOS = 20_000_000L;
    /** The shards' lock lease by default ({@code serve --lock-lease-ms}); an attempt commits within half of it. */
    public static final long DEFAULT_LOCK_LEASE_NANOS = 1_000_000_000L;
    /** How long a phase is retried by default before it is given up. */
    public static final long DEFAULT_GIVE_UP_NANOS = 60_000_000_000L;

    private final TxnLoop loop;

    /** A coordinator as {@code ctx} describes it; every setting is checked here (IllegalArgumentException naming it). */
    public TxnEngine(Context ctx) {
        this.loop = new TxnLoop(ctx.conclude());
    }

    /** The primary shard of {@code key}; the other two are its backups. */
    public static int primary(long key) {
        return (int) Long.remainderUnsigned(key, REPLICAS);
    }

    /** Runs the transactions until the source has no more (or {@link #stop}), on this thread. */
    @Override
    public void run() {
        loop.run();
    }

    /** Asks the coordinator to finish the transactions in flight, take no more, and return. */
    @Override
    public void stop() {
        loop.stop();
    }

    /**
     * The coordinator stops at once, as a killed process would: nothing more is sent, its
     * transactions stay where they are — locks held, logs written or not. For fault injection.
     */
    public void vanish() {
        loop.vanish();
    }

    /** The timeout a fresh request gets now (ns). */
    public long currentTimeoutNanos() {
        return loop.slots.timer.rto();
    }

    /**
     * For tests: every request from now on carries {@code fixed} as its incarnation, as a client
     * without incarnations would reuse a predecessor's request ids.
     */
    void pinIncarnation(int fixed) {
        loop.slots.table.pinIncarnation(fixed);
    }

    /**
     * What a {@link TxnEngine} is to do, set by name (as Aeron's contexts are) and checked in one
     * place when the engine is made. Required: {@link #transport}, {@link #stats}, {@link #source},
     * {@link #protocol}, {@link #clientId}, {@link #servers}. A context configures one engine.
     */
    public static final class Context {
        Transport transport;
        ClientStats stats;
        Source source;
        Protocol protocol;
        int clientId = -1;
        int[] servers;
        int port = Wire.PORT;
        int inflight = 1;
        long timeoutNanos = DEFAULT_TIMEOUT_NANOS;
        boolean concurrencyControl = true;
        long giveUpNanos = DEFAULT_GIVE_UP_NANOS;
        long lockLeaseNanos = DEFAULT_LOCK_LEASE_NANOS;
        final List<TxnListener> listeners = new ArrayList<>();

        /** Where requests go and replies come from; the engine does not close it. */
        public Context transport(Transport transport) {
            this.transport = transport;
            return this;
        }

        /** Where the engine counts requests, replies, outcomes and latencies. */
        public Context stats(ClientStats stats) {
            this.stats = stats;
            return this;
        }

        /** The transactions to run; the engine returns when it has no more for any slot. */
        public Context source(Source source) {
            this.source = source;
            return this;
        }

        /** The concurrency control the servers run for this workload. */
        public Context protocol(Protocol protocol) {
            this.protocol = protocol;
            return this;
        }

        /** This client's id, unique among the clients of the servers (0 to 2^24 - 1: a transaction id's top 24 bits). */
        public Context clientId(int clientId) {
            this.clientId = clientId;
            return this;
        }

        /** IPv4 addresses of the three shard servers, index = {@code key % 3}. */
        public Context servers(int[] servers) {
            this.servers = servers.clone();
            return this;
        }

        /** The servers' UDP port; {@link Wire#PORT} by default. */
        public Context port(int port) {
            this.port = port;
            return this;
        }

        /** Transactions in flight at once, 1 (the default) to {@link #MAX_INFLIGHT}. */
        public Context inflight(int inflight) {
            this.inflight = inflight;
            return this;
        }

        /** A request's timeout before round trips are measured, and the most it adapts to ({@link #DEFAULT_TIMEOUT_NANOS}). */
        public Context timeoutNanos(long nanos) {
            this.timeoutNanos = nanos;
            return this;
        }

        /**
         * OCC validation and 2PL locks, on by default; off (2PL reads without locks, OCC skips
         * validation) only in the negative controls that show the serializability check catching
         * what they prevent.
         */
        public Context concurrencyControl(boolean on) {
            this.concurrencyControl = on;
            return this;
        }

        /** Bounds the retries: a phase unanswered for {@code nanos} is given up ({@link #DEFAULT_GIVE_UP_NANOS}). */
        public Context giveUpAfter(long nanos) {
            this.giveUpNanos = nanos;
            return this;
        }

        /**
         * The shards' lock lease (their {@code --lock-lease-ms}, {@link #DEFAULT_LOCK_LEASE_NANOS}):
         * an attempt whose first lock was asked for longer than half of it ago does not commit.
         */
        public Context lockLease(long nanos) {
            this.lockLeaseNanos = nanos;
            return this;
        }

        /** Adds a listener told of every transaction's end, in the order added. */
        public Context listener(TxnListener listener) {
            listeners.add(java.util.Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** Checks every setting; throws naming the first one missing or out of range. */
        Context conclude() {
            require(transport != null, "no transport: set transport(...)");
            require(stats != null, "no stats: set stats(...)");
            require(source != null, "no source of transactions: set source(...)");
            require(protocol != null, "no protocol: set protocol(TWO_PL or OCC)");
            require(clientId >= 0 && clientId < 1 << 24, "client id must be in 0.." + ((1 << 24) - 1)
                    + " (a transaction id carries it in 24 bits), got " + clientId);
            require(servers != null && servers.length == REPLICAS, "a cluster has " + REPLICAS + " servers, got "
                    + (servers == null ? "none: set servers(...)" : servers.length));
            require(port > 0 && port < 1 << 16, "port must be in 1..65535, got " + port);
            require(inflight > 0 && inflight <= MAX_INFLIGHT, "in-flight transactions per client must be in 1.."
                    + MAX_INFLIGHT + " (the servers' dedup window holds " + Wire.DEDUP_WINDOW + " requests of each client, "
                    + RequestTable.MAX_REQUESTS + " per transaction), got " + inflight + ": run more client threads instead");
            require(timeoutNanos > 0, "the timeout must be positive, got " + timeoutNanos + " ns");
            require(giveUpNanos > 0, "the give-up bound must be positive, got " + giveUpNanos + " ns");
            require(lockLeaseNanos > 0, "the lock lease must be positive, got " + lockLeaseNanos + " ns");
            return this;
        }

        private static void require(boolean ok, String problem) {
            if (!ok) {
                throw new IllegalArgumentException("TxnEngine.Context: " + problem);
            }
        }
    }
}

package io.dint.txn;

import io.dint.check.History;
import io.dint.client.ClientStats;
import io.dint.client.LoadLoop;
import io.dint.client.Transport;
import io.dint.wire.Header;
import io.dint.net.Ipv4;
import io.dint.wire.Op;
import io.dint.wire.RequestIds;
import io.dint.wire.Status;
import io.dint.wire.TxnMessage;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The transaction coordinator, run in the client as in DINT: keeps many transactions in flight
 * over one {@link Transport} and drives each through its phases. Every phase sends one request
 * per record and replica — all of a phase's requests go out in one batch, in parallel across the
 * shards — and waits for every reply:
 * <ol>
 * <li>EXECUTE, round by round as the {@link TxnLogic} asks: reads and locks at each key's primary
 * (2PL: shared or exclusive lock + read; OCC: read, or lock + read for records to be written);</li>
 * <li>VALIDATE (OCC): re-read the versions of records read without a lock; changed or locked
 * means abort;</li>
 * <li>LOG to all three replicas, then BACKUP to the two backups, then PRIMARY (OCC: the install
 * unlocks);</li>
 * <li>RELEASE what is still held (2PL: every lock; OCC: locks on records not written).</li>
 * </ol>
 * A rejected lock or a failed validation aborts the attempt: its locks are released and the same
 * transaction restarts. RETRY and timeouts resend the same request (installs carry their version,
 * so a repeated install applies once). Nothing is allocated per request.
 *
 * <p>Timeouts adapt to the round trips measured (RFC 6298: smoothed round trip plus four times its
 * variation, from requests answered without a resend), between {@link #MIN_RTO_NANOS} and the
 * configured timeout, and double per request with each resend up to {@link #MAX_BACKOFF_NANOS}: a
 * lost datagram costs about one round trip's worth of waiting, not a fixed 20 ms, and a server
 * that is down is not flooded.
 *
 * <p>Retries are bounded ({@link #giveUpAfter}): a phase still unanswered that long is given up.
 * Before LOG nothing was written, so the attempt is aborted (what it holds is released, as far as
 * the servers answer; the rest is left to the servers' leases). In LOG the outcome is unknown —
 * some replicas may have logged the writes — so the transaction is counted as such
 * ({@link ClientStats#UNKNOWN}), kept in {@link UnknownTxns} with what it read and wrote for the
 * end-of-run resolution, and never counted as committed or aborted. From BACKUP on the transaction
 * is committed: its installs are never given up.
 *
 * <p>Epochs (README, "Recovery"): every shard reply carries the shard's epoch, which changes when
 * the shard restarts or takes over a lock whose lease ran out. An attempt remembers the epoch of
 * its grants at each shard: a later reply from that shard in another epoch before LOG aborts it
 * (its locks there may be gone), its LOG to that shard carries that epoch and is refused STALE
 * once the shard has left it (the attempt aborts; what other replicas logged of it is kept in
 * {@link UnknownTxns} as never committed), and an attempt whose first lock is older than half the
 * lock lease does not commit. After LOG, a shard seen in another epoch than the one that
 * acknowledged the LOG may have lost the records with its rings: they are logged there again
 * before the transaction ends.
 *
 * <p>The commit protocol (README, "Commit protocol"): a transaction is committed once every
 * replica acknowledged its LOG records; from then on BACKUP, PRIMARY and RELEASE are each resent
 * through RETRY and timeouts until answered as the protocol allows — an install APPLIED or
 * ALREADY_APPLIED, a log append or release OK — and never skipped. Any other answer (a refused
 * install, a release of a lock not held, a status the phase does not know) is a bug: it is counted
 * ({@link ClientStats#PROTOCOL_ERRORS}) and {@link #run} throws a {@link ProtocolViolation}
 * naming the request and the reply. The history records the versions the primaries confirmed.
 *
 * <p>Request ids: {@code seq = incarnation << 32 | phase << 13 | slot * 48 + request}
 * ({@link RequestIds}); the low 13 bits name the request's own entry of the servers' dedup window.
 * A slot's 19-bit phase counter that wraps makes the engine draw a new incarnation.
 */
public final class TxnEngine implements LoadLoop {
    /** Concurrency control of a workload. */
    public enum Protocol { TWO_PL, OCC }

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

    private static final int EXECUTE = 0, VALIDATE = 1, LOG = 2, BACKUP = 3, PRIMARY = 4, RELEASE = 5, RELOG = 6;
    private static final String[] PHASES = {"EXECUTE", "VALIDATE", "LOG", "BACKUP", "PRIMARY", "RELEASE", "RELOG"};
    private static final int MAX_REQUESTS = 48;
    /** Bits of a seq naming a request's dedup entry; the phase counter takes the rest of the low 32. */
    private static final int INDEX_BITS = Integer.numberOfTrailingZeros(Wire.DEDUP_WINDOW);
    private static final int PHASE_MASK = (1 << (32 - INDEX_BITS)) - 1;
    /**
     * Transactions one engine keeps in flight: every request it may have outstanding has its own
     * entry in the servers' dedup window (seq % window = slot * MAX_REQUESTS + r), so that a
     * retransmission is always recognised.
     */
    public static final int MAX_INFLIGHT = Wire.DEDUP_WINDOW / MAX_REQUESTS;
    private static final int OUTCOME_COMMIT = 0, OUTCOME_ROLLBACK = 1, OUTCOME_RESTART = 2, OUTCOME_UNKNOWN = 3;
    /** The shortest timeout: below it a busy server's queueing alone would cause resends. */
    public static final long MIN_RTO_NANOS = 2_000_000L;
    /** The longest a request waits between resends once it has been resent a few times. */
    public static final long MAX_BACKOFF_NANOS = 200_000_000L;
    /** The shards' lock lease by default ({@code serve --lock-lease-ms}); an attempt commits within half of it. */
    public static final long DEFAULT_LOCK_LEASE_NANOS = 1_000_000_000L;
    /** How long a phase is retried by default before it is given up. */
    public static final long DEFAULT_GIVE_UP_NANOS = 60_000_000_000L;

    private final Transport transport;
    private final ClientStats stats;
    private final Source source;
    private final Protocol protocol;
    private final int clientId;
    private final int[] servers;
    private final int port;
    private final long timeoutNanos;
    private long giveUpNanos = DEFAULT_GIVE_UP_NANOS;
    private long lockLeaseNanos = DEFAULT_LOCK_LEASE_NANOS;
    private UnknownTxns unknown;
    private long srtt = -1, rttvar, rto;   // round-trip estimate and the current timeout, ns
    private final boolean concurrencyControl;
    private final History history;
    private final CommittedState state;
    private final Arena arena = Arena.ofConfined();
    private int incarnation = RequestIds.newIncarnation(0);

    private final int slots;
    private final TxnContext[] ctx;
    private final TxnLogic[] logic;
    private final int[] phase;
    private final int[] round;
    private final int[] outcome;      // what RELEASE leads to
    private final long[] txnId;
    private final long[] txnStart;
    private final int[] phaseGen;     // 19 bits, per slot
    private final long[] phaseSeq;    // seq of the current phase's request 0
    private final long[] phaseStart;  // when the current phase began: its retries are bounded from there
    private final boolean[] conflict;
    private final boolean[] validationFailed;
    private final boolean[] idle;
    private final long[] restartAt;   // > 0: an aborted attempt waits until then (backoff)
    private final int[] attempts;     // of the current transaction
    private final long[] attemptRequests; // datagrams the current attempt sent
    private final java.util.SplittableRandom backoff = new java.util.SplittableRandom();
    private final int[] requests;     // of the current phase
    private final int[] outstanding;
    private final int[] confirmed;    // per write (slot * MAX_WRITES + w): the version its primary confirmed
    // per slot and shard (slot * REPLICAS + server)
    private final int[] grantEpoch;   // the shard's epoch at this attempt's lock grants there, 0 when none
    private final int[] logEpoch;     // the shard's epoch when it acknowledged this transaction's LOG
    private final boolean[] relog;    // the shard left that epoch: log the records there again
    private final boolean[] epochLost;// per slot: a shard left the epoch of this attempt's grants before LOG
    private final boolean[] stale;    // per slot: a LOG was answered STALE
    private final long[] lockStart;   // per slot: when this attempt asked for its first lock, 0 before

    // per request (slot * MAX_REQUESTS + r)
    private final int[] reqOp;
    private final int[] reqServer;
    private final int[] reqIndex;     // access or write index
    private final boolean[] reqDone;
    private final boolean[] reqPending;
    private final long[] reqSentAt;
    private final long[] reqRto;          // this request's timeout: doubles with each resend
    private final boolean[] reqResent;    // sent more than once: its reply's round trip is ambiguous

    private long txnCounter;
    private volatile boolean stopping;
    private volatile boolean vanished;
    private long ledger;
    private final long[] committedByType = new long[16];
    private final long[] rolledBackByType = new long[16];

    /**
     * @param servers   IPv4 addresses of the three shard servers, index = key % 3
     * @param concurrencyControl OCC validation and 2PL locks on; off (2PL reads without locks, OCC
     *                           skips validation) only in the negative controls that show the
     *                           serializability check catching what they prevent
     * @param history   where committed transactions' reads and writes go (and aborted attempts'
     *                  would-be writes), or null
     * @param state     where committed transactions' writes go, for the replicas' reconciliation, or null
     */
    public TxnEngine(Transport transport, ClientStats stats, Source source, Protocol protocol, int clientId,
                     int[] servers, int port, int inflight, long timeoutNanos, boolean concurrencyControl, History history,
                     CommittedState state) {
        if (servers.length != REPLICAS) {
            throw new IllegalArgumentException("a cluster has " + REPLICAS + " servers, got " + servers.length);
        }
        if (inflight <= 0 || inflight > MAX_INFLIGHT) {
            throw new IllegalArgumentException("in-flight transactions per client must be in 1.." + MAX_INFLIGHT
                    + " (the servers' dedup window holds " + Wire.DEDUP_WINDOW + " requests of each client), got " + inflight
                    + ": run more client threads instead");
        }
        this.transport = transport;
        this.stats = stats;
        this.source = source;
        this.protocol = protocol;
        this.clientId = clientId;
        this.servers = servers.clone();
        this.port = port;
        this.timeoutNanos = timeoutNanos;
        this.rto = timeoutNanos;
        this.concurrencyControl = concurrencyControl;
        this.history = history;
        this.state = state;
        this.slots = inflight;
        this.ctx = new TxnContext[inflight];
        for (int s = 0; s < inflight; s++) {
            ctx[s] = new TxnContext(arena);
        }
        this.logic = new TxnLogic[inflight];
        this.phase = new int[inflight];
        this.round = new int[inflight];
        this.outcome = new int[inflight];
        this.txnId = new long[inflight];
        this.txnStart = new long[inflight];
        this.phaseGen = new int[inflight];
        this.phaseSeq = new long[inflight];
        this.phaseStart = new long[inflight];
        this.conflict = new boolean[inflight];
        this.validationFailed = new boolean[inflight];
        this.idle = new boolean[inflight];
        this.restartAt = new long[inflight];
        this.attempts = new int[inflight];
        this.attemptRequests = new long[inflight];
        this.requests = new int[inflight];
        this.outstanding = new int[inflight];
        this.confirmed = new int[inflight * TxnContext.MAX_WRITES];
        this.grantEpoch = new int[inflight * REPLICAS];
        this.logEpoch = new int[inflight * REPLICAS];
        this.relog = new boolean[inflight * REPLICAS];
        this.epochLost = new boolean[inflight];
        this.stale = new boolean[inflight];
        this.lockStart = new long[inflight];
        int n = inflight * MAX_REQUESTS;
        this.reqOp = new int[n];
        this.reqServer = new int[n];
        this.reqIndex = new int[n];
        this.reqDone = new boolean[n];
        this.reqPending = new boolean[n];
        this.reqSentAt = new long[n];
        this.reqRto = new long[n];
        this.reqResent = new boolean[n];
    }

    /**
     * Bounds the retries: a phase unanswered for {@code nanos} is given up (see the class
     * comment); {@code unknown} receives the transactions given up in LOG, or null. Call before
     * {@link #run}.
     */
    /**
     * The shards' lock lease (their {@code --lock-lease-ms}): an attempt whose first lock was asked
     * for longer than half of it ago does not commit. Call before {@link #run}.
     */
    public TxnEngine lockLease(long nanos) {
        if (nanos <= 0) {
            throw new IllegalArgumentException("the lock lease must be positive, got " + nanos + " ns");
        }
        this.lockLeaseNanos = nanos;
        return this;
    }

    public TxnEngine giveUpAfter(long nanos, UnknownTxns unknown) {
        if (nanos <= 0) {
            throw new IllegalArgumentException("the give-up bound must be positive, got " + nanos + " ns");
        }
        this.giveUpNanos = nanos;
        this.unknown = unknown;
        return this;
    }

    /**
     * For tests: every request from now on carries {@code fixed} as its incarnation, as a client
     * without incarnations would reuse a predecessor's request ids.
     */
    void pinIncarnation(int fixed) {
        incarnation = fixed;
    }

    public static int primary(long key) {
        return (int) Long.remainderUnsigned(key, REPLICAS);
    }

    @Override
    public void stop() {
        stopping = true;
    }

    /**
     * The coordinator stops at once, as a killed process would: nothing more is sent, its
     * transactions stay where they are — locks held, logs written or not. For fault injection.
     */
    public void vanish() {
        vanished = true;
    }

    /** Net ledger change (cents) of the transactions this engine committed. */
    public long ledgerDelta() {
        return ledger;
    }

    public long committed(int type) {
        return committedByType[type];
    }

    public long rolledBack(int type) {
        return rolledBackByType[type];
    }

    @Override
    public void run() {
        try {
            long now = System.nanoTime();
            int active = 0;
            for (int s = 0; s < slots; s++) {
                active += startNext(s, now) ? 1 : 0;
            }
            while (active > 0 && !vanished) {
                now = System.nanoTime();
                sendPending(now);
                int n = transport.poll(1);
                now = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    onReply(transport.rxBuffer(i), transport.rxLength(i), now);
                }
                active = 0;
                for (int s = 0; s < slots; s++) {
                    if (idle[s]) {
                        continue;
                    }
                    active++;
                    if (restartAt[s] != 0) {
                        if (now >= restartAt[s]) {
                            restartAt[s] = 0;
                            beginAttempt(s);
                        }
                        continue;
                    }
                    if (outstanding[s] > 0 && now - phaseStart[s] > giveUpNanos && phase[s] != BACKUP && phase[s] != PRIMARY) {
                        giveUp(s, now);
                        continue;
                    }
                    int base = s * MAX_REQUESTS;
                    for (int r = 0; r < requests[s]; r++) {
                        int q = base + r;
                        if (!reqDone[q] && !reqPending[q] && now - reqSentAt[q] > reqRto[q]) {
                            stats.add(ClientStats.TIMEOUTS, 1);
                            reqPending[q] = true;
                            reqResent[q] = true;
                            reqRto[q] = Math.min(2 * reqRto[q], Math.max(MAX_BACKOFF_NANOS, timeoutNanos));
                        }
                    }
                }
            }
        } finally {
            arena.close();
        }
    }

    private boolean startNext(int s, long now) {
        TxnLogic l = stopping ? null : source.next(s);
        if (l == null) {
            idle[s] = true;
            return false;
        }
        logic[s] = l;
        txnStart[s] = now;
        attempts[s] = 0;
        beginAttempt(s);
        return true;
    }

    private void beginAttempt(int s) {
        txnId[s] = ((long) clientId << 40) | (++txnCounter & ((1L << 40) - 1));
        attemptRequests[s] = 0;
        ctx[s].reset();
        round[s] = 0;
        conflict[s] = false;
        validationFailed[s] = false;
        epochLost[s] = false;
        stale[s] = false;
        lockStart[s] = 0;
        for (int i = s * REPLICAS; i < (s + 1) * REPLICAS; i++) {
            grantEpoch[i] = 0;
            logEpoch[i] = 0;
            relog[i] = false;
        }
        decide(s);
    }

    /** Asks the logic what next and starts the phase that follows. */
    private void decide(int s) {
        TxnContext c = ctx[s];
        c.roundStart = c.accesses;
        int next = logic[s].step(c, round[s]++);
        switch (next) {
            case TxnLogic.CONTINUE -> startExecute(s);
            case TxnLogic.COMMIT -> startValidate(s);
            case TxnLogic.ROLLBACK -> startRelease(s, OUTCOME_ROLLBACK);
            default -> throw new IllegalStateException("TxnLogic.step returned " + next);
        }
    }

    private void newPhase(int s, int p) {
        phase[s] = p;
        phaseGen[s] = (phaseGen[s] + 1) & PHASE_MASK;
        if (phaseGen[s] == 0) {
            // this slot counted through its ids: fresh ones, never those of an earlier phase
            incarnation = RequestIds.newIncarnation(incarnation);
        }
        phaseSeq[s] = RequestIds.seq(incarnation, phaseGen[s] << INDEX_BITS | s * MAX_REQUESTS);
        phaseStart[s] = System.nanoTime();
        requests[s] = 0;
        outstanding[s] = 0;
    }

    private void request(int s, int op, int server, int index) {
        int r = requests[s]++;
        int q = s * MAX_REQUESTS + r;
        reqOp[q] = op;
        reqServer[q] = server;
        reqIndex[q] = index;
        reqDone[q] = false;
        reqPending[q] = true;
        reqResent[q] = false;
        reqRto[q] = rto;
        outstanding[s]++;
    }

    /**
     * A phase unanswered for the give-up bound. Before LOG nothing was written: the attempt
     * aborts, releasing what it holds (a release given up too leaves the rest to the leases).
     * In LOG the outcome is unknown: counted, kept for resolution, the slot moves on; its locks
     * stay until the servers' leases or a resolution free them. A release after a commit given
     * up ends the transaction as committed.
     */
    private void giveUp(int s, long now) {
        switch (phase[s]) {
            case EXECUTE, VALIDATE -> {
                stats.add(ClientStats.ABORTED, 1);
                stats.add(ClientStats.GAVE_UP, 1);
                int base = s * MAX_REQUESTS;
                for (int r = 0; r < requests[s]; r++) {
                    // An exclusive lock never answered may have been granted: release it too
                    // (NOT_HELD is then fine; the holder is recorded, so nobody else's is taken).
                    // A shared grant is only a count: releasing one we may not hold could take
                    // another transaction's, so it is left to the lease.
                    int a = reqIndex[base + r];
                    int op = reqOp[base + r];
                    if (!reqDone[base + r] && phase[s] == EXECUTE && (op == Op.TXN_LOCK_EXCLUSIVE || op == Op.TXN_OCC_LOCK)) {
                        ctx[s].held[a] = true;
                        ctx[s].mayNotHold[a] = true;
                    }
                }
                startRelease(s, OUTCOME_RESTART);
            }
            case LOG -> {
                stats.add(ClientStats.UNKNOWN, 1);
                if (unknown != null) {
                    unknown.add(unknownTxn(s));
                }
                outcome[s] = OUTCOME_UNKNOWN;
                finish(s, now);
            }
            default -> { // RELEASE: of an aborted attempt, or of a committed transaction
                if (outcome[s] == OUTCOME_RESTART) {
                    stats.add(ClientStats.GAVE_UP, 1);
                }
                finish(s, now);
            }
        }
    }

    /** What a transaction given up in LOG read and would have written, for the end-of-run resolution. */
    private UnknownTxns.Txn unknownTxn(int s) {
        TxnContext c = ctx[s];
        long[] rk = new long[c.accesses], rd = new long[c.accesses];
        int[] rv = new int[c.accesses];
        for (int a = 0; a < c.accesses; a++) {
            rk[a] = c.key[a];
            rv[a] = c.version[a];
            rd[a] = History.digest(c.values, (long) a * TxnContext.VALUE, TxnContext.VALUE, c.exists(a));
        }
        long[] wk = new long[c.writes], wd = new long[c.writes], wt = new long[c.writes];
        int[] wv = new int[c.writes];
        boolean[] we = new boolean[c.writes];
        for (int w = 0; w < c.writes; w++) {
            wk[w] = c.writeKey[w];
            wv[w] = c.writeVersion[w];
            we[w] = c.writeKind[w] != TxnContext.DELETE;
            wd[w] = History.digest(c.writeValues, (long) w * TxnContext.VALUE, TxnContext.VALUE, we[w]);
            wt[w] = io.dint.shard.RecordDigest.term(wk[w], wv[w], we[w], c.writeValues, (long) w * TxnContext.VALUE);
        }
        return new UnknownTxns.Txn(txnId[s], rk, rv, rd, wk, wv, we, wd, wt);
    }

    private void startExecute(int s) {
        TxnContext c = ctx[s];
        if (c.roundStart == c.accesses) {
            throw new IllegalStateException(logic[s] + " asked for another round without adding an access");
        }
        newPhase(s, EXECUTE);
        for (int a = c.roundStart; a < c.accesses; a++) {
            int op = protocol == Protocol.TWO_PL
                    ? (!concurrencyControl ? Op.TXN_READ : c.mode[a] == TxnContext.READ ? Op.TXN_LOCK_SHARED : Op.TXN_LOCK_EXCLUSIVE)
                    : (c.mode[a] == TxnContext.READ ? Op.TXN_READ : Op.TXN_OCC_LOCK);
            request(s, op, primary(c.key[a]), a);
            if (op != Op.TXN_READ && lockStart[s] == 0) {
                lockStart[s] = System.nanoTime();
            }
        }
    }

    /**
     * True when the attempt's locks may be near the end of their lease: its first lock was asked
     * for longer than half the lease ago (the lease runs on the shard from the grant, which came
     * after the request, so this clock's reading is on the safe side).
     */
    private boolean leaseSpent(int s) {
        return lockStart[s] != 0 && System.nanoTime() - lockStart[s] > lockLeaseNanos / 2;
    }

    private void startValidate(int s) {
        TxnContext c = ctx[s];
        int unlocked = 0;
        for (int a = 0; a < c.accesses; a++) {
            unlocked += c.mode[a] == TxnContext.READ ? 1 : 0;
        }
        // a single unlocked read serializes at the moment it was served: nothing to validate
        boolean needed = protocol == Protocol.OCC && concurrencyControl && unlocked > 0 && (c.writes > 0 || unlocked > 1);
        if (!needed) {
            startLog(s);
            return;
        }
        newPhase(s, VALIDATE);
        for (int a = 0; a < c.accesses; a++) {
            if (c.mode[a] == TxnContext.READ) {
                request(s, Op.TXN_VALIDATE, primary(c.key[a]), a);
            }
        }
    }

    private void startLog(int s) {
        TxnContext c = ctx[s];
        if (leaseSpent(s)) {
            stats.add(ClientStats.ABORTED, 1);
            startRelease(s, OUTCOME_RESTART);
            return;
        }
        if (c.writes == 0) {
            startRelease(s, OUTCOME_COMMIT);
            return;
        }
        newPhase(s, LOG);
        logTo(s, c, null);
    }

    /** The LOG requests of every write, to every shard ({@code only} null) or to those {@code only} marks. */
    private void logTo(int s, TxnContext c, boolean[] only) {
        for (int w = 0; w < c.writes; w++) {
            int op = c.writeKind[w] == TxnContext.INSERT ? Op.TXN_INSERT_LOG
                    : c.writeKind[w] == TxnContext.DELETE ? Op.TXN_DELETE_LOG : Op.TXN_COMMIT_LOG;
            for (int server = 0; server < REPLICAS; server++) {
                if (only == null || only[s * REPLICAS + server]) {
                    request(s, op, server, w);
                }
            }
        }
    }

    /** Logs the transaction's records again at every shard that left the epoch it acknowledged them in. */
    private void startRelog(int s) {
        newPhase(s, RELOG);
        logTo(s, ctx[s], relog);
        for (int server = 0; server < REPLICAS; server++) {
            relog[s * REPLICAS + server] = false;
        }
    }

    private void startBackup(int s) {
        TxnContext c = ctx[s];
        newPhase(s, BACKUP);
        for (int w = 0; w < c.writes; w++) {
            int op = c.writeKind[w] == TxnContext.INSERT ? Op.TXN_INSERT_BACKUP
                    : c.writeKind[w] == TxnContext.DELETE ? Op.TXN_DELETE_BACKUP : Op.TXN_COMMIT_BACKUP;
            int p = primary(c.writeKey[w]);
            for (int server = 0; server < REPLICAS; server++) {
                if (server != p) {
                    request(s, op, server, w);
                }
            }
        }
    }

    private void startPrimary(int s) {
        TxnContext c = ctx[s];
        newPhase(s, PRIMARY);
        for (int w = 0; w < c.writes; w++) {
            int op = c.writeKind[w] == TxnContext.INSERT ? Op.TXN_INSERT_PRIMARY
                    : c.writeKind[w] == TxnContext.DELETE ? Op.TXN_DELETE_PRIMARY : Op.TXN_COMMIT_PRIMARY;
            request(s, op, primary(c.writeKey[w]), w);
        }
    }

    /** Releases every lock still held, then ends the transaction as {@code then} says. */
    private void startRelease(int s, int then) {
        TxnContext c = ctx[s];
        outcome[s] = then;
        newPhase(s, RELEASE);
        for (int a = 0; a < c.accesses; a++) {
            if (c.held[a]) {
                int op = protocol == Protocol.OCC ? Op.TXN_OCC_ABORT
                        : c.mode[a] == TxnContext.READ ? Op.TXN_RELEASE_SHARED : Op.TXN_RELEASE_EXCLUSIVE;
                request(s, op, primary(c.key[a]), a);
            }
        }
        if (requests[s] == 0) {
            finish(s, System.nanoTime());
        }
    }

    private void finish(int s, long now) {
        switch (outcome[s]) {
            case OUTCOME_COMMIT -> {
                stats.add(ClientStats.COMMITTED, 1);
                stats.add(ClientStats.GOOD_REQUESTS, attemptRequests[s]);
                stats.recordTxn(now - txnStart[s]);
                committedByType[logic[s].type()]++;
                ledger += ctx[s].ledgerDelta;
                record(s, true);
            }
            case OUTCOME_ROLLBACK -> {
                record(s, false);
                stats.add(ClientStats.ROLLED_BACK, 1);
                stats.recordTxn(now - txnStart[s]);
                rolledBackByType[logic[s].type()]++;
            }
            case OUTCOME_UNKNOWN -> { } // neither committed nor aborted: kept in UnknownTxns
            default -> {
                record(s, false);
                // no-wait 2PL and OCC livelock under contention unless restarts spread out:
                // randomized exponential backoff from 10 us, capped at ~2.5 ms
                int a = Math.min(++attempts[s], 8);
                restartAt[s] = now + 1 + backoff.nextLong(10_000L << a);
                newPhase(s, EXECUTE);
                return;
            }
        }
        startNext(s, now);
    }

    /**
     * Records a committed transaction — its reads (versions and value digests) and its writes at
     * the versions the primaries confirmed — in the history and its writes in the committed state;
     * of an attempt that did not commit, the writes it would have made, if any, in the history.
     */
    private void record(int s, boolean committed) {
        TxnContext c = ctx[s];
        int base = s * TxnContext.MAX_WRITES;
        if (committed && state != null) {
            for (int w = 0; w < c.writes; w++) {
                state.write(c.writeKey[w], confirmed[base + w], c.writeKind[w] != TxnContext.DELETE, c.writeValues,
                        (long) w * TxnContext.VALUE, txnId[s]);
            }
        }
        if (history == null || (!committed && c.writes == 0)) {
            return;
        }
        history.begin(txnId[s]);
        if (committed) {
            for (int a = 0; a < c.accesses; a++) {
                history.read(c.key[a], Integer.toUnsignedLong(c.version[a]),
                        History.digest(c.values, (long) a * TxnContext.VALUE, TxnContext.VALUE, c.exists(a)));
            }
        }
        for (int w = 0; w < c.writes; w++) {
            int version = committed ? confirmed[base + w] : c.writeVersion[w];
            history.write(c.writeKey[w], Integer.toUnsignedLong(version), History.digest(c.writeValues,
                    (long) w * TxnContext.VALUE, TxnContext.VALUE, c.writeKind[w] != TxnContext.DELETE));
        }
        if (committed) {
            history.commit();
        } else {
            history.abort();
        }
    }

    private void sendPending(long now) {
        int cap = transport.capacity();
        int n = 0;
        for (int s = 0; s < slots; s++) {
            if (idle[s]) {
                continue;
            }
            int base = s * MAX_REQUESTS;
            for (int r = 0; r < requests[s]; r++) {
                int q = base + r;
                if (!reqPending[q]) {
                    continue;
                }
                if (n == cap) {
                    stats.add(ClientStats.REQUESTS, transport.flush(n));
                    n = 0;
                }
                encode(transport.txBuffer(n), s, r, q);
                transport.setTx(n, TxnMessage.SIZE, servers[reqServer[q]], port);
                reqPending[q] = false;
                reqSentAt[q] = now;
                attemptRequests[s]++;
                n++;
            }
        }
        if (n > 0) {
            stats.add(ClientStats.REQUESTS, transport.flush(n));
        }
    }

    private void encode(MemorySegment b, int s, int r, int q) {
        TxnContext c = ctx[s];
        int op = reqOp[q];
        int i = reqIndex[q];
        long seq = phaseSeq[s] + r;
        if (phase[s] == EXECUTE || phase[s] == VALIDATE || phase[s] == RELEASE) {
            TxnMessage.encodeRequest(b, op, clientId, seq, c.key[i], txnId[s]);
        } else {
            TxnMessage.encodeInstall(b, op, clientId, seq, c.writeKey[i], txnId[s], c.writeVersion[i], installFlags(s, i),
                    c.writeValues, (long) i * TxnContext.VALUE);
            if (phase[s] == LOG) {
                // the epoch of this attempt's grants there: a shard that has left it refuses (STALE)
                Header.setReserved(b, grantEpoch[s * REPLICAS + reqServer[q]]);
            }
        }
    }

    /** OCC: the primary's install of a record the transaction locked releases the lock. */
    private int installFlags(int s, int w) {
        return phase[s] == PRIMARY && protocol == Protocol.OCC && ctx[s].writeAccess[w] >= 0 ? Wire.TXN_F_UNLOCK : 0;
    }

    private void onReply(MemorySegment b, int len, long now) {
        if (len != TxnMessage.SIZE || Header.clientId(b) != clientId) {
            stats.add(ClientStats.STALE, 1);
            return;
        }
        long seq = Header.seq(b);
        int index = (int) (seq & (Wire.DEDUP_WINDOW - 1));
        int s = index / MAX_REQUESTS;
        int r = index % MAX_REQUESTS;
        if (s >= slots || idle[s] || r >= requests[s] || seq != phaseSeq[s] + r || reqDone[s * MAX_REQUESTS + r]) {
            stats.add(ClientStats.STALE, 1);
            return;
        }
        int q = s * MAX_REQUESTS + r;
        int status = Header.status(b);
        stats.add(ClientStats.REPLIES, 1);
        stats.recordRequest(now - reqSentAt[q]);
        if (!reqResent[q]) {
            sampleRoundTrip(now - reqSentAt[q]);
        }
        if (status == Status.RETRY) {
            stats.add(ClientStats.RETRIES, 1);
            reqPending[q] = true;
            return;
        }
        reqDone[q] = true;
        reqPending[q] = false;
        outstanding[s]--;
        TxnContext c = ctx[s];
        int i = reqIndex[q];
        int g = s * REPLICAS + reqServer[q];
        int epoch = Header.reserved(b);
        // this attempt's locks at the shard are from an epoch it has left: they may be gone
        boolean left = grantEpoch[g] != 0 && epoch != grantEpoch[g];
        switch (phase[s]) {
            case EXECUTE -> {
                boolean read = reqOp[q] == Op.TXN_READ;
                if (status == (read ? Status.OK : Status.GRANT)) {
                    c.storeReply(i, b);
                    c.held[i] = !read;
                    if (!read && grantEpoch[g] == 0) {
                        grantEpoch[g] = epoch;
                    }
                } else if (status == Status.REJECT && !read) {
                    conflict[s] = true;
                } else {
                    throw violation(s, q, b, read ? "OK" : "GRANT or REJECT");
                }
                epochLost[s] |= left;
            }
            case VALIDATE -> {
                epochLost[s] |= left;
                if (status != Status.OK) {
                    throw violation(s, q, b, "OK");
                }
                if (TxnMessage.version(b) != c.version[i] || (TxnMessage.flags(b) & Wire.TXN_F_LOCKED) != 0) {
                    validationFailed[s] = true;
                }
            }
            case LOG -> {
                if (status == Status.STALE) {
                    stale[s] = true; // not logged there: the transaction cannot commit
                } else if (status != Status.OK) {
                    throw violation(s, q, b, "OK or STALE");
                } else if (logEpoch[g] == 0) {
                    logEpoch[g] = epoch;
                }
            }
            case BACKUP, PRIMARY -> {
                relog[g] |= logEpoch[g] != 0 && epoch != logEpoch[g];
                // Without concurrency control (a negative control) two transactions may write one
                // version: the second install is refused, and the history records the write as the
                // transaction made it, so that the checker sees the lost update.
                boolean lostUpdate = !concurrencyControl && status == Status.REFUSED;
                // the reply carries the record's version: this write's, or it was not written
                if (!lostUpdate && ((status != Status.APPLIED && status != Status.ALREADY_APPLIED)
                        || TxnMessage.version(b) != c.writeVersion[i])) {
                    throw violation(s, q, b, "APPLIED or ALREADY_APPLIED, with the install's version");
                }
                if (phase[s] == PRIMARY) {
                    confirmed[s * TxnContext.MAX_WRITES + i] = lostUpdate ? c.writeVersion[i] : TxnMessage.version(b);
                    int a = c.writeAccess[i];
                    if (protocol == Protocol.OCC && a >= 0) {
                        c.held[a] = false; // the install unlocked it
                    }
                }
            }
            default -> { // RELEASE, RELOG
                relog[g] |= phase[s] == RELEASE && logEpoch[g] != 0 && epoch != logEpoch[g];
                // a lock whose request was never answered may not have been granted, and one from
                // an epoch the shard has left may be gone
                boolean unsure = phase[s] == RELEASE && status == Status.NOT_HELD && (c.mayNotHold[i] || left);
                if (status != Status.OK && !unsure) {
                    throw violation(s, q, b, "OK");
                }
                if (phase[s] == RELEASE) {
                    c.held[i] = false;
                }
            }
        }
        if (outstanding[s] == 0) {
            phaseDone(s, now);
        }
    }

    /** RFC 6298's estimator: srtt += (rtt - srtt) / 8, rttvar += (|rtt - srtt| - rttvar) / 4, rto = srtt + 4 rttvar, bounded. */
    private void sampleRoundTrip(long rtt) {
        if (srtt < 0) {
            srtt = rtt;
            rttvar = rtt / 2;
        } else {
            rttvar += (Math.abs(rtt - srtt) - rttvar) / 4;
            srtt += (rtt - srtt) / 8;
        }
        rto = Math.max(Math.min(MIN_RTO_NANOS, timeoutNanos), Math.min(srtt + 4 * rttvar, timeoutNanos));
    }

    /** The timeout a fresh request gets now (ns). */
    public long currentTimeoutNanos() {
        return rto;
    }

    /** Counts a reply the protocol does not allow and describes it, request and reply, for the exception that stops the run. */
    private ProtocolViolation violation(int s, int q, MemorySegment reply, String allowed) {
        stats.add(ClientStats.PROTOCOL_ERRORS, 1);
        TxnContext c = ctx[s];
        int i = reqIndex[q];
        boolean install = (phase[s] >= LOG && phase[s] <= PRIMARY) || phase[s] == RELOG;
        StringBuilder m = new StringBuilder("protocol violation in phase ").append(PHASES[phase[s]])
                .append(": request ").append(Op.name(reqOp[q]))
                .append(" key 0x").append(Long.toHexString(install ? c.writeKey[i] : c.key[i]))
                .append(" txn 0x").append(Long.toHexString(txnId[s]));
        if (install) {
            m.append(" version ").append(Integer.toUnsignedString(c.writeVersion[i]))
                    .append(" flags 0x").append(Integer.toHexString(installFlags(s, i)));
        }
        m.append(" (client ").append(clientId).append(", seq 0x").append(Long.toHexString(Header.seq(reply)))
                .append(") to ").append(Ipv4.format(servers[reqServer[q]])).append(':').append(port)
                .append(" was answered ").append(Status.name(Header.status(reply)))
                .append(" with version ").append(Integer.toUnsignedString(TxnMessage.version(reply)))
                .append(" and flags 0x").append(Integer.toHexString(TxnMessage.flags(reply)))
                .append("; the commit protocol allows only ").append(allowed).append(" here");
        return new ProtocolViolation(m.toString());
    }

    private void phaseDone(int s, long now) {
        switch (phase[s]) {
            case EXECUTE -> {
                if (conflict[s] || epochLost[s]) {
                    stats.add(ClientStats.ABORTED, 1);
                    startRelease(s, OUTCOME_RESTART);
                } else {
                    decide(s);
                }
            }
            case VALIDATE -> {
                if (epochLost[s]) {
                    stats.add(ClientStats.ABORTED, 1);
                    startRelease(s, OUTCOME_RESTART);
                } else if (validationFailed[s]) {
                    stats.add(ClientStats.ABORTED, 1);
                    stats.add(ClientStats.ABORTED_VALIDATION, 1);
                    startRelease(s, OUTCOME_RESTART);
                } else {
                    startLog(s);
                }
            }
            case LOG -> {
                if (stale[s]) {
                    // refused where its locks are gone: not committed; the other replicas' records of it stay
                    stats.add(ClientStats.ABORTED, 1);
                    if (unknown != null) {
                        unknown.addAborted(unknownTxn(s));
                    }
                    startRelease(s, OUTCOME_RESTART);
                } else {
                    startBackup(s);
                }
            }
            case BACKUP -> startPrimary(s);
            case PRIMARY -> startRelease(s, OUTCOME_COMMIT);
            case RELEASE -> {
                if (outcome[s] == OUTCOME_COMMIT && relogNeeded(s)) {
                    startRelog(s);
                } else {
                    finish(s, now);
                }
            }
            default -> finish(s, now); // RELOG
        }
    }

    private boolean relogNeeded(int s) {
        for (int server = 0; server < REPLICAS; server++) {
            if (relog[s * REPLICAS + server]) {
                return true;
            }
        }
        return false;
    }
}

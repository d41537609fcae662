package io.dint.bench;

import io.dint.shard.RecordFile;
import io.dint.txn.CommittedState;
import io.dint.txn.UnknownTxns;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every replica and every replica's commit log reconciled key by key with the last committed
 * write of every key (the population's included), from what the replicas wrote out at
 * quiescence: their records ({@link RecordFile}) and every record of their logs, in log order.
 * <ul>
 * <li>A replica's record is <b>as committed</b>, <b>missing</b> (older than the last committed
 * write, or no record: the write was lost there), of <b>other content</b> at its version (lost,
 * replaced by a conflicting write), or <b>never committed</b> (newer, or a key nobody committed).</li>
 * <li>A replica's log must hold the last committed write of every key (else it is <b>missing</b>
 * from the log); replayed — each key's newest record, leaving out the records of attempts known
 * never to have committed (an attempt whose LOG a replica refused, or one of unknown outcome not
 * logged everywhere) — it must give exactly the replica's records; and no two of its records
 * (those left out aside) may give one version of a key two contents.</li>
 * </ul>
 * A committed transaction is <b>lost</b> when a write of it is missing or has other content on
 * some replica or is missing from some replica's log: {@code lost_committed} counts them. Every
 * difference is a failure.
 */
final class Reconciliation {
    private final Map<String, Long> counts;
    private final long lost;
    private final List<String> failures;

    private Reconciliation(Map<String, Long> counts, long lost, List<String> failures) {
        this.counts = counts;
        this.lost = lost;
        this.failures = failures;
    }

    /**
     * Reconciles {@code stores} (each replica's records) and {@code logs} (each replica's log
     * file, written by {@link RecordFile#writeLog}) with {@code committed}; {@code orphans} are the
     * attempts known never to have committed whose writes some replicas logged.
     */
    static Reconciliation of(CommittedState committed, List<RecordFile.Records> stores, List<Path> logs,
                             List<UnknownTxns.Txn> orphans) {
        Set<Long> orphanTerms = new HashSet<>();
        for (UnknownTxns.Txn t : orphans) {
            for (long term : t.writeTerms()) {
                orphanTerms.add(term);
            }
        }
        Map<String, Long> n = new LinkedHashMap<>();
        for (String c : List.of("records_checked", "missing", "other_content", "never_committed", "missing_from_log",
                "log_replays_otherwise", "log_conflicts", "log_records_of_uncommitted_attempts")) {
            n.put(c, 0L);
        }
        Set<Long> lostTxns = new HashSet<>();
        List<String> examples = new ArrayList<>();
        for (int i = 0; i < stores.size(); i++) {
            RecordFile.Records r = stores.get(i);
            String where = "replica " + i;
            committed.forEach((key, version, term, txn) -> {
                n.merge("records_checked", 1L, Long::sum);
                if (r.has(key) && r.term(key) == term) {
                    return;
                }
                int order = r.has(key) ? Integer.compareUnsigned(r.version(key), version) : -1;
                if (order > 0) {
                    n.merge("never_committed", 1L, Long::sum);
                    example(examples, "key 0x" + Long.toHexString(key) + " is at version " + Integer.toUnsignedString(r.version(key))
                            + " on " + where + ", newer than its last committed write (" + Integer.toUnsignedString(version) + ")");
                    return;
                }
                n.merge(order < 0 ? "missing" : "other_content", 1L, Long::sum);
                lostTxns.add(txn);
                example(examples, "key 0x" + Long.toHexString(key) + ": the committed write of version " + Integer.toUnsignedString(version)
                        + " by transaction 0x" + Long.toHexString(txn) + " is " + (order < 0 ? "missing on " : "replaced by other content on ")
                        + where + (r.has(key) ? " (it holds version " + Integer.toUnsignedString(r.version(key)) + ")" : " (no record)"));
            });
            r.forEachKey(key -> {
                if (!committed.has(key)) {
                    n.merge("never_committed", 1L, Long::sum);
                    example(examples, "key 0x" + Long.toHexString(key) + " is on " + where + " but no committed transaction wrote it");
                }
            });
        }
        for (int i = 0; i < logs.size(); i++) {
            int replica = i;
            String where = "the log of replica " + i;
            RecordFile.Records replay = RecordFile.Records.sized(1 << 16);
            Set<Long> present = new HashSet<>();
            long[] conflicts = {0}, left = {0};
            RecordFile.forEach(logs.get(i), (key, version, exists, term) -> {
                boolean isCommitted = committed.term(key) == term;
                if (isCommitted) {
                    present.add(key);
                }
                // an attempt that never committed may have logged exactly what its retry committed:
                // the same record, whichever wrote it
                if (!isCommitted && orphanTerms.contains(term)) {
                    left[0]++;
                    return;
                }
                if (!replay.putIfNewer(key, version, exists, term) && replay.version(key) == version && replay.term(key) != term) {
                    conflicts[0]++;
                    example(examples, where + " gives version " + Integer.toUnsignedString(version) + " of key 0x" + Long.toHexString(key)
                            + " two contents: two writes of one version (a lost update)");
                }
            });
            n.merge("log_conflicts", conflicts[0], Long::sum);
            n.merge("log_records_of_uncommitted_attempts", left[0], Long::sum);
            committed.forEach((key, version, term, txn) -> {
                if (!present.contains(key)) {
                    n.merge("missing_from_log", 1L, Long::sum);
                    lostTxns.add(txn);
                    example(examples, "key 0x" + Long.toHexString(key) + ": the committed write of version " + Integer.toUnsignedString(version)
                            + " by transaction 0x" + Long.toHexString(txn) + " is missing from " + where);
                }
            });
            RecordFile.Records held = stores.get(i);
            long[] otherwise = {0};
            replay.forEachKey(key -> {
                if (!held.has(key) || held.term(key) != replay.term(key)) {
                    otherwise[0]++;
                    example(examples, where + " replays key 0x" + Long.toHexString(key) + " to version "
                            + Integer.toUnsignedString(replay.version(key)) + ", the replica holds " + (held.has(key)
                            ? "version " + Integer.toUnsignedString(held.version(key)) + (held.version(key) == replay.version(key)
                            ? " with other content" : "") : "no record"));
                }
            });
            held.forEachKey(key -> {
                if (!replay.has(key)) {
                    otherwise[0]++;
                    example(examples, "replica " + replica + " holds key 0x" + Long.toHexString(key) + ", which its log never logged");
                }
            });
            n.merge("log_replays_otherwise", otherwise[0], Long::sum);
        }
        n.put("lost_committed", (long) lostTxns.size());
        long differences = n.get("missing") + n.get("other_content") + n.get("never_committed") + n.get("missing_from_log")
                + n.get("log_replays_otherwise") + n.get("log_conflicts");
        List<String> failures = new ArrayList<>();
        if (differences > 0) {
            failures.add(differences + " differences between the replicas, their logs and the committed writes (" + n
                    + "); e.g. " + String.join("; ", examples));
        }
        return new Reconciliation(n, lostTxns.size(), failures);
    }

    private static void example(List<String> examples, String e) {
        if (examples.size() < 5) {
            examples.add(e);
        }
    }

    /** The terms of {@code wanted} that a log file holds. */
    static Set<Long> present(Path log, Set<Long> wanted) {
        Set<Long> found = new HashSet<>();
        if (!wanted.isEmpty()) {
            RecordFile.forEach(log, (key, version, exists, term) -> {
                if (wanted.contains(term)) {
                    found.add(term);
                }
            });
        }
        return found;
    }

    /**
     * The commit protocol's rule for a transaction whose coordinator gave up in LOG: committed
     * exactly when every replica logged every one of its writes ({@code logged}: per replica, the
     * terms of the wanted writes its log holds).
     */
    static boolean loggedEverywhere(UnknownTxns.Txn t, List<Set<Long>> logged) {
        for (long term : t.writeTerms()) {
            for (Set<Long> l : logged) {
                if (!l.contains(term)) {
                    return false;
                }
            }
        }
        return true;
    }

    long lostCommitted() {
        return lost;
    }

    List<String> failures() {
        return failures;
    }

    Map<String, Object> summary() {
        return new LinkedHashMap<>(counts);
    }
}

package io.dint.bench;

import io.dint.shard.RecordFile;
import io.dint.txn.CommittedState;
import io.dint.txn.UnknownTxns;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every replica, and the records each replica's commit log replays to, reconciled key by key
 * with the last committed write of every key (the population's included), from the records the
 * replicas wrote out ({@link RecordFile}). A key's record on a replica is
 * <ul>
 * <li><b>as committed</b>: the last committed write's version and content;</li>
 * <li><b>missing</b>: older than it (or no record): the write was lost there;</li>
 * <li><b>other content</b>: its version with other content: lost, overwritten by a conflicting write;</li>
 * <li><b>never committed</b>: newer than it, or a record of a key nobody committed a write of.</li>
 * </ul>
 * A committed transaction is <b>lost</b> when one of its writes is missing or has other content
 * on some replica or in some replica's log. Every difference is a failure; the count of lost
 * transactions is {@code lost_committed}.
 */
final class Reconciliation {
    private final long lost;
    private final long missing, otherContent, neverCommitted, orphaned, checked;
    private final List<String> failures;

    private Reconciliation(long lost, long missing, long otherContent, long neverCommitted, long orphaned, long checked,
                           List<String> failures) {
        this.lost = lost;
        this.orphaned = orphaned;
        this.missing = missing;
        this.otherContent = otherContent;
        this.neverCommitted = neverCommitted;
        this.checked = checked;
        this.failures = failures;
    }

    /**
     * Reconciles {@code stores} (each replica's records) and {@code logs} (what each replica's log
     * replays to) with {@code committed}. {@code orphans} are the writes of transactions of unknown
     * outcome that did not commit (not logged everywhere): a log replaying to one of them holds
     * what the protocol allows, and it is counted apart, not as a difference.
     */
    static Reconciliation of(CommittedState committed, List<RecordFile.Records> stores, List<RecordFile.Records> logs,
                             List<UnknownTxns.Txn> orphans) {
        Map<Long, Long> orphanTerms = new java.util.HashMap<>();
        for (UnknownTxns.Txn t : orphans) {
            for (int w = 0; w < t.writes(); w++) {
                orphanTerms.put(t.writeKeys()[w], t.writeTerms()[w]);
            }
        }
        long[] orphaned = {0};
        Set<Long> lostTxns = new HashSet<>();
        long[] counts = new long[4]; // missing, other content, never committed, checked
        List<String> examples = new ArrayList<>();
        List<RecordFile.Records> all = new ArrayList<>(stores);
        all.addAll(logs);
        committed.forEach((key, version, term, txn) -> {
            for (int i = 0; i < all.size(); i++) {
                RecordFile.Records r = all.get(i);
                counts[3]++;
                if (r.has(key) && r.term(key) == term) {
                    continue;
                }
                int order = r.has(key) ? Integer.compareUnsigned(r.version(key), version) : -1;
                String where = (i < stores.size() ? "replica " + i : "the log of replica " + (i - stores.size()));
                if (order > 0 && i >= stores.size() && orphanTerms.getOrDefault(key, 0L) == r.term(key)) {
                    orphaned[0]++;
                    continue;
                }
                if (order > 0) {
                    counts[2]++;
                    example(examples, "key 0x" + Long.toHexString(key) + " is at version " + Integer.toUnsignedString(r.version(key))
                            + " on " + where + ", newer than its last committed write (" + Integer.toUnsignedString(version) + ")");
                    continue;
                }
                counts[order < 0 ? 0 : 1]++;
                lostTxns.add(txn);
                example(examples, "key 0x" + Long.toHexString(key) + ": the committed write of version " + Integer.toUnsignedString(version)
                        + " by transaction 0x" + Long.toHexString(txn) + " is " + (order < 0 ? "missing on " : "replaced by other content on ")
                        + where + (r.has(key) ? " (it holds version " + Integer.toUnsignedString(r.version(key)) + ")" : " (no record)"));
            }
        });
        for (int i = 0; i < all.size(); i++) {
            RecordFile.Records r = all.get(i);
            int index = i;
            r.forEachKey(key -> {
                if (committed.has(key)) {
                    return; // judged above
                }
                if (index >= stores.size() && orphanTerms.getOrDefault(key, 0L) == r.term(key)) {
                    orphaned[0]++;
                } else {
                    counts[2]++;
                    example(examples, "key 0x" + Long.toHexString(key) + " is on " + (index < stores.size() ? "replica " + index
                            : "the log of replica " + (index - stores.size())) + " but no committed transaction wrote it");
                }
            });
        }
        List<String> failures = new ArrayList<>();
        long differences = counts[0] + counts[1] + counts[2];
        if (differences > 0) {
            failures.add(differences + " records differ from the committed writes (" + counts[0] + " missing, " + counts[1]
                    + " with other content, " + counts[2] + " never committed), " + lostTxns.size()
                    + " committed transactions lost; e.g. " + String.join("; ", examples));
        }
        return new Reconciliation(lostTxns.size(), counts[0], counts[1], counts[2], orphaned[0], counts[3], failures);
    }

    private static void example(List<String> examples, String e) {
        if (examples.size() < 5) {
            examples.add(e);
        }
    }

    /**
     * The commit protocol's rule for a transaction whose coordinator gave up in LOG: committed
     * exactly when every replica logged every one of its writes — read here as each replica's log
     * replaying each written key to that very write (the transaction still holds its locks, so no
     * later write of those keys can have been logged after it).
     */
    static boolean loggedEverywhere(UnknownTxns.Txn t, List<RecordFile.Records> logs) {
        for (int w = 0; w < t.writes(); w++) {
            for (RecordFile.Records log : logs) {
                if (!log.has(t.writeKeys()[w]) || log.term(t.writeKeys()[w]) != t.writeTerms()[w]) {
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
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("records_checked", checked);
        m.put("missing", missing);
        m.put("other_content", otherContent);
        m.put("never_committed", neverCommitted);
        m.put("logged_by_uncommitted_unknown", orphaned);
        m.put("lost_committed", lost);
        return m;
    }
}

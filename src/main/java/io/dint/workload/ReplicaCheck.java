package io.dint.workload;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks every workload shares, on the replicas' end-of-run check maps (and how a workload's own
 * checks read those maps, {@link #tableValue}): nothing is left locked,
 * the replicas hold the same records, and each replica's commit log replays to exactly the
 * records it holds (every committed write logged and installed there, nothing installed that was
 * not logged, no version logged twice with different contents).
 */
final class ReplicaCheck {
    private ReplicaCheck() {}

    static List<String> compare(List<Map<String, Object>> servers) {
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < servers.size(); i++) {
            Map<String, Object> c = servers.get(i);
            if (((Number) c.get("locks_held")).longValue() != 0) {
                failures.add("server " + i + ": " + c.get("locks_held") + " records still locked at quiescence");
            }
            if (!c.get("digest").equals(servers.getFirst().get("digest"))) {
                failures.add("replicas disagree: server " + i + " digest " + c.get("digest") + " vs server 0 "
                        + servers.getFirst().get("digest") + " (keys, versions or values differ)");
            }
            if (!c.get("digest").equals(c.get("log_digest"))) {
                failures.add("server " + i + ": its commit log replays to other records than it holds (log digest "
                        + c.get("log_digest") + ", records " + c.get("digest") + "): a write was installed there without "
                        + "being logged, or logged without being installed");
            }
            long conflicts = ((Number) c.get("log_conflicts")).longValue();
            if (conflicts != 0) {
                failures.add("server " + i + ": " + conflicts + " commit-log records name a version logged before with "
                        + "other contents: two writes of one version (a lost update)");
            }
        }
        return failures;
    }

    /**
     * A figure of one table in a shard's check map: {@code field} ("rows", "sum", "negative") of
     * the table whose tag (the top byte of its keys) {@code tag} carries; 0 when the shard reports
     * no such table.
     */
    @SuppressWarnings("unchecked")
    static long tableValue(Map<String, Object> check, long tag, String field) {
        Map<String, Object> tables = (Map<String, Object>) check.get("tables");
        Map<String, Object> t = tables == null ? null : (Map<String, Object>) tables.get(Long.toString(tag >>> 56));
        return t == null ? 0 : ((Number) t.get(field)).longValue();
    }
}

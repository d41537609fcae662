package io.dint.workload;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Checks every workload shares: replicas agree, nothing is left locked. */
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
        }
        return failures;
    }
}

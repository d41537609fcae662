package io.dint.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The KV ablation's table as {@code ./dint bench kv-ablation} records it under {@code
 * details.table}: workload rows, each with one cell per cache policy ({@code requestsPerS},
 * {@code slowPathShare}, ...), and, when recorded, the paper's Mops per cell under {@code
 * details.paper_mops}.
 */
record Ablation(List<String> rows, List<String> policies, JsonNode table, JsonNode paper) {

    static Ablation of(Result r) {
        JsonNode table = r.details().path("table");
        List<String> rows = new ArrayList<>();
        List<String> policies = new ArrayList<>();
        table.properties().forEach(row -> {
            rows.add(row.getKey());
            row.getValue().properties().forEach(cell -> {
                if (!policies.contains(cell.getKey())) {
                    policies.add(cell.getKey());
                }
            });
        });
        return new Ablation(List.copyOf(rows), List.copyOf(policies), table, r.details().path("paper_mops"));
    }

    /** A cell's field, NaN when the table has none. */
    double value(String row, String policy, String field) {
        JsonNode v = table.path(row).path(policy).path(field);
        return v.isNumber() ? v.doubleValue() : Double.NaN;
    }

    /** The paper's Mops for a cell, NaN when not recorded. */
    double paperMops(String row, String policy) {
        JsonNode v = paper.path(row).path(policy);
        return v.isNumber() ? v.doubleValue() : Double.NaN;
    }
}

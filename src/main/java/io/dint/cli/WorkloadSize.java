package io.dint.cli;

import io.dint.bench.TxnBench;
import io.dint.txn.TxnWorkload;
import io.dint.workload.SmallbankWorkload;
import io.dint.workload.TatpWorkload;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code --accounts}, {@code --subscribers}: the sizes of the transaction workloads' data sets.
 * Their defaults differ by command ({@link CommandDefaults}), as the descriptions say.
 */
final class WorkloadSize {
    /** The seed of TATP's population that clients use, and servers by default ({@code serve --seed}). */
    static final long TATP_SEED = 42;
    /** Why a default depends on the command, said after it in the help. */
    private static final String WHY = "; by command: serve makes room for 100000, enough for any client command's default; bench"
            + " loads the scale of the README's results; chaos and cluster load less, quick to load and, after a kill, to recover";

    @Option(names = "--accounts", paramLabel = "N", description = "Smallbank accounts (paper: 24000000); a shard holds the savings"
            + " and checking of each. Default: ${DEFAULT-VALUE}" + WHY + ".")
    long accounts;

    @Option(names = "--subscribers", paramLabel = "N", description = "TATP subscribers (paper: 7000000); serve --service kv:"
            + " those whose 12 CALL_FORWARDING keys make the data set (paper: 2000000). TATP's success-rate check assumes the"
            + " call-forwarding rows have not turned over much (its inserts draw end times otherwise than the population)."
            + " Default: ${DEFAULT-VALUE}" + WHY + ".")
    long subscribers;

    /** The transaction workload named, smallbank or tatp, at these sizes. */
    TxnWorkload workload(String name) {
        return switch (name) {
            case "smallbank" -> new SmallbankWorkload(accounts);
            case "tatp" -> new TatpWorkload(subscribers, TATP_SEED);
            default -> throw new IllegalArgumentException("unknown workload '" + name + "': use smallbank or tatp");
        };
    }

    /** How a local run starts the shards of workload {@code name}: at these sizes, each with {@code threads} serving threads. */
    TxnBench.Servers servers(String name, int threads) {
        List<String> size = name.equals("smallbank") ? List.of("--accounts", Long.toString(accounts))
                : List.of("--subscribers", Long.toString(subscribers), "--seed", Long.toString(TATP_SEED));
        return b -> {
            List<String> args = new java.util.ArrayList<>(List.of("--service", name, "--backend", b.id()));
            args.addAll(size);
            args.addAll(List.of("--threads", Integer.toString(threads)));
            return args;
        };
    }
}

package io.dint.cli;

import io.dint.client.UdpTransport;
import io.dint.cluster.ClusterFile;
import io.dint.cluster.Host;
import io.dint.net.NetNs;
import io.dint.txn.TxnDriver;
import io.dint.txn.TxnClient;
import io.dint.txn.TxnContext;
import io.dint.txn.TxnEngine;
import io.dint.txn.TxnLogic;
import io.dint.wire.Wire;
import io.dint.workload.Smallbank;
import io.dint.workload.SmallbankWorkload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./dint example}: a small application on the transaction API against three Smallbank
 * servers — those of a cluster file ({@code --cluster}), or the local cluster {@code ./dint
 * cluster up} left running — moves cents between two checking accounts in one serializable
 * transaction and reads both balances back in another.
 */
@Command(name = "example", mixinStandardHelpOptions = true,
        header = "Run the example transfer on a cluster file's or cluster up's hosts",
        description = "Run the example application (a transfer between two accounts) against the Smallbank servers of a cluster"
                + " file, or of ./dint cluster up --workload smallbank.")
final class ExampleCommand implements Callable<Integer> {
    @Option(names = "--from", defaultValue = "1", description = "Account to debit. Default: ${DEFAULT-VALUE}.")
    long from;

    @Option(names = "--to", defaultValue = "2", description = "Account to credit. Default: ${DEFAULT-VALUE}.")
    long to;

    @Option(names = "--cents", defaultValue = "500", description = "Amount in cents. Default: ${DEFAULT-VALUE}.")
    long cents;

    /** --cluster FILE of three Smallbank servers; default: the file ./dint cluster up wrote. */
    @Mixin
    ClusterClient cluster = new ClusterClient();

    @Option(names = "--load", description = "Load the Smallbank accounts first (servers just started hold none).")
    boolean load;

    /** The application's transaction: lock both checking accounts, check funds, move the money. */
    static final class Transfer implements TxnLogic {
        private final long from, to, cents;
        private int a, b;

        Transfer(long from, long to, long cents) {
            this.from = from;
            this.to = to;
            this.cents = cents;
        }

        @Override
        public int step(TxnContext ctx, int round) {
            if (round == 0) {
                a = ctx.readForUpdate(Smallbank.checkingKey(from));
                b = ctx.readForUpdate(Smallbank.checkingKey(to));
                return CONTINUE;
            }
            if (!ctx.exists(a) || !ctx.exists(b) || ctx.getLong(a, 0) < cents) {
                return ROLLBACK;
            }
            ctx.setLong(ctx.update(a), 0, ctx.getLong(a, 0) - cents);
            ctx.setLong(ctx.update(b), 0, ctx.getLong(b, 0) + cents);
            return COMMIT;
        }

        @Override
        public int type() {
            return 0;
        }
    }

    /** Reads two balances under shared locks. */
    static final class Balances implements TxnLogic {
        private final long x, y;
        private int a, b;
        long[] cents = new long[2];
        boolean exist;

        Balances(long x, long y) {
            this.x = x;
            this.y = y;
        }

        @Override
        public int step(TxnContext ctx, int round) {
            if (round == 0) {
                a = ctx.read(Smallbank.checkingKey(x));
                b = ctx.read(Smallbank.checkingKey(y));
                return CONTINUE;
            }
            exist = ctx.exists(a) && ctx.exists(b);
            cents[0] = ctx.getLong(a, 0);
            cents[1] = ctx.getLong(b, 0);
            return COMMIT;
        }

        @Override
        public int type() {
            return 0;
        }
    }

    @Override
    public Integer call() throws Exception {
        Path path = cluster.file();
        if (path == null) {
            if (!Files.exists(ClusterCommand.CLUSTER_FILE)) {
                throw new IllegalArgumentException("which cluster? give --cluster FILE, or start a local one with ./dint cluster up"
                        + " --workload smallbank");
            }
            path = ClusterCommand.CLUSTER_FILE;
        }
        ClusterFile file = ClusterFile.read(path);
        if (!"smallbank".equals(file.service().name()) || file.servers().size() != TxnEngine.REPLICAS) {
            throw new IllegalArgumentException("the example needs " + TxnEngine.REPLICAS + " Smallbank servers; " + path + " describes "
                    + file.servers().size() + " " + file.service().name() + " servers");
        }
        Host me;
        try (ClusterClient.Connected c = cluster.connect(file)) {
            me = c.here();
        }
        int[] servers = file.servers().stream().mapToInt(ClusterFile.Entry::ipv4).toArray();
        if (load) {
            long accounts = ServeCommand.resolve(file, file.servers().getFirst()).data.size.accounts;
            TxnDriver.Totals t = TxnDriver.load(new SmallbankWorkload(accounts), new TxnDriver.Target(servers, Wire.PORT, 50_000_000L,
                    me.netns(), i -> new UdpTransport(me.ipv4(), 64, 256)), 1, 64);
            System.out.printf("loaded %d accounts%n", t.counter(io.dint.client.ClientStats.COMMITTED));
        }
        if (me.netns() != null) {
            NetNs.enter(me.netns()); // this thread only: it runs the transactions below
        }
        try (UdpTransport transport = new UdpTransport(me.ipv4(), 16, 256)) {
            TxnClient client = new TxnClient(transport, TxnEngine.Protocol.TWO_PL, 7, servers, Wire.PORT);
            Balances before = new Balances(from, to);
            client.execute(before);
            if (!before.exist) {
                System.out.printf("account %d or %d does not exist on the servers: load the accounts once after the servers"
                        + " start (--load)%n", from, to);
                return 1;
            }
            TxnClient.Outcome t = client.execute(new Transfer(from, to, cents));
            Balances after = new Balances(from, to);
            client.execute(after);
            System.out.printf("transfer of %d cents from %d to %d: %s (%d aborts on the way)%n", cents, from, to,
                    t.committed() ? "committed" : "rolled back (insufficient funds or no such account)", t.aborts());
            System.out.printf("account %d: %d -> %d cents; account %d: %d -> %d cents%n",
                    from, before.cents[0], after.cents[0], to, before.cents[1], after.cents[1]);
        }
        return 0;
    }
}

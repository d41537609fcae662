package io.dint.cli;

import io.dint.client.UdpTransport;
import io.dint.net.Ipv4;
import io.dint.net.NetNs;
import io.dint.txn.TxnClient;
import io.dint.txn.TxnContext;
import io.dint.txn.TxnEngine;
import io.dint.txn.TxnLogic;
import io.dint.wire.Wire;
import io.dint.workload.Smallbank;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./dint example transfer}: a small application on the transaction API against the
 * cluster {@code ./dint cluster up} left running — moves cents between two Smallbank checking
 * accounts in one serializable transaction and reads both balances back in another.
 */
@Command(name = "example", mixinStandardHelpOptions = true,
        header = "Run the example transfer on a cluster from ./dint cluster up.",
        description = "Run the example application (a transfer between two accounts) against ./dint cluster up --workload smallbank.")
final class ExampleCommand implements Callable<Integer> {
    @Option(names = "--from", defaultValue = "1", description = "Account to debit. Default: ${DEFAULT-VALUE}.")
    long from;

    @Option(names = "--to", defaultValue = "2", description = "Account to credit. Default: ${DEFAULT-VALUE}.")
    long to;

    @Option(names = "--cents", defaultValue = "500", description = "Amount in cents. Default: ${DEFAULT-VALUE}.")
    long cents;

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
    @SuppressWarnings("unchecked")
    public Integer call() throws Exception {
        Map<String, Object> s = ClusterCommand.state();
        if (!"smallbank".equals(s.get("workload"))) {
            throw new IllegalArgumentException("the example needs a Smallbank cluster: ./dint cluster up --workload smallbank");
        }
        int[] servers = ((List<String>) s.get("servers")).stream().mapToInt(Ipv4::parse).toArray();
        NetNs.enter((String) s.get("client_netns"));
        try (UdpTransport transport = new UdpTransport(Ipv4.parse((String) s.get("client_address")), 16, 256)) {
            TxnClient client = new TxnClient(transport, TxnEngine.Protocol.TWO_PL, 7, servers, Wire.PORT);
            Balances before = new Balances(from, to);
            client.execute(before);
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

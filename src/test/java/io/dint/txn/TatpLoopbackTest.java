package io.dint.txn;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.check.History;
import io.dint.check.SerializabilityChecker;
import io.dint.client.ClientStats;
import io.dint.workload.Tatp;
import io.dint.workload.TatpWorkload;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** TATP on OCC through the coordinator against three in-process UDP shard servers. */
class TatpLoopbackTest {

    @Test
    void tatpKeepsItsInvariantsAndIsSerializable() throws Exception {
        TatpWorkload w = new TatpWorkload(3000, 7);
        try (LoopbackShards shards = new LoopbackShards(20295, w.records(), w::parentKey)) {
            TxnDriver.Totals load = TxnDriver.load(w, shards.target(), 2, 16);
            assertThat(load.counter(ClientStats.PROTOCOL_ERRORS)).isZero();
            List<Map<String, Object>> loaded = shards.checks();
            assertThat(w.check(loaded, 0, new long[7], new long[7])).as("population").isEmpty();

            TxnDriver.Totals run = TxnDriver.run(w, shards.target(), 2, 16, 6000, 3, true, true);
            assertThat(run.counter(ClientStats.PROTOCOL_ERRORS)).isZero();
            assertThat(run.committed()[Tatp.INSERT_CALL_FORWARDING]).isPositive();
            assertThat(run.committed()[Tatp.DELETE_CALL_FORWARDING]).isPositive();
            assertThat(w.check(shards.checks(), 0, run.committed(), run.rolledBack())).isEmpty();
            History history = load.history();
            assertThat(history.initialVersions()).as("the population's rows").isPositive();
            history.addAll(run.history());
            SerializabilityChecker.Result result = SerializabilityChecker.check(history);
            assertThat(result.serializable()).as("%s", result).isTrue();

            // the same history without its population: every read of a loaded row is a read of nothing
            assertThat(SerializabilityChecker.check(run.history()).count(SerializabilityChecker.Anomaly.GARBAGE)).isPositive();
        }
    }

    /** Write skew: read x and y, write one of them. OCC validation is what prevents the anomaly. */
    private static final class WriteSkew implements TxnLogic {
        private long x, y;
        private int ax, ay;

        WriteSkew set(long pair, boolean writeX) {
            x = Tatp.subscriberKey(2 * pair + (writeX ? 1 : 2));
            y = Tatp.subscriberKey(2 * pair + (writeX ? 2 : 1));
            return this;
        }

        @Override
        public int step(TxnContext ctx, int round) {
            if (round == 0) {
                ay = ctx.read(y);
                ax = ctx.readForUpdate(x);
                return CONTINUE;
            }
            ctx.setLong(ctx.update(ax), 0, ctx.getLong(ax, 0) + ctx.getLong(ay, 0) + 1);
            return COMMIT;
        }

        @Override
        public int type() {
            return 0;
        }
    }

    private static SerializabilityChecker.Result writeSkewRun(LoopbackShards shards, boolean validate, int slots) throws Exception {
        TxnWorkload skew = new TxnWorkload() {
            @Override public String name() { return "write-skew"; }
            @Override public TxnEngine.Protocol protocol() { return TxnEngine.Protocol.OCC; }
            @Override public String[] typeNames() { return new String[] {"skew"}; }
            @Override public Map<String, Object> scale() { return Map.of(); }
            @Override public long records() { return 16; }
            @Override public TxnEngine.Source loader(int thread, int threads, int slots) { return slot -> null; }
            @Override public TxnEngine.Source transactions(SplittableRandom rnd, int slots, long limit) {
                WriteSkew[] l = new WriteSkew[slots];
                for (int i = 0; i < slots; i++) {
                    l[i] = new WriteSkew();
                }
                long[] n = {0};
                return slot -> {
                    if (n[0] >= limit) {
                        return null;
                    }
                    n[0]++;
                    return l[slot].set(rnd.nextInt(4), rnd.nextBoolean());
                };
            }
            @Override public List<String> check(List<Map<String, Object>> s, long d, long[] c, long[] r) { return List.of(); }
        };
        TxnDriver.Totals run = TxnDriver.run(skew, shards.target(), 1, slots, 3000, 5, true, validate);
        assertThat(run.counter(ClientStats.PROTOCOL_ERRORS)).isZero();
        return SerializabilityChecker.check(run.history());
    }

    @Test
    void theCheckerCatchesWriteSkewWhenValidationIsSwitchedOff() throws Exception {
        // each run on fresh shards: the check knows the state a run starts from only when it is the initial one
        try (LoopbackShards shards = new LoopbackShards(20294, 32)) {
            SerializabilityChecker.Result planted = writeSkewRun(shards, false, 16);
            assertThat(planted.serializable()).as("validation off: %s", planted).isFalse();
            assertThat(planted.count(SerializabilityChecker.Anomaly.G2_ITEM)).as("%s", planted).isPositive();
        }
        try (LoopbackShards shards = new LoopbackShards(20293, 32)) {
            SerializabilityChecker.Result safe = writeSkewRun(shards, true, 4);
            assertThat(safe.serializable()).as("validation on: %s", safe).isTrue();
        }
    }
}

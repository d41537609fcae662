package io.dint.workload;

import io.dint.txn.TxnEngine;
import io.dint.txn.TxnWorkload;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * TATP on OCC as a {@link TxnWorkload}: population through the insert path, generated
 * transactions, and the checks — every CALL_FORWARDING row has its SPECIAL_FACILITY row, the
 * CALL_FORWARDING count moved exactly by the committed inserts and deletes, and each type's success
 * rate is what the population predicts ({@link #expectedSuccess}), within sampling tolerance.
 */
public final class TatpWorkload implements TxnWorkload {
    private final Tatp tatp;

    public TatpWorkload(long subscribers, long seed) {
        this.tatp = new Tatp(subscribers, seed);
    }

    @Override
    public String name() {
        return "tatp";
    }

    @Override
    public TxnEngine.Protocol protocol() {
        return TxnEngine.Protocol.OCC;
    }

    @Override
    public String[] typeNames() {
        return Tatp.NAMES;
    }

    @Override
    public Map<String, Object> scale() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("subscribers", tatp.subscribers());
        m.put("paper_subscribers", 7_000_000);
        return m;
    }

    @Override
    public long records() {
        return tatp.subscribers() * 22; // 2 + 4 access info + 4 special facilities + 12 call forwardings at most
    }

    @Override
    public long parentKey(long key) {
        return Tatp.parentKey(key);
    }

    @Override
    public TxnEngine.Source loader(int thread, int threads, int slots) {
        TatpLogic.Loader[] subscriber = new TatpLogic.Loader[slots];
        TatpLogic.FacilityLoader[] facility = new TatpLogic.FacilityLoader[slots];
        for (int i = 0; i < slots; i++) {
            subscriber[i] = new TatpLogic.Loader(tatp);
            facility[i] = new TatpLogic.FacilityLoader(tatp);
        }
        long[] sId = {1 + thread};
        int[] part = {0}; // 0: the subscriber's own rows, 1-4: special facility type and its call forwardings
        return slot -> {
            long s = sId[0];
            if (s > tatp.subscribers()) {
                return null;
            }
            int p = part[0];
            if (++part[0] == 5) {
                part[0] = 0;
                sId[0] += threads;
            }
            return p == 0 ? subscriber[slot].set(s) : facility[slot].set(s, p);
        };
    }

    @Override
    public TxnEngine.Source transactions(SplittableRandom rnd, int slots, long limit) {
        TatpLogic[] logic = new TatpLogic[slots];
        for (int i = 0; i < slots; i++) {
            logic[i] = new TatpLogic();
        }
        Tatp.Txn gen = new Tatp.Txn();
        return LimitedSource.of(limit, slot -> {
            tatp.next(rnd, gen);
            return logic[slot].set(gen);
        });
    }

    /** CALL_FORWARDING rows of the initial population. */
    public long initialCallForwarding() {
        long n = 0;
        for (long s = 1; s <= tatp.subscribers(); s++) {
            n += Integer.bitCount(tatp.callForwardingSet(s));
        }
        return n;
    }

    /** Success probability of each type that the initial population predicts, by sampling it. */
    public double[] expectedSuccess() {
        return expectedSuccess(0);
    }

    /**
     * As above, once a share {@code turnover} of the call-forwarding rows are rows the workload
     * inserted: those draw their end time from 1..24 (as TATP's INSERT_CALL_FORWARDING does),
     * the population's from start time + 1..8, so GET_NEW_DESTINATION's success drifts over a
     * long run.
     */
    public double[] expectedSuccess(double turnover) {
        double[] p = {1, 0, 0.625, 0.625, 1, 0.3125, 0.3125};
        SplittableRandom rnd = new SplittableRandom(99);
        Tatp.Txn t = new Tatp.Txn();
        int n = 200_000, ok = 0;
        for (int i = 0; i < n; i++) {
            tatp.next(rnd, t);
            int sf = tatp.specialFacilityTypes(t.sId);
            if ((sf & 1 << (t.sfType - 1)) == 0 || !tatp.specialFacilityActive(t.sId, t.sfType)) {
                continue;
            }
            int cf = tatp.callForwardingSet(t.sId);
            for (int k = 0; k < 3; k++) {
                int start = Tatp.START_TIMES[k];
                int end = rnd.nextDouble() < turnover ? 1 + rnd.nextInt(24) : tatp.callForwardingEndTime(t.sId, t.sfType, start);
                if (start <= t.startTime && (cf & 1 << (3 * (t.sfType - 1) + k)) != 0 && end > t.endTime) {
                    ok++;
                    break;
                }
            }
        }
        p[Tatp.GET_NEW_DESTINATION] = (double) ok / n;
        return p;
    }

    @Override
    public List<String> check(List<Map<String, Object>> servers, long ledgerDelta, long[] committed, long[] rolledBack) {
        List<String> failures = new ArrayList<>();
        long expectedCf = initialCallForwarding() + committed[Tatp.INSERT_CALL_FORWARDING] - committed[Tatp.DELETE_CALL_FORWARDING];
        for (int i = 0; i < servers.size(); i++) {
            Map<String, Object> c = servers.get(i);
            long cf = ReplicaCheck.tableValue(c, Tatp.CALL_FORWARDING, "rows");
            if (cf != expectedCf) {
                failures.add("server " + i + ": " + cf + " CALL_FORWARDING rows, expected " + expectedCf
                        + " (initial + committed inserts - committed deletes)");
            }
            long orphans = ((Number) c.get("orphans")).longValue();
            if (orphans != 0) {
                failures.add("server " + i + ": " + orphans + " CALL_FORWARDING rows without their SPECIAL_FACILITY row");
            }
        }
        // the rows inserted since the population, as a share of the rows: at most all of them
        double turnover = Math.min(1, (double) committed[Tatp.INSERT_CALL_FORWARDING] / Math.max(1, initialCallForwarding()));
        double[] expected = expectedSuccess(turnover);
        for (int type = 0; type < Tatp.NAMES.length; type++) {
            long n = committed[type] + rolledBack[type];
            if (n < 200) {
                continue;
            }
            double rate = (double) committed[type] / n;
            double p = expected[type];
            double tolerance = 0.03 + 4 * Math.sqrt(p * (1 - p) / n);
            if (Math.abs(rate - p) > tolerance) {
                failures.add(String.format(java.util.Locale.ROOT, "%s succeeded %.1f%% of %d, expected %.1f%% +- %.1f",
                        Tatp.NAMES[type], 100 * rate, n, 100 * p, 100 * tolerance));
            }
        }
        failures.addAll(ReplicaCheck.compare(servers));
        return failures;
    }

    /** Success rates as measured, for reports. */
    public static Map<String, Double> successRates(long[] committed, long[] rolledBack) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int type = 0; type < Tatp.NAMES.length; type++) {
            long n = committed[type] + rolledBack[type];
            m.put(Tatp.NAMES[type], n == 0 ? Double.NaN : (double) committed[type] / n);
        }
        return m;
    }
}

package io.dint.workload;

import io.dint.txn.TxnContext;
import io.dint.txn.TxnLogic;

/**
 * The seven TATP transactions over OCC ({@link Tatp}). Rows are 40-byte values with fields at fixed
 * offsets: SUBSCRIBER {s_id, bit_1, vlr_location, msc_location}, SECOND_SUBSCRIBER {s_id},
 * ACCESS_INFO {data1}, SPECIAL_FACILITY {is_active, data_a}, CALL_FORWARDING {end_time, numberx}.
 * A transaction that finds what it needs missing (a row that is not there, a call forwarding that
 * already is) rolls back: TATP counts it as an unsuccessful transaction, not an abort.
 */
public final class TatpLogic implements TxnLogic {
    public static final int SUB_S_ID = 0, SUB_BIT_1 = 8, SUB_VLR_LOCATION = 16, SUB_MSC_LOCATION = 24;
    public static final int SECOND_S_ID = 0;
    public static final int AI_DATA1 = 0;
    public static final int SF_IS_ACTIVE = 0, SF_DATA_A = 8;
    public static final int CF_END_TIME = 0, CF_NUMBERX = 8;

    private final Tatp.Txn txn = new Tatp.Txn();
    private final int[] access = new int[4];

    public TatpLogic set(Tatp.Txn t) {
        txn.type = t.type;
        txn.sId = t.sId;
        txn.aiType = t.aiType;
        txn.sfType = t.sfType;
        txn.startTime = t.startTime;
        txn.endTime = t.endTime;
        txn.value = t.value;
        return this;
    }

    @Override
    public int type() {
        return txn.type;
    }

    /** The writers that name their subscriber by number: round 0 looks s_id up in SECOND_SUBSCRIBER. */
    private static boolean bySubscriberNumber(int type) {
        return type == Tatp.UPDATE_LOCATION || type == Tatp.INSERT_CALL_FORWARDING || type == Tatp.DELETE_CALL_FORWARDING;
    }

    @Override
    public int step(TxnContext ctx, int round) {
        long s = txn.sId;
        if (bySubscriberNumber(txn.type)) {
            if (round == 0) {
                access[0] = ctx.read(Tatp.secondSubscriberKey(s));
                return CONTINUE;
            }
            if (round == 1) {
                if (!ctx.exists(access[0])) {
                    return ROLLBACK;
                }
                s = ctx.getLong(access[0], SECOND_S_ID); // the s_id the number maps to
            }
        }
        switch (txn.type) {
            case Tatp.GET_SUBSCRIBER_DATA -> {
                if (round == 0) {
                    ctx.read(Tatp.subscriberKey(s));
                    return CONTINUE;
                }
                return COMMIT;
            }
            case Tatp.GET_ACCESS_DATA -> {
                if (round == 0) {
                    access[0] = ctx.read(Tatp.accessInfoKey(s, txn.aiType));
                    return CONTINUE;
                }
                return ctx.exists(access[0]) ? COMMIT : ROLLBACK;
            }
            case Tatp.GET_NEW_DESTINATION -> {
                if (round == 0) {
                    access[0] = ctx.read(Tatp.specialFacilityKey(s, txn.sfType));
                    for (int k = 0; k < 3; k++) {
                        access[1 + k] = Tatp.START_TIMES[k] <= txn.startTime
                                ? ctx.read(Tatp.callForwardingKey(s, txn.sfType, Tatp.START_TIMES[k])) : -1;
                    }
                    return CONTINUE;
                }
                if (!ctx.exists(access[0]) || ctx.getLong(access[0], SF_IS_ACTIVE) == 0) {
                    return ROLLBACK;
                }
                for (int k = 0; k < 3; k++) {
                    int a = access[1 + k];
                    if (a >= 0 && ctx.exists(a) && ctx.getLong(a, CF_END_TIME) > txn.endTime) {
                        return COMMIT;
                    }
                }
                return ROLLBACK;
            }
            case Tatp.UPDATE_SUBSCRIBER_DATA -> {
                if (round == 0) {
                    access[0] = ctx.readForUpdate(Tatp.subscriberKey(s));
                    access[1] = ctx.readForUpdate(Tatp.specialFacilityKey(s, txn.sfType));
                    return CONTINUE;
                }
                if (!ctx.exists(access[1])) {
                    return ROLLBACK;
                }
                ctx.setLong(ctx.update(access[0]), SUB_BIT_1, txn.value & 1);
                ctx.setLong(ctx.update(access[1]), SF_DATA_A, txn.value & 0xff);
                return COMMIT;
            }
            case Tatp.UPDATE_LOCATION -> {
                if (round == 1) {
                    access[1] = ctx.readForUpdate(Tatp.subscriberKey(s));
                    return CONTINUE;
                }
                ctx.setLong(ctx.update(access[1]), SUB_VLR_LOCATION, txn.value);
                return COMMIT;
            }
            case Tatp.INSERT_CALL_FORWARDING -> {
                if (round == 1) {
                    access[1] = ctx.read(Tatp.specialFacilityKey(s, txn.sfType));
                    access[2] = ctx.readForUpdate(Tatp.callForwardingKey(s, txn.sfType, txn.startTime));
                    return CONTINUE;
                }
                if (!ctx.exists(access[1]) || ctx.exists(access[2])) {
                    return ROLLBACK;
                }
                int w = ctx.insert(access[2]);
                ctx.setLong(w, CF_END_TIME, txn.endTime);
                ctx.setLong(w, CF_NUMBERX, txn.value);
                return COMMIT;
            }
            case Tatp.DELETE_CALL_FORWARDING -> {
                if (round == 1) {
                    access[1] = ctx.readForUpdate(Tatp.callForwardingKey(s, txn.sfType, txn.startTime));
                    return CONTINUE;
                }
                if (!ctx.exists(access[1])) {
                    return ROLLBACK;
                }
                ctx.delete(access[1]);
                return COMMIT;
            }
            default -> throw new IllegalStateException("TATP type " + txn.type);
        }
    }

    /** Loads one subscriber's rows through the insert path, as {@link Tatp}'s population says. */
    public static final class Loader implements TxnLogic {
        private final Tatp tatp;
        private long sId;

        public Loader(Tatp tatp) {
            this.tatp = tatp;
        }

        public Loader set(long sId) {
            this.sId = sId;
            return this;
        }

        @Override
        public int step(TxnContext ctx, int round) {
            // a subscriber has up to 2 + 4 + 4 + 12 rows; they go in two transactions (round 0 of
            // each): SUBSCRIBER, SECOND_SUBSCRIBER, ACCESS_INFO here, the rest by callForwarding()
            int w = ctx.insertBlind(Tatp.subscriberKey(sId));
            ctx.setLong(w, SUB_S_ID, sId);
            ctx.setLong(w, SUB_MSC_LOCATION, sId * 7);
            w = ctx.insertBlind(Tatp.secondSubscriberKey(sId));
            ctx.setLong(w, SECOND_S_ID, sId);
            int ai = tatp.accessInfoTypes(sId);
            for (int type = 1; type <= 4; type++) {
                if ((ai & 1 << (type - 1)) != 0) {
                    ctx.setLong(ctx.insertBlind(Tatp.accessInfoKey(sId, type)), AI_DATA1, type);
                }
            }
            return COMMIT;
        }

        @Override
        public int type() {
            return 0;
        }
    }

    /** The special facilities and call forwardings of one subscriber and one sf_type. */
    public static final class FacilityLoader implements TxnLogic {
        private final Tatp tatp;
        private long sId;
        private int sfType;

        public FacilityLoader(Tatp tatp) {
            this.tatp = tatp;
        }

        public FacilityLoader set(long sId, int sfType) {
            this.sId = sId;
            this.sfType = sfType;
            return this;
        }

        @Override
        public int step(TxnContext ctx, int round) {
            if ((tatp.specialFacilityTypes(sId) & 1 << (sfType - 1)) == 0) {
                return COMMIT; // nothing to insert
            }
            int w = ctx.insertBlind(Tatp.specialFacilityKey(sId, sfType));
            ctx.setLong(w, SF_IS_ACTIVE, tatp.specialFacilityActive(sId, sfType) ? 1 : 0);
            int cf = tatp.callForwardingSet(sId);
            for (int k = 0; k < 3; k++) {
                if ((cf & 1 << (3 * (sfType - 1) + k)) != 0) {
                    int start = Tatp.START_TIMES[k];
                    w = ctx.insertBlind(Tatp.callForwardingKey(sId, sfType, start));
                    ctx.setLong(w, CF_END_TIME, tatp.callForwardingEndTime(sId, sfType, start));
                    ctx.setLong(w, CF_NUMBERX, sId);
                }
            }
            return COMMIT;
        }

        @Override
        public int type() {
            return 0;
        }
    }
}

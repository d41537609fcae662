package io.dint.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class WorkloadTest {

    @Property(tries = 50)
    void nuRandStaysInRange(@ForAll @LongRange(min = 1, max = 20_000_000) long n, @ForAll long seed) {
        NuRand r = new NuRand(1, n, Math.floorMod(seed, NuRand.aFor(n) + 1));
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < 1000; i++) {
            assertThat(r.next(rnd)).isBetween(1L, n);
        }
    }

    @Test
    void nuRandUsesTheSpecificationsA() {
        assertThat(NuRand.aFor(1_000_000)).isEqualTo(65_535);
        assertThat(NuRand.aFor(1_000_001)).isEqualTo(1_048_575);
        assertThat(NuRand.aFor(10_000_000)).isEqualTo(1_048_575);
        assertThat(NuRand.aFor(10_000_001)).isEqualTo(2_097_151);
    }

    @Test
    void nuRandIsSkewed() {
        // with A = 65535 over 1M subscribers, (r1 | r2) sets low bits more often: the most drawn
        // tenth of the ids takes far more than a tenth of the draws
        NuRand r = new NuRand(1, 1_000_000, 0);
        SplittableRandom rnd = new SplittableRandom(1);
        int[] bucket = new int[1000];
        for (int i = 0; i < 200_000; i++) {
            bucket[(int) ((r.next(rnd) - 1) * 1000 / 1_000_000)]++;
        }
        java.util.Arrays.sort(bucket);
        long top = 0;
        for (int i = 900; i < 1000; i++) {
            top += bucket[i];
        }
        assertThat(top / 200_000.0).isGreaterThan(0.15);
    }

    @Test
    void mixesFollowTheirWeights() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (Mix mix : new Mix[] {Smallbank.MIX, Tatp.MIX}) {
            int[] count = new int[mix.types()];
            int n = 400_000;
            for (int i = 0; i < n; i++) {
                count[mix.next(rnd)]++;
            }
            for (int t = 0; t < mix.types(); t++) {
                assertThat((double) count[t] / n).as("type %d", t).isCloseTo(mix.share(t), offset(0.005));
            }
        }
        assertThat(Tatp.MIX.share(Tatp.GET_SUBSCRIBER_DATA) + Tatp.MIX.share(Tatp.GET_NEW_DESTINATION)
                + Tatp.MIX.share(Tatp.GET_ACCESS_DATA)).as("read-only share").isCloseTo(0.8, offset(1e-9));
        assertThatThrownBy(() -> new Mix(0, 0)).hasMessageContaining("positive weight");
    }

    @Test
    void smallbankDrawsNinetyPercentFromTheHotSet() {
        Smallbank sb = new Smallbank(100_000);
        assertThat(sb.hotAccounts()).isEqualTo(4000);
        Smallbank.Txn t = new Smallbank.Txn();
        SplittableRandom rnd = new SplittableRandom(9);
        int hot = 0, n = 200_000;
        for (int i = 0; i < n; i++) {
            sb.next(rnd, t);
            assertThat(t.a1).isBetween(0L, 99_999L);
            if (t.type == Smallbank.AMALGAMATE || t.type == Smallbank.SEND_PAYMENT) {
                assertThat(t.a2).isNotEqualTo(t.a1).isBetween(0L, 99_999L);
            }
            hot += t.a1 < sb.hotAccounts() ? 1 : 0;
        }
        // 90% from the hot set, plus the 4% of cold draws that land in it
        assertThat((double) hot / n).isCloseTo(0.9 + 0.1 * 0.04, offset(0.005));
    }

    @Test
    void tatpPopulationGivesTheExpectedSuccessRates() {
        Tatp tatp = new Tatp(200_000, 5);
        SplittableRandom rnd = new SplittableRandom(11);
        int n = 100_000, aiHit = 0, sfHit = 0, cfInsertOk = 0, cfDeleteOk = 0, active = 0, sfRows = 0;
        for (int i = 0; i < n; i++) {
            long s = 1 + rnd.nextLong(200_000);
            int type = 1 + rnd.nextInt(4);
            int k = rnd.nextInt(3);
            int ai = tatp.accessInfoTypes(s);
            int sf = tatp.specialFacilityTypes(s);
            assertThat(Integer.bitCount(ai)).isBetween(1, 4);
            assertThat(Integer.bitCount(sf)).isBetween(1, 4);
            boolean sfExists = (sf & 1 << (type - 1)) != 0;
            boolean cf = (tatp.callForwardingSet(s) & 1 << (3 * (type - 1) + k)) != 0;
            aiHit += (ai & 1 << (type - 1)) != 0 ? 1 : 0;
            sfHit += sfExists ? 1 : 0;
            cfInsertOk += sfExists && !cf ? 1 : 0;
            cfDeleteOk += cf ? 1 : 0;
            if (sfExists) {
                sfRows++;
                active += tatp.specialFacilityActive(s, type) ? 1 : 0;
            }
            assertThat(!cf || sfExists).as("call forwarding only under an existing special facility").isTrue();
        }
        assertThat((double) aiHit / n).as("GET_ACCESS_DATA success").isCloseTo(0.625, offset(0.01));
        assertThat((double) sfHit / n).as("UPDATE_SUBSCRIBER_DATA success").isCloseTo(0.625, offset(0.01));
        assertThat((double) cfInsertOk / n).as("INSERT_CALL_FORWARDING success").isCloseTo(0.3125, offset(0.01));
        assertThat((double) cfDeleteOk / n).as("DELETE_CALL_FORWARDING success").isCloseTo(0.3125, offset(0.01));
        assertThat((double) active / sfRows).as("active special facilities").isCloseTo(0.85, offset(0.01));
    }

    @Test
    void keysOfDifferentTablesNeverCollide() {
        long s = (1L << 40) - 1;
        assertThat(new long[] {Tatp.subscriberKey(s), Tatp.secondSubscriberKey(s), Tatp.accessInfoKey(s, 4),
            Tatp.specialFacilityKey(s, 4), Tatp.callForwardingKey(s, 4, 16), Smallbank.savingsKey(s), Smallbank.checkingKey(s)})
                .doesNotHaveDuplicates();
        assertThat(Tatp.callForwardingKey(1, 1, 0)).isNotEqualTo(Tatp.callForwardingKey(1, 1, 8));
        assertThat(Tatp.callForwardingKey(1, 2, 0)).isNotEqualTo(Tatp.callForwardingKey(1, 1, 16));
    }

    /** TATP's one foreign key, which every shard's check applies: a call forwarding needs its special facility. */
    @Test
    void aCallForwardingsParentIsItsSpecialFacilityAndNoOtherRowHasOne() {
        long s = (1L << 40) - 1;
        TatpWorkload w = new TatpWorkload(10, 1);
        assertThat(w.parentKey(Tatp.callForwardingKey(s, 3, 16))).isEqualTo(Tatp.specialFacilityKey(s, 3));
        assertThat(w.parentKey(Tatp.callForwardingKey(7, 1, 0))).isEqualTo(Tatp.specialFacilityKey(7, 1));
        for (long key : new long[] {Tatp.subscriberKey(s), Tatp.secondSubscriberKey(s), Tatp.accessInfoKey(s, 4),
            Tatp.specialFacilityKey(s, 4)}) {
            assertThat(w.parentKey(key)).as("key %x", key).isZero();
        }
        assertThat(new SmallbankWorkload(10).parentKey(Smallbank.savingsKey(3))).as("Smallbank's rows stand alone").isZero();
    }
}

package io.dint.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dint.shard.ShardLog;
import io.dint.shard.ShardStore;
import io.dint.workload.SmallbankWorkload;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code --scale paper}: the paper's sizes where they fit, else the largest that fits, the budget
 * taken from the memory given; sizes given on the command line are kept.
 */
class PaperScaleTest {
    private static final long GIB = 1L << 30;
    private static final long[] DEFAULTS = {1_000_000, 100_000, 20_000, 5_000};

    @Test
    void everythingAtThePapersSizeWhenItFits() {
        PaperScale.Plan p = PaperScale.plan(1024 * GIB, 6 * GIB, 1.5, List.of(), DEFAULTS);
        assertThat(p.choices()).allSatisfy(c -> {
            assertThat(c.chosen()).isEqualTo(c.paper());
            assertThat(c.reduced()).isFalse();
        });
        assertThat(p.choice("--accounts").chosen()).isEqualTo(24_000_000);
        assertThat(p.choice("--subscribers").chosen()).isEqualTo(7_000_000);
    }

    @Test
    void onThisMachineKindTheShardsAreCutToTheLargestThatFits() {
        // 24 GiB, about 22 available, the bench JVM's default heap limit a quarter of the memory
        PaperScale.Plan p = PaperScale.plan(22 * GIB, 6 * GIB, 1.5, List.of(), DEFAULTS);
        assertThat(p.budget()).isBetween(13 * GIB, 14 * GIB);
        assertThat(p.choice("--lock-ids").chosen()).isEqualTo(PaperScale.LOCK_IDS);
        assertThat(p.choice("--kv-subscribers").chosen()).isEqualTo(PaperScale.KV_SUBSCRIBERS);
        for (String o : List.of("--accounts", "--subscribers")) {
            PaperScale.Choice c = p.choice(o);
            assertThat(c.reduced()).as(o).isTrue();
            assertThat(c.bytes()).as("%s fits", o).isLessThanOrEqualTo(p.budget());
            assertThat(c.paperBytes()).as("%s at the paper's size does not", o).isGreaterThan(p.budget());
            assertThat(c.chosen()).as(o).isEqualTo(PaperScale.round(c.chosen())).isGreaterThan(100_000);
            assertThat(p.note(o)).contains("the largest that fits");
        }
        // the largest, up to the rounding: a tenth more does not fit
        long more = p.choice("--accounts").chosen() * 11 / 10;
        assertThat(3 * (PaperScale.shardBytes(new SmallbankWorkload(more), 1.5) + PaperScale.JVM_BYTES)).isGreaterThan(p.budget());
        assertThat(p.describe()).contains("--accounts").contains("--subscribers").contains("--lock-ids").contains("--kv-subscribers");
    }

    @Test
    void sizesGivenOnTheCommandLineAreKept() {
        PaperScale.Plan p = PaperScale.plan(22 * GIB, 6 * GIB, 1.5, List.of("--accounts"), DEFAULTS);
        assertThat(p.choice("--accounts").chosen()).isEqualTo(20_000);
        assertThat(p.choice("--accounts").given()).isTrue();
        assertThat(p.note("--accounts")).startsWith("given on the command line");
    }

    @Test
    void tooLittleMemoryIsAClearError() {
        assertThatThrownBy(() -> PaperScale.plan(7 * GIB, 6 * GIB, 1.5, List.of(), DEFAULTS))
                .hasMessageContaining("--scale paper").hasMessageContaining("--lock-ids");
    }

    @Test
    void theShardCostIsWhatTheStoreAllocates() {
        try (ShardStore s = new ShardStore(1000, new ShardLog(1000))) {
            assertThat(ShardStore.bytesFor(1000)).isEqualTo(s.slots() * 96);
        }
        assertThat(PaperScale.round(7_456_123)).isEqualTo(7_400_000);
        assertThat(PaperScale.round(99)).isEqualTo(99);
    }
}

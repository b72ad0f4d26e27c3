package io.github.lb4j.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lb4j.core.HashStrategy;
import io.github.lb4j.core.Strategy;
import org.junit.jupiter.api.Test;

/** Hash quality targets, with fewer keys than the report (the exact shares need no keys). */
class HashQualityTest {

    static final int KEYS = 200_000;

    @Test
    void exactSharesMeetTheTargetsAndSampledSpreadIsNearTheNoiseFloor() {
        for (int n : new int[] {10, 100, 1000}) {
            HashQuality.Balance maglev = HashQuality.balance(Strategy.maglev(), n, KEYS);
            assertThat(maglev.exactMaxOverMean()).as("maglev N=%d", n).isLessThanOrEqualTo(1.02);
            HashQuality.Balance ring = HashQuality.balance(Strategy.ringHash(), n, KEYS);
            assertThat(ring.exactMaxOverMean()).as("ring N=%d", n).isLessThanOrEqualTo(1.10);
            // Sampled figures add the keys' own noise (about 1/sqrt(keys/N) per backend), which the exact share
            // does not have; they must not be far above what perfectly uniform keys give.
            assertThat(maglev.sampledMaxOverMean()).isLessThanOrEqualTo(maglev.noiseFloor() * 1.05);
            assertThat(ring.sampledMaxOverMean()).isLessThanOrEqualTo(ring.noiseFloor() * ring.exactMaxOverMean()
                    * 1.05);
        }
        HashQuality.Balance rv = HashQuality.balance(Strategy.rendezvous(), 100, KEYS);
        assertThat(rv.exactMaxOverMean()).isNaN();
        assertThat(rv.sampledMaxOverMean()).isLessThanOrEqualTo(rv.noiseFloor() * 1.05);
    }

    @Test
    void keysMovedOnRemovalAndAddition() {
        for (HashStrategy s : new HashStrategy[] {Strategy.ringHash(), Strategy.rendezvous()}) {
            for (int n : new int[] {10, 100}) {
                HashQuality.Movement m = HashQuality.movement(s, n, KEYS);
                assertThat(m.removedRatio()).as("%s N=%d removal", s, n).isBetween(0.9, 1.1);
                assertThat(m.addedRatio()).as("%s N=%d addition", s, n).isBetween(0.9, 1.1);
            }
        }
        HashQuality.Movement maglev = HashQuality.movement(Strategy.maglev(), 100, KEYS);
        assertThat(maglev.removedRatio()).isBetween(0.95, 2.0);
        assertThat(maglev.addedRatio()).isBetween(0.95, 2.0);
    }

    @Test
    void maglevWithFailedBackendsStaysEvenAndMovesLittleMoreThanTheFailedShare() {
        HashQuality.Failed f = HashQuality.failed(Strategy.maglev(), 100, 10, KEYS);
        assertThat(f.tableSize()).isEqualTo(65537);
        assertThat(f.movedRatio()).isBetween(0.95, 1.5);
        assertThat(f.maxOverMeanAfter()).isLessThanOrEqualTo(1.02);
    }

    @Test
    void boundedLoadHoldsItsFactorUnderAHotKey() {
        for (HashStrategy s : HashQuality.strategies()) {
            HashQuality.Bounded b = HashQuality.boundedLoad(s, 10, 1.25, 0.2, 1000, 20_000);
            assertThat(b.maxOverMean()).as(s.name()).isLessThanOrEqualTo(b.bound());
            assertThat(b.bound()).isLessThanOrEqualTo(1.26);
            assertThat(b.unboundedMaxOverMean()).as("the hot key overloads its backend without the bound")
                    .isGreaterThan(2.5);
            assertThat(b.movedOffHome()).as("affinity kept for most cold keys").isLessThan(0.25);
        }
    }

    @Test
    void buildTimeIsMeasured() {
        assertThat(HashQuality.buildTime(Strategy.maglev(), 100, 3).millis()).isPositive();
    }
}

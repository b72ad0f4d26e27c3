package io.github.lb4j.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lb4j.core.Strategy;
import org.junit.jupiter.api.Test;

class WeightedQualityTest {

    @Test
    void roundRobinIsExactAndSmooth() {
        for (int[] w : WeightedQuality.WEIGHT_SETS) {
            WeightedQuality.Row r = WeightedQuality.measure(Strategy.roundRobin(), w, 50_000);
            assertThat(r.maxShareError()).as(r.weights()).isLessThan(0.002);
            // nginx's smooth order: at most one more than the shortest possible longest run (across cycle ends)
            assertThat(r.longestRun()).as(r.weights()).isLessThanOrEqualTo(r.idealRun() + 1);
        }
    }

    @Test
    void randomTwoChoiceAndHashFollowWeights() {
        for (int[] w : WeightedQuality.WEIGHT_SETS) {
            // peakEwma too: on an idle pool its estimates differ only by decay, which its tie band absorbs.
            for (Strategy s : new Strategy[] {Strategy.random(), Strategy.leastRequests(), Strategy.peakEwma(),
                    Strategy.maglev(), Strategy.rendezvous()}) {
                WeightedQuality.Row r = WeightedQuality.measure(s, w, 50_000);
                assertThat(r.maxShareError()).as("%s %s", s, r.weights()).isLessThan(0.06);
            }
            // A ring's share is the sum of its arcs: about 1/sqrt(points) of noise with 2048 points per weight unit.
            WeightedQuality.Row ring = WeightedQuality.measure(Strategy.ringHash(), w, 50_000);
            assertThat(ring.maxShareError()).as("ring %s", ring.weights()).isLessThan(0.10);
        }
    }
}

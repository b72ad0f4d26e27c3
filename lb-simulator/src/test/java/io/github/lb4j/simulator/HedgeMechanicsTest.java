package io.github.lb4j.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The adaptive delay and the retry budget on a fake clock; small hand-made runs of the simulator. */
class HedgeMechanicsTest {

    @Test
    void theAdaptiveDelayIsThePercentileOfTheLastWindowAndFollowsAShift() {
        Simulator.VirtualClock clock = new Simulator.VirtualClock();
        AdaptiveDelay d = new AdaptiveDelay(clock, 95, 1_000_000L);
        for (int i = 0; i < AdaptiveDelay.MIN_SAMPLES - 1; i++) {
            d.record((i % 100 + 1) * 1_000_000L);
        }
        assertThat(d.delayNanos()).as("too few samples: no hedge").isEqualTo(Long.MAX_VALUE);
        // 1..100 ms uniformly: p95 is 95 ms (HdrHistogram: within 1%, never below).
        for (int i = AdaptiveDelay.MIN_SAMPLES - 1; i < 10_000; i++) {
            d.record((i % 100 + 1) * 1_000_000L);
        }
        assertThat(d.delayNanos() / 1e6).isCloseTo(95, within(1.0)).isGreaterThanOrEqualTo(95);
        // Ten times slower: the first window still answers with the old p95; once it rotates, the new one.
        clock.now += AdaptiveDelay.WINDOW_NANOS;
        for (int i = 0; i < 10_000; i++) {
            d.record((i % 100 + 1) * 10_000_000L);
        }
        assertThat(d.delayNanos() / 1e6).as("the full window is the mixed one").isBetween(94.0, 960.0);
        clock.now += AdaptiveDelay.WINDOW_NANOS;
        assertThat(d.delayNanos() / 1e6).isCloseTo(950, within(10.0));
        // The minimum bounds it below.
        AdaptiveDelay fast = new AdaptiveDelay(clock, 95, 2_000_000L);
        for (int i = 0; i < 1000; i++) {
            fast.record(100_000L);
        }
        assertThat(fast.delayNanos()).isEqualTo(2_000_000L);
    }

    @Test
    void theBudgetGrantsItsRatioPlusItsFloorPerWindowAndRefills() {
        Simulator.VirtualClock clock = new Simulator.VirtualClock();
        HedgeBudget b = new HedgeBudget(clock, 0.2, 10);
        for (int i = 0; i < 1000; i++) {
            b.deposit();
        }
        int granted = 0;
        while (b.tryWithdraw()) {
            granted++;
        }
        assertThat(granted).isEqualTo(200 + 10 * HedgeBudget.WINDOW_SECONDS);
        clock.now += 5_000_000_000L;
        assertThat(b.tryWithdraw()).as("still within the window").isFalse();
        clock.now += 5_000_000_000L;
        assertThat(b.tryWithdraw()).as("deposits and withdrawals expired together: the floor is back").isTrue();
    }

    @Test
    void aHedgeGoesToAnotherBackendAndTheFirstResponseWins() {
        // Two backends, 1% of requests stall 1 s: a 10 ms hedge to the other backend (excluded: the first one)
        // rescues every stalled request whose hedge does not stall too.
        TailScenario s = TailScenario.builder("two").backends(2).fanOut(2).singleRate(100).fanOutRate(10)
                .duration(Duration.ofSeconds(20)).seed(5)
                .latency(LatencyDistribution.constant(1).withStall(0.01, LatencyDistribution.constant(1000)))
                .build();
        TailResult none = TailSimulator.run(s, HedgePolicy.none());
        TailResult hedged = TailSimulator.run(s, HedgePolicy.after(Duration.ofMillis(10)));
        assertThat(none.single().percentileMs(0.995)).isEqualTo(1001.0);
        assertThat(hedged.single().percentileMs(1.0)).isEqualTo(11.0);
        assertThat(hedged.hedges()).isEqualTo(Math.round(hedged.extraLoad() * hedged.requests()))
                .isBetween(20L, 60L); // 1% of 2400
        assertThat(hedged.inFlightAtEnd()).isZero();
        assertThat(hedged.hedgesToTriedBackend()).as("two backends: every hedge on the other one").isZero();
        // Cancelled at 11 ms instead of served for 1001 ms.
        assertThat(hedged.extraServerTime()).isLessThan(-0.5);
        // Served to the end, the hedges cost their own service time: 1 ms each (none of this seed's ~24 hedges
        // stalls), against the first attempts' mean of about 11 ms (1 ms + 1% x 1000 ms).
        assertThat(hedged.extraServerTimeIfNotCancelled()).isPositive().isLessThan(hedged.extraLoad() / 5);
    }
}

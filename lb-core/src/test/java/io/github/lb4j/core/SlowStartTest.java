package io.github.lb4j.core;

import static io.github.lb4j.core.HealthFixtures.b;
import static io.github.lb4j.core.HealthFixtures.backends;
import static io.github.lb4j.core.OutlierDetectionTest.picks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SlowStartTest {

    private final ManualClock clock = new ManualClock();

    private LoadBalancer.Builder pool(Strategy strategy, List<Backend> backends) {
        return LoadBalancer.builder("slow").backends(backends).strategy(strategy).ticker(clock)
                .random(new SplittableRandom(5)).checkScheduler(clock);
    }

    private static int[] weights(LoadBalancer lb) {
        return ((DefaultLoadBalancer) lb).snapshot().weights;
    }

    @Test
    void initialMembersStartAtFullWeight() {
        LoadBalancer lb = pool(Strategy.roundRobin(), backends("a", "b")).build();
        assertThat(weights(lb)).containsExactly(1, 1);
        assertThat(((DefaultLoadBalancer) lb).snapshot().hasDeadline).isFalse();
    }

    @Test
    void aJoiningBackendRampsInTenStepsFromTheFloorToFullWeight() {
        // A ticker the scheduler cannot follow: picks apply the ramp's steps.
        LoadBalancer lb = LoadBalancer.builder("slow").backends(List.of(b("a"), b("b").withWeight(2)))
                .ticker(clock).random(new SplittableRandom(5)).build();
        lb.updateBackends(List.of(b("a"), b("b").withWeight(2), b("c")));
        // Scaled by 10 during the ramp: a 10, b 20, c starts at 10% of 10.
        assertThat(weights(lb)).containsExactly(10, 20, 1);
        assertThat(picks(lb, 310)).containsEntry("c", 10).containsEntry("a", 100).containsEntry("b", 200);
        List<Integer> ramp = new ArrayList<>();
        for (int step = 0; step < 10; step++) {
            ramp.add(weights(lb)[2]);
            clock.advanceSeconds(3);
            lb.select().success(); // the first pick after a step's time rebuilds the snapshot
        }
        assertThat(ramp).containsExactly(1, 2, 3, 4, 5, 6, 6, 7, 8, 9);
        // Done: back to plain weights, and no more deadline to check on each pick.
        assertThat(weights(lb)).containsExactly(1, 2, 1);
        assertThat(((DefaultLoadBalancer) lb).snapshot().hasDeadline).isFalse();
    }

    @Test
    void withASchedulerOneSharedRebuildPerStepAndPicksNeverReadTheClock() {
        LoadBalancer lb = pool(Strategy.roundRobin(), backends("a", "b")).build();
        lb.updateBackends(backends("a", "b", "c"));
        clock.advanceSeconds(1);
        lb.updateBackends(backends("a", "b", "c", "d"));
        assertThat(weights(lb)).containsExactly(10, 10, 1, 1);
        // Two ramps, one pending rebuild: at c's next step.
        assertThat(clock.pending()).isEqualTo(1);
        assertThat(((DefaultLoadBalancer) lb).snapshot().hasDeadline).isFalse();
        long reads = clock.reads;
        picks(lb, 100);
        assertThat(clock.reads).isEqualTo(reads);
        // Time alone moves the ramp, without a pick.
        clock.advanceSeconds(14);
        assertThat(weights(lb)).containsExactly(10, 10, 6, 5);
        clock.advanceSeconds(15);
        assertThat(weights(lb)).as("c done, d one step short").containsExactly(10, 10, 10, 9);
        clock.advanceSeconds(1);
        assertThat(weights(lb)).containsExactly(1, 1, 1, 1);
        assertThat(clock.pending()).isZero();
    }

    @Test
    void everyWeightedStrategyRamps() {
        for (Strategy s : List.of(Strategy.roundRobin(), Strategy.random(), Strategy.leastRequests(),
                Strategy.peakEwma())) {
            LoadBalancer lb = pool(s, backends("a", "b")).slowStart(Duration.ofSeconds(10), 20).build();
            lb.updateBackends(backends("a", "b", "c"));
            assertThat(weights(lb)).as(s.name()).containsExactly(10, 10, 2);
            clock.advanceSeconds(5);
            lb.select().success();
            assertThat(weights(lb)).as(s.name()).containsExactly(10, 10, 6);
            clock.advanceSeconds(5);
            lb.select().success();
            assertThat(weights(lb)).as(s.name()).containsExactly(1, 1, 1);
        }
    }

    @Test
    void randomPicksFollowTheRamp() {
        LoadBalancer lb = pool(Strategy.random(), backends("a", "b")).build();
        lb.updateBackends(backends("a", "b", "c"));
        int c = picks(lb, 21_000).getOrDefault("c", 0);
        // c's share is 1/21; 1000 expected, standard deviation about 31.
        assertThat(c).isBetween(850, 1150);
    }

    @Test
    void hashStrategiesKeepTheirMapping() {
        for (HashStrategy s : List.of(Strategy.ringHash(), Strategy.maglev(), Strategy.rendezvous())) {
            LoadBalancer ramped = pool(s, backends("a", "b")).build();
            LoadBalancer plain = pool(s, backends("a", "b")).slowStart(Duration.ZERO).build();
            ramped.updateBackends(backends("a", "b", "c"));
            plain.updateBackends(backends("a", "b", "c"));
            assertThat(weights(ramped)).as(s.name()).containsExactly(1, 1, 1);
            assertThat(((DefaultLoadBalancer) ramped).snapshot().hasDeadline).isFalse();
            for (int k = 0; k < 500; k++) {
                RequestContext ctx = RequestContext.ofHashKey("key-" + k);
                assertThat(ramped.select(ctx).backend()).isEqualTo(plain.select(ctx).backend());
            }
        }
    }

    @Test
    void zeroWindowTurnsItOff() {
        LoadBalancer lb = pool(Strategy.roundRobin(), backends("a", "b")).slowStart(Duration.ZERO).build();
        lb.updateBackends(backends("a", "b", "c"));
        assertThat(weights(lb)).containsExactly(1, 1, 1);
        assertThat(picks(lb, 300)).allSatisfy((k, v) -> assertThat(v).isEqualTo(100));
    }

    @Test
    void rampWeightsAreScaledIntegersNeverBelowOne() {
        assertThat(SnapshotBuilder.rampWeight(1, 0, 10)).isEqualTo(1);
        assertThat(SnapshotBuilder.rampWeight(1, 0, 1)).isEqualTo(1);
        assertThat(SnapshotBuilder.rampWeight(1, 9, 10)).isEqualTo(9);
        assertThat(SnapshotBuilder.rampWeight(100, 0, 10)).isEqualTo(100);
        assertThat(SnapshotBuilder.rampWeight(100, 5, 10)).isEqualTo(550);
        assertThat(SnapshotBuilder.rampWeight(Backend.MAX_WEIGHT, 9, 1))
                .isEqualTo(9_010_000).isLessThan(Backend.MAX_WEIGHT * 10);
        // Round robin's schedule stays small: weights 10, 10, 1 give a cycle of 21, not 10 + 10 + 1 scaled up.
        assertThat(RoundRobinStrategy.schedule(new int[] {20, 20, 10})).hasSize(5);
    }

    @Test
    void badSettingsAreRejected() {
        LoadBalancer.Builder b = LoadBalancer.builder("x");
        assertThatThrownBy(() -> b.slowStart(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("slow start window must not be negative, got PT-1S");
        assertThatThrownBy(() -> b.slowStart(Duration.ofSeconds(30), 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("slow start floorPercent must be between 1 and 100, got 0");
        assertThatThrownBy(() -> b.slowStart(Duration.ofSeconds(30), 101)).hasMessageContaining("got 101");
        assertThatThrownBy(() -> b.slowStart(null)).isInstanceOf(NullPointerException.class);
    }
}

package io.github.lb4j.core;

import static io.github.lb4j.core.HealthFixtures.backends;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class OutlierDetectionTest {

    private final ManualClock clock = new ManualClock();
    private final HealthFixtures.Recorder events = new HealthFixtures.Recorder();

    private LoadBalancer.Builder pool(String... hosts) {
        return LoadBalancer.builder("od").backends(backends(hosts)).ticker(clock).random(new SplittableRandom(1))
                .listener(events).listenerExecutor(Runnable::run);
    }

    static void fail(LoadBalancer lb, String host, int times) {
        for (int i = 0; i < times; i++) {
            lb.select(RequestContext.ofPinned(host + ":80")).failure(new IOException("boom"));
        }
    }

    static void succeed(LoadBalancer lb, String host, int times) {
        for (int i = 0; i < times; i++) {
            lb.select(RequestContext.ofPinned(host + ":80")).success();
        }
    }

    static Map<String, Integer> picks(LoadBalancer lb, int n) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            Selection s = lb.select();
            counts.merge(s.backend().host(), 1, Integer::sum);
            s.success();
        }
        return counts;
    }

    static BackendStats stats(LoadBalancer lb, String host) {
        return lb.stats().stream().filter(s -> s.backend().host().equals(host)).findFirst().orElseThrow();
    }

    @Test
    void aBackendBackFromAnEjectionStartsWithoutItsFailuresLatencyEstimate() {
        LoadBalancer lb = pool("a", "b", "c", "d").strategy(Strategy.peakEwma()).build();
        for (int i = 0; i < 5; i++) {
            Selection s = lb.select(RequestContext.ofPinned("a:80"));
            clock.advance(java.time.Duration.ofMillis(2));
            s.failure(new IOException("refused"));
        }
        assertThat(stats(lb, "a").health()).isEqualTo(BackendHealth.EJECTED);
        // Each failure in a row doubled the estimate: 2 ms counted as 4, then 8, 16, 32, 64 ms.
        assertThat(stats(lb, "a").latencyEwmaNanos()).isGreaterThanOrEqualTo(60e6);

        clock.advanceSeconds(30);
        lb.select(RequestContext.ofPinned("b:80")).success(); // a pick refreshes the pool: a's ejection ends
        assertThat(stats(lb, "a").health()).isEqualTo(BackendHealth.HEALTHY);
        // Unmeasured again: it competes on calls in flight until its first call completes, instead of being
        // starved until a failures-made estimate decays.
        assertThat(stats(lb, "a").latencyEwmaNanos()).isZero();
    }

    @Test
    void ejectedAfterFailuresInARowOutWhileEjectedBackAfterTheTimeRampsAndEjectedLongerTheSecondTime() {
        LoadBalancer lb = pool("a", "b", "c", "d").build();

        fail(lb, "a", 4);
        assertThat(stats(lb, "a").health()).isEqualTo(BackendHealth.HEALTHY);
        fail(lb, "a", 1);
        BackendStats a = stats(lb, "a");
        assertThat(a.health()).isEqualTo(BackendHealth.EJECTED);
        assertThat(a.lastTransitionNanos()).isEqualTo(clock.read());
        assertThat(a.lastTransitionReason()).isEqualTo("5 failures in a row; ejected for 30s");

        // Nothing while ejected, not even a pinned request.
        clock.advanceSeconds(29);
        assertThat(picks(lb, 300)).containsOnlyKeys("b", "c", "d");
        assertThatThrownBy(() -> lb.select(RequestContext.ofPinned("a:80")))
                .isInstanceOf(NoBackendAvailableException.class).hasMessageContaining("1 ejected");

        // Back after exactly the ejection time, at 10% of its weight: 1 turn in a cycle of 31.
        clock.advanceSeconds(1);
        Map<String, Integer> ramp = picks(lb, 310);
        assertThat(stats(lb, "a").health()).isEqualTo(BackendHealth.HEALTHY);
        assertThat(ramp).containsEntry("a", 10).containsEntry("b", 100).containsEntry("c", 100)
                .containsEntry("d", 100);
        // Its first calls were the half-open breaker's probes; they passed, so the breaker closed.
        assertThat(events.breakers()).containsExactly("a:CLOSED->OPEN", "a:OPEN->HALF_OPEN", "a:HALF_OPEN->CLOSED");

        // Half way through the 30 s ramp: 55% of its weight, rounded (6 of 36).
        clock.advanceSeconds(15);
        assertThat(picks(lb, 360)).containsEntry("a", 60).containsEntry("b", 100);
        // After the ramp: full weight.
        clock.advanceSeconds(15);
        assertThat(picks(lb, 400)).containsEntry("a", 100).containsEntry("b", 100);
        assertThat(lb.stats()).allSatisfy(s -> assertThat(s.health()).isEqualTo(BackendHealth.HEALTHY));

        // Second ejection soon after: twice as long.
        fail(lb, "a", 5);
        assertThat(stats(lb, "a").lastTransitionReason()).isEqualTo("5 failures in a row; ejected for 60s (ejection 2)");
        clock.advanceSeconds(59);
        assertThat(picks(lb, 30)).doesNotContainKey("a");
        clock.advanceSeconds(1);
        picks(lb, 1);
        assertThat(stats(lb, "a").health()).isEqualTo(BackendHealth.HEALTHY);
        assertThat(events.health()).containsExactly("a:HEALTHY->EJECTED", "a:EJECTED->HEALTHY",
                "a:HEALTHY->EJECTED", "a:EJECTED->HEALTHY");
    }

    @Test
    void withASchedulerTheEjectionEndsOnTimeWithoutPicksAndPicksDoNotReadTheClock() {
        LoadBalancer lb = pool("a", "b", "c").checkScheduler(clock).build();
        fail(lb, "a", 5);
        assertThat(clock.pending()).isEqualTo(1);
        long reads = clock.reads;
        assertThat(picks(lb, 100)).containsOnlyKeys("b", "c");
        assertThat(clock.reads).isEqualTo(reads);
        clock.advanceSeconds(29);
        assertThat(events.health()).containsExactly("a:HEALTHY->EJECTED");
        clock.advanceSeconds(1);
        assertThat(events.health()).containsExactly("a:HEALTHY->EJECTED", "a:EJECTED->HEALTHY");
        assertThat(events.lastHealth().nanos()).isEqualTo(clock.read());
        // Then its slow start: one rebuild pending at a time, until the ramp is done.
        assertThat(clock.pending()).isEqualTo(1);
        clock.advanceSeconds(30);
        assertThat(clock.pending()).isZero();
        lb.close();
        assertThat(clock.releases).isEqualTo(1);
    }

    @Test
    void ejectionTimeGrowsUpToTheCap() {
        LoadBalancer lb = pool("a", "b").slowStart(Duration.ZERO)
                .outlierDetection(OutlierDetection.builder().baseEjectionTime(Duration.ofSeconds(100))
                        .maxEjectionTime(Duration.ofSeconds(250)).build())
                .build();
        long[] expected = {100, 200, 250, 250};
        for (long seconds : expected) {
            fail(lb, "a", 5);
            assertThat(stats(lb, "a").lastTransitionReason()).contains("ejected for " + seconds + "s");
            clock.advanceSeconds(seconds);
            assertThat(stats(lb, "a").health()).isEqualTo(BackendHealth.HEALTHY);
        }
    }

    @Test
    void ejectionCountDecaysAfterAStableHealthyPeriod() {
        LoadBalancer lb = pool("a", "b").slowStart(Duration.ZERO)
                .outlierDetection(OutlierDetection.builder().ejectionDecay(Duration.ofMinutes(2)).build()).build();
        fail(lb, "a", 5);
        clock.advanceSeconds(30);
        lb.stats(); // reading stats applies the end of the ejection, like a pick would
        fail(lb, "a", 5);
        assertThat(stats(lb, "a").lastTransitionReason()).contains("ejected for 60s (ejection 2)");
        clock.advanceSeconds(60);
        lb.stats();
        // Healthy for two decay periods: the count drops from 2 to 0, so the next ejection is a first one again.
        clock.advance(Duration.ofMinutes(4));
        fail(lb, "a", 5);
        assertThat(stats(lb, "a").lastTransitionReason()).isEqualTo("5 failures in a row; ejected for 30s");
    }

    @Test
    void aSuccessResetsTheCountAndIgnoredOrAbandonedCallsCountNeither() {
        LoadBalancer lb = pool("a", "b").build();
        fail(lb, "a", 4);
        succeed(lb, "a", 1);
        fail(lb, "a", 4);
        for (int i = 0; i < 20; i++) {
            lb.select(RequestContext.ofPinned("a:80")).ignore();
            lb.select(RequestContext.ofPinned("a:80")).close();
        }
        assertThat(stats(lb, "a").health()).isEqualTo(BackendHealth.HEALTHY);
        fail(lb, "a", 1);
        assertThat(stats(lb, "a").health()).isEqualTo(BackendHealth.EJECTED);
        assertThat(stats(lb, "a").failures()).isEqualTo(9);
    }

    @Test
    void failureRateOpensTheBreakerWithoutFailuresInARow() {
        LoadBalancer lb = pool("a", "b").slowStart(Duration.ZERO)
                .outlierDetection(OutlierDetection.builder().consecutiveFailures(100).slidingWindowSize(10)
                        .minimumCalls(10).failureRateThreshold(50).build())
                .build();
        int calls = 0;
        while (calls < 100) {
            fail(lb, "a", 1);
            calls++;
            if (stats(lb, "a").health() != BackendHealth.HEALTHY) {
                break;
            }
            succeed(lb, "a", 1);
            calls++;
        }
        // The new breaker starts with the 9 successes it missed, so it opens at 5 failures among the last 10 calls.
        assertThat(calls).isEqualTo(9);
        assertThat(stats(lb, "a").health()).isEqualTo(BackendHealth.EJECTED);
        assertThat(stats(lb, "a").lastTransitionReason()).isEqualTo(
                "failure rate 50% over the last 10 calls; ejected for 30s");
        // Bridged in causal order: the breaker opened, then the backend was ejected.
        assertThat(events.events).filteredOn(e -> !(e instanceof LoadBalancerEvent.MembershipChanged))
                .extracting(e -> e.getClass().getSimpleName())
                .containsExactly("CircuitBreakerChanged", "HealthChanged");
    }

    @Test
    void failedProbesEjectAgainForLonger() {
        LoadBalancer lb = pool("a", "b").slowStart(Duration.ZERO).build();
        fail(lb, "a", 5);
        clock.advanceSeconds(30);
        assertThat(stats(lb, "a").health()).isEqualTo(BackendHealth.HEALTHY);
        // Half-open: 5 probe calls, 3 of which fail (never 5 in a row).
        succeed(lb, "a", 1);
        fail(lb, "a", 2);
        succeed(lb, "a", 1);
        assertThat(stats(lb, "a").health()).isEqualTo(BackendHealth.HEALTHY);
        fail(lb, "a", 1);
        assertThat(stats(lb, "a").health()).isEqualTo(BackendHealth.EJECTED);
        assertThat(stats(lb, "a").lastTransitionReason())
                .isEqualTo("failed its probe calls (failure rate 60% of 5); ejected for 60s (ejection 2)");
        assertThat(events.breakers()).containsExactly("a:CLOSED->OPEN", "a:OPEN->HALF_OPEN", "a:HALF_OPEN->OPEN");
    }

    @Test
    void maxEjectionPercentHoldsWhenEveryBackendFails() {
        LoadBalancer lb = pool("a", "b", "c", "d", "e", "f", "g", "h", "i", "j").build();
        for (int i = 0; i < 2_000; i++) {
            lb.select().failure(new IOException("upstream down"));
        }
        long ejected = lb.stats().stream().filter(s -> s.health() == BackendHealth.EJECTED).count();
        assertThat(ejected).isEqualTo(5);
        assertThat(((DefaultLoadBalancer) lb).inPanic()).isFalse();
        assertThat(picks(lb, 100)).hasSize(5);

        LoadBalancer two = LoadBalancer.builder("two").backends(backends("a", "b")).ticker(clock).build();
        for (int i = 0; i < 100; i++) {
            two.select().failure(new IOException("x"));
        }
        assertThat(two.stats()).filteredOn(s -> s.health() == BackendHealth.EJECTED).hasSize(1);

        LoadBalancer one = LoadBalancer.builder("one").backends(backends("a")).ticker(clock).build();
        fail(one, "a", 50);
        assertThat(stats(one, "a").health()).isEqualTo(BackendHealth.HEALTHY);
    }

    @Test
    void disabledDetectionEjectsNothing() {
        LoadBalancer lb = pool("a", "b").outlierDetection(OutlierDetection.disabled()).build();
        fail(lb, "a", 100);
        assertThat(stats(lb, "a").health()).isEqualTo(BackendHealth.HEALTHY);
        assertThat(stats(lb, "a").failures()).isEqualTo(100);
        assertThat(events.health()).isEmpty();
    }

    @Test
    void failuresOfARemovedBackendEjectNothing() {
        LoadBalancer lb = pool("a", "b").build();
        List<Selection> held = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            held.add(lb.select(RequestContext.ofPinned("a:80")));
        }
        lb.updateBackends(backends("b"));
        held.forEach(s -> s.failure(new IOException("x")));
        assertThat(events.health()).containsExactly("a:HEALTHY->DRAINING");
        assertThat(lb.stats()).extracting(s -> s.backend().host()).containsExactly("b");
    }

    @Test
    void badSettingsAreRejectedWithTheFieldAndValue() {
        OutlierDetection.Builder b = OutlierDetection.builder();
        assertThatThrownBy(() -> b.consecutiveFailures(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("consecutiveFailures must be positive, got 0");
        assertThatThrownBy(() -> b.failureRateThreshold(0)).hasMessageContaining("failureRateThreshold")
                .hasMessageContaining("got 0");
        assertThatThrownBy(() -> b.failureRateThreshold(101)).hasMessageContaining("got 101");
        assertThatThrownBy(() -> b.maxEjectionPercent(-1)).hasMessageContaining("maxEjectionPercent")
                .hasMessageContaining("got -1");
        assertThatThrownBy(() -> b.maxEjectionPercent(101)).hasMessageContaining("got 101");
        assertThatThrownBy(() -> b.slidingWindowSize(-5)).hasMessage("slidingWindowSize must be positive, got -5");
        assertThatThrownBy(() -> b.minimumCalls(0)).hasMessageContaining("minimumCalls");
        assertThatThrownBy(() -> b.halfOpenCalls(0)).hasMessageContaining("halfOpenCalls");
        assertThatThrownBy(() -> b.baseEjectionTime(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("baseEjectionTime must be positive, got PT-1S");
        assertThatThrownBy(() -> b.maxEjectionTime(Duration.ZERO)).hasMessageContaining("maxEjectionTime");
        assertThatThrownBy(() -> b.ejectionDecay(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> OutlierDetection.builder().slidingWindowSize(10).minimumCalls(11).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("minimumCalls (11)");
        assertThatThrownBy(() -> OutlierDetection.builder().baseEjectionTime(Duration.ofSeconds(60))
                .maxEjectionTime(Duration.ofSeconds(30)).build()).isInstanceOf(IllegalStateException.class);
        assertThat(OutlierDetection.defaults().consecutiveFailures()).isEqualTo(5);
        assertThat(OutlierDetection.defaults().maxEjectionPercent()).isEqualTo(50);
        assertThat(OutlierDetection.defaults().baseEjectionTime()).isEqualTo(Duration.ofSeconds(30));
        assertThat(OutlierDetection.defaults().maxEjectionTime()).isEqualTo(Duration.ofSeconds(300));
    }
}

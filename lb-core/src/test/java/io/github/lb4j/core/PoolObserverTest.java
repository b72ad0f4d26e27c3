package io.github.lb4j.core;

import static io.github.lb4j.core.HealthFixtures.backends;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lb4j.core.LoadBalancerEvent.HealthChanged.Cause;
import io.github.lb4j.core.internal.PoolInternals;
import io.github.lb4j.core.internal.PoolObserver;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The hook lb-micrometer binds to: an observer attached to a built pool, and the typed causes of health changes. */
class PoolObserverTest {

    private final FakeTicker ticker = new FakeTicker();

    /** Records what it is told, as strings. */
    static class Recording implements PoolObserver {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @Override
        public void members(List<Member> members) {
            seen.add("members " + members.stream().map(m -> m.backend().host() + "=" + m.health() + "/"
                    + m.inFlight()).collect(Collectors.joining(",")));
        }

        @Override
        public void finished(Member member, Result result, long latencyNanos) {
            seen.add(member.backend().host() + " " + result + " " + latencyNanos);
        }

        @Override
        public void noBackend() {
            seen.add("none");
        }

        @Override
        public void onEvent(LoadBalancerEvent event) {
            if (event instanceof LoadBalancerEvent.HealthChanged) {
                LoadBalancerEvent.HealthChanged h = (LoadBalancerEvent.HealthChanged) event;
                seen.add(h.backend().host() + " " + h.to() + " " + h.cause());
            }
        }
    }

    private LoadBalancer.Builder pool(String... hosts) {
        return LoadBalancer.builder("obs").backends(backends(hosts)).ticker(ticker).random(new SplittableRandom(1));
    }

    @Test
    void anObserverSeesMembersThenEveryFinishedSelectionWithItsLatencyOnTheTicker() {
        LoadBalancer lb = pool("a", "b").build(); // round robin: the pool itself times nothing
        Selection before = lb.select(RequestContext.ofPinned("a:80"));
        Recording r = new Recording();
        PoolObserver.Registration reg = PoolInternals.observe(lb, r);
        assertThat(r.seen).containsExactly("members a=HEALTHY/1,b=HEALTHY/0");

        before.success(); // opened before the observation: not timed
        Selection s = lb.select(RequestContext.ofPinned("b:80"));
        ticker.advanceMillis(7);
        s.failure(new IOException("boom"));
        Selection i = lb.select(RequestContext.ofPinned("a:80"));
        ticker.advanceMillis(2);
        i.ignore();
        lb.select(RequestContext.ofPinned("a:80")).close();
        // b's first selection is timed; a's second is not (one in 16 per backend, counting from the first).
        assertThat(r.seen.subList(1, r.seen.size())).containsExactly("a SUCCESS -1", "b FAILURE 7000000",
                "a IGNORED -1", "a CLOSED -1");

        reg.cancel();
        lb.select().success();
        assertThat(r.seen).hasSize(5);
    }

    @Test
    void onAStrategyThatTimesNothingOneSelectionInSixteenPerBackendIsTimedForObservers() {
        LoadBalancer lb = pool("a").build();
        assertThat(PoolInternals.observedTimingWeight(lb)).isEqualTo(16);
        Recording r = new Recording();
        PoolInternals.observe(lb, r);
        for (int i = 0; i < 40; i++) {
            Selection s = lb.select();
            ticker.advanceMillis(1);
            s.success();
        }
        List<String> finished = r.seen.subList(1, r.seen.size());
        assertThat(finished).hasSize(40);
        for (int i = 0; i < 40; i++) {
            assertThat(finished.get(i)).as("selection %d", i)
                    .isEqualTo(i % 16 == 0 ? "a SUCCESS 1000000" : "a SUCCESS -1");
        }
    }

    @Test
    void aStrategyThatTimesItsCallsGivesObserversEveryLatency() {
        LoadBalancer lb = pool("a").strategy(Strategy.peakEwma()).build();
        assertThat(PoolInternals.observedTimingWeight(lb)).isEqualTo(1);
        Recording r = new Recording();
        PoolInternals.observe(lb, r);
        for (int i = 0; i < 20; i++) {
            Selection s = lb.select();
            ticker.advanceMillis(1);
            s.success();
        }
        assertThat(r.seen.subList(1, r.seen.size())).hasSize(20).containsOnly("a SUCCESS 1000000");
    }

    @Test
    void membershipChangesAndSelectsThatFindNothingReachTheObserverInOrder() {
        LoadBalancer lb = pool("a", "b").build();
        Recording r = new Recording();
        PoolInternals.observe(lb, r);
        Selection open = lb.select(RequestContext.ofPinned("a:80"));
        lb.updateBackends(backends("b", "c"));
        assertThatThrownBy(() -> lb.select(RequestContext.ofPinned("a:80")))
                .isInstanceOf(NoBackendAvailableException.class);
        open.success();
        lb.updateBackends(List.of());
        assertThatThrownBy(lb::select).isInstanceOf(NoBackendAvailableException.class);
        assertThat(r.seen).containsExactly("members a=HEALTHY/0,b=HEALTHY/0", "a DRAINING REMOVED",
                "members b=HEALTHY/0,c=HEALTHY/0", "none", "a SUCCESS 0", "members ", "none");
    }

    @Test
    void twoObserversBothSeeEverything() {
        LoadBalancer lb = pool("a").build();
        Recording r1 = new Recording();
        Recording r2 = new Recording();
        PoolInternals.observe(lb, r1);
        PoolInternals.observe(lb, r2);
        lb.select().success();
        assertThat(r1.seen).containsExactly("members a=HEALTHY/0", "members a=HEALTHY/0", "a SUCCESS 0");
        assertThat(r2.seen).containsExactly("members a=HEALTHY/0", "a SUCCESS 0");
    }

    @Test
    void everyHealthChangeNamesItsTypedCause() {
        OutlierDetection od = OutlierDetection.builder().consecutiveFailures(100).slidingWindowSize(10)
                .minimumCalls(10).failureRateThreshold(50).halfOpenCalls(2).build();
        LoadBalancer lb = pool("a", "b", "c", "d").outlierDetection(od).build();
        Recording r = new Recording();
        PoolInternals.observe(lb, r);
        // The breaker starts with a window of successes: failing every other call reaches 50% on the 5th failure.
        for (int k = 0; k < 4; k++) {
            lb.select(RequestContext.ofPinned("a:80")).failure(new IOException("boom"));
            lb.select(RequestContext.ofPinned("a:80")).success();
        }
        lb.select(RequestContext.ofPinned("a:80")).failure(new IOException("boom"));
        assertThat(OutlierDetectionTest.stats(lb, "a").health()).isEqualTo(BackendHealth.EJECTED);
        ticker.advance(Duration.ofSeconds(31));
        lb.select(RequestContext.ofPinned("b:80")).success(); // a pick after the deadline ends the ejection
        lb.select(RequestContext.ofPinned("a:80")).failure(new IOException("boom"));
        lb.select(RequestContext.ofPinned("a:80")).failure(new IOException("boom"));
        assertThat(r.seen.stream().filter(x -> x.matches("a (EJECTED|HEALTHY|UNHEALTHY|DRAINING) .*"))
                .collect(Collectors.toList()))
                .containsExactly("a EJECTED FAILURE_RATE", "a HEALTHY EJECTION_ENDED", "a EJECTED FAILED_PROBES");

        LoadBalancer consecutive = pool("a", "b").build();
        HealthFixtures.Recorder events = new HealthFixtures.Recorder();
        PoolInternals.observe(consecutive, new Recording() {
            @Override
            public void onEvent(LoadBalancerEvent event) {
                events.onEvent(event);
            }
        });
        OutlierDetectionTest.fail(consecutive, "a", 5);
        assertThat(events.lastHealth().cause()).isEqualTo(Cause.CONSECUTIVE_FAILURES);
        assertThat(events.lastHealth().reason()).startsWith("5 failures in a row");
    }

    @Test
    void anEventBuiltWithoutACauseSaysUnspecified() {
        LoadBalancerEvent.HealthChanged h = new LoadBalancerEvent.HealthChanged("p", Backend.of("a", 80),
                BackendHealth.HEALTHY, BackendHealth.EJECTED, "why", 1L);
        assertThat(h.cause()).isEqualTo(Cause.UNSPECIFIED);
        assertThatThrownBy(() -> new LoadBalancerEvent.HealthChanged("p", Backend.of("a", 80), BackendHealth.HEALTHY,
                BackendHealth.EJECTED, "why", 1L, null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("cause");
    }

    @Test
    void healthCountsAndPanicAreReadWithoutTheLock() {
        LoadBalancer lb = pool("a", "b", "c", "d").panicThreshold(50).build();
        Selection open = lb.select(RequestContext.ofPinned("d:80"));
        OutlierDetectionTest.fail(lb, "a", 5);
        lb.updateBackends(backends("a", "b", "c"));
        int[] counts = PoolInternals.healthCounts(lb);
        assertThat(counts[BackendHealth.HEALTHY.ordinal()]).isEqualTo(2);
        assertThat(counts[BackendHealth.EJECTED.ordinal()]).isEqualTo(1);
        assertThat(counts[BackendHealth.DRAINING.ordinal()]).isEqualTo(1);
        assertThat(PoolInternals.inPanic(lb)).isFalse();
        open.success();
        assertThat(PoolInternals.healthCounts(lb)[BackendHealth.DRAINING.ordinal()]).isZero();
    }
}

package io.github.lb4j.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.BackendHealth;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.LoadBalancerEvent;
import io.github.lb4j.core.LoadBalancerEvent.HealthChanged.Cause;
import io.github.lb4j.core.NoBackendAvailableException;
import io.github.lb4j.core.OutlierDetection;
import io.github.lb4j.core.RequestContext;
import io.github.lb4j.core.Selection;
import io.github.lb4j.core.Strategy;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LoadBalancerMetricsTest {

    private final TestTicker ticker = new TestTicker();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<LoadBalancer> pools = new ArrayList<>();

    @AfterEach
    void closePools() {
        pools.forEach(LoadBalancer::close);
        registry.close();
    }

    private LoadBalancer pool(String name, String... hosts) {
        return pool(LoadBalancer.builder(name).backends(backends(hosts)));
    }

    private LoadBalancer pool(LoadBalancer.Builder b) {
        LoadBalancer lb = b.ticker(ticker).random(new SplittableRandom(7)).build();
        pools.add(lb);
        return lb;
    }

    private static List<Backend> backends(String... hosts) {
        List<Backend> out = new ArrayList<>();
        for (String h : hosts) {
            out.add(Backend.of(h, 80));
        }
        return out;
    }

    private static RequestContext on(String host) {
        return RequestContext.ofPinned(host + ":80");
    }

    private FunctionTimer timer(String pool, String host, String outcome) {
        return registry.get(LoadBalancerMetrics.REQUESTS)
                .tags("pool", pool, "backend", host + ":80", "outcome", outcome).functionTimer();
    }

    private double gauge(String name, String... tags) {
        return registry.get(name).tags(tags).gauge().value();
    }

    private double counter(String name, String... tags) {
        return registry.get(name).tags(tags).counter().count();
    }

    private double health(String pool, String host, BackendHealth state) {
        return gauge(LoadBalancerMetrics.HEALTH, "pool", pool, "backend", host + ":80", "state",
                state.name().toLowerCase(java.util.Locale.ROOT));
    }

    /** The backend tags of every meter of the registry. */
    private Set<String> backendTags() {
        Set<String> out = new TreeSet<>();
        for (Meter m : registry.getMeters()) {
            String b = m.getId().getTag("backend");
            if (b != null) {
                out.add(b);
            }
        }
        return out;
    }

    @Test
    void everyOutcomeIsTimedByBackendOnThePoolsTickerAndInFlightFollowsOpenSelections() {
        LoadBalancer lb = pool("orders", "a", "b"); // round robin: the pool alone would time nothing
        new LoadBalancerMetrics(lb).bindTo(registry);

        Selection s1 = lb.select(on("a"));
        Selection s2 = lb.select(on("a"));
        Selection s3 = lb.select(on("b"));
        assertThat(gauge(LoadBalancerMetrics.IN_FLIGHT, "pool", "orders", "backend", "a:80")).isEqualTo(2.0);
        assertThat(gauge(LoadBalancerMetrics.IN_FLIGHT, "pool", "orders", "backend", "b:80")).isEqualTo(1.0);
        ticker.advanceMillis(10);
        s1.success();
        ticker.advanceMillis(20);
        s2.failure(new IOException("refused"));
        s3.ignore();
        lb.select(on("b")).close(); // no outcome: not timed
        s1.failure(new IOException("late")); // a second outcome counts nothing

        // Round robin times one selection in 16 per backend (the first, the 17th...), each standing for 16.
        assertThat(timer("orders", "a", "success").count()).isEqualTo(1);
        assertThat(timer("orders", "a", "success").totalTime(TimeUnit.MILLISECONDS)).isEqualTo(16 * 10.0);
        assertThat(timer("orders", "a", "failure").count()).as("counted, not sampled").isEqualTo(1);
        assertThat(timer("orders", "a", "failure").totalTime(TimeUnit.MILLISECONDS)).isZero();
        assertThat(timer("orders", "a", "ignored").count()).isZero();
        assertThat(timer("orders", "b", "ignored").count()).isEqualTo(1);
        assertThat(timer("orders", "b", "ignored").totalTime(TimeUnit.MILLISECONDS)).isEqualTo(16 * 30.0);
        assertThat(timer("orders", "b", "success").count()).isZero();
        assertThat(timer("orders", "b", "failure").count()).isZero();
        assertThat(gauge(LoadBalancerMetrics.IN_FLIGHT, "pool", "orders", "backend", "a:80")).isZero();
        assertThat(gauge(LoadBalancerMetrics.IN_FLIGHT, "pool", "orders", "backend", "b:80")).isZero();
        assertThat(health("orders", "a", BackendHealth.HEALTHY)).isEqualTo(1.0);
        assertThat(health("orders", "a", BackendHealth.EJECTED)).isZero();
        assertThat(gauge(LoadBalancerMetrics.POOL_BACKENDS, "pool", "orders", "state", "healthy")).isEqualTo(2.0);
        assertThat(gauge(LoadBalancerMetrics.PANIC, "pool", "orders")).isZero();
        assertThat(counter(LoadBalancerMetrics.NO_BACKEND, "pool", "orders")).isZero();
    }

    /**
     * Successes are read from the pool's own count (no work per success on the request path): from where it stood
     * at binding, never above the true count while other threads complete selections, never going down.
     */
    @Test
    void successesCountFromTheBindingAndNeverRunAheadOrBackWhileCompletionsRace() throws Exception {
        LoadBalancer lb = pool("racing", "a");
        for (int i = 0; i < 5; i++) {
            lb.select().success();
        }
        lb.select().failure(new IOException("before"));
        new LoadBalancerMetrics(lb).bindTo(registry);
        assertThat(timer("racing", "a", "success").count()).as("before the binding: not counted").isZero();
        lb.select().success();
        lb.select().success();
        assertThat(timer("racing", "a", "success").count()).isEqualTo(2);

        int threads = 2;
        int each = 20_000;
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int parity = t;
            workers.add(new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    Selection s = lb.select();
                    if ((i & 1) == parity) {
                        s.success();
                    } else if (i % 3 == 0) {
                        s.failure(new IOException("x"));
                    } else {
                        s.ignore();
                    }
                }
            }));
        }
        workers.forEach(Thread::start);
        double last = 0;
        while (workers.stream().anyMatch(Thread::isAlive)) {
            double now = timer("racing", "a", "success").count();
            assertThat(now).as("never goes down").isGreaterThanOrEqualTo(last);
            assertThat(now).as("never above what can have succeeded").isLessThanOrEqualTo(2 + threads * each / 2);
            last = now;
        }
        for (Thread w : workers) {
            w.join();
        }
        assertThat(timer("racing", "a", "success").count()).isEqualTo(2 + threads * each / 2);
        assertThat(timer("racing", "a", "failure").count() + timer("racing", "a", "ignored").count())
                .isEqualTo(threads * each / 2);
    }

    @Test
    void onAStrategyThatTimesNothingTheTotalIsScaledFromOneSelectionInSixteenAndCountsAreExact() {
        LoadBalancer lb = pool("sampled", "a");
        new LoadBalancerMetrics(lb).bindTo(registry);
        long trueTotal = 0;
        long expected = 0;
        for (int i = 0; i < 160; i++) {
            Selection s = lb.select();
            long millis = 1 + i % 7;
            ticker.advanceMillis(millis);
            s.success();
            trueTotal += millis;
            expected += i % 16 == 0 ? 16 * millis : 0; // selections 0, 16, ..., 144 are timed
        }
        assertThat(timer("sampled", "a", "success").count()).isEqualTo(160);
        assertThat(timer("sampled", "a", "success").totalTime(TimeUnit.MILLISECONDS)).isEqualTo((double) expected);
        assertThat((double) expected / trueTotal).as("this sequence's estimate over the truth").isBetween(0.5, 1.5);
    }

    @Test
    void aStrategyThatTimesCallsHasEveryLatency() {
        LoadBalancer lb = pool(LoadBalancer.builder("ewma2").backends(backends("a")).strategy(Strategy.peakEwma()));
        new LoadBalancerMetrics(lb).bindTo(registry);
        for (int i = 1; i <= 20; i++) {
            Selection s = lb.select();
            ticker.advanceMillis(i);
            s.success();
        }
        assertThat(timer("ewma2", "a", "success").count()).isEqualTo(20);
        assertThat(timer("ewma2", "a", "success").totalTime(TimeUnit.MILLISECONDS)).isEqualTo(210.0);
    }

    @Test
    void aStrategyThatTimesCallsIsTimedTheSameWay() {
        LoadBalancer lb = pool(LoadBalancer.builder("ewma").backends(backends("a")).strategy(Strategy.peakEwma()));
        new LoadBalancerMetrics(lb).bindTo(registry);
        Selection s = lb.select();
        ticker.advanceMillis(4);
        s.success();
        assertThat(timer("ewma", "a", "success").totalTime(TimeUnit.MILLISECONDS)).isEqualTo(4.0);
    }

    @Test
    void failuresInARowEjectABackendCountedByReasonAndSeenInItsHealthAndThePoolsCounts() {
        LoadBalancer lb = pool("od", "a", "b", "c", "d");
        new LoadBalancerMetrics(lb).bindTo(registry);
        for (int i = 0; i < OutlierDetection.DEFAULT_CONSECUTIVE_FAILURES; i++) {
            lb.select(on("a")).failure(new IOException("boom"));
        }
        assertThat(counter(LoadBalancerMetrics.EJECTIONS, "pool", "od", "backend", "a:80", "reason", "consecutive"))
                .isEqualTo(1.0);
        assertThat(counter(LoadBalancerMetrics.EJECTIONS, "pool", "od", "backend", "a:80", "reason", "rate"))
                .isZero();
        assertThat(counter(LoadBalancerMetrics.EJECTIONS, "pool", "od", "backend", "b:80", "reason", "consecutive"))
                .isZero();
        assertThat(health("od", "a", BackendHealth.EJECTED)).isEqualTo(1.0);
        assertThat(health("od", "a", BackendHealth.HEALTHY)).isZero();
        assertThat(gauge(LoadBalancerMetrics.POOL_BACKENDS, "pool", "od", "state", "ejected")).isEqualTo(1.0);
        assertThat(gauge(LoadBalancerMetrics.POOL_BACKENDS, "pool", "od", "state", "healthy")).isEqualTo(3.0);
        assertThat(timer("od", "a", "failure").count()).isEqualTo(5);

        ticker.advance(OutlierDetection.DEFAULT_BASE_EJECTION_TIME.plusSeconds(1));
        lb.select(on("b")).success(); // a pick after the deadline ends the ejection (the fake ticker has no timer)
        assertThat(health("od", "a", BackendHealth.HEALTHY)).isEqualTo(1.0);
        assertThat(health("od", "a", BackendHealth.EJECTED)).isZero();
        assertThat(counter(LoadBalancerMetrics.EJECTIONS, "pool", "od", "backend", "a:80", "reason", "consecutive"))
                .isEqualTo(1.0);
    }

    @Test
    void anOverloadedBackendIsTimedAsOverloadedAndShownInItsStateNotAsAnEjection() {
        LoadBalancer lb = pool("busy", "a", "b");
        new LoadBalancerMetrics(lb).bindTo(registry);
        lb.select(on("a")).overloaded(Duration.ofSeconds(10));
        assertThat(timer("busy", "a", "overloaded").count()).isEqualTo(1);
        assertThat(timer("busy", "a", "failure").count()).isZero();
        assertThat(health("busy", "a", BackendHealth.OVERLOADED)).isEqualTo(1.0);
        assertThat(health("busy", "a", BackendHealth.HEALTHY)).isZero();
        assertThat(gauge(LoadBalancerMetrics.POOL_BACKENDS, "pool", "busy", "state", "overloaded")).isEqualTo(1.0);
        assertThat(registry.get(LoadBalancerMetrics.EJECTIONS).tags("pool", "busy").counters())
                .allSatisfy(c -> assertThat(c.count()).isZero());

        ticker.advance(Duration.ofSeconds(10));
        lb.select(on("b")).success(); // a pick after the deadline ends the window (the fake ticker has no timer)
        assertThat(health("busy", "a", BackendHealth.HEALTHY)).isEqualTo(1.0);
        assertThat(gauge(LoadBalancerMetrics.POOL_BACKENDS, "pool", "busy", "state", "overloaded")).isZero();
    }

    @Test
    void aFailureRateEjectsAsRateAndFailedProbesAfterItAsBreaker() {
        OutlierDetection od = OutlierDetection.builder().consecutiveFailures(100).slidingWindowSize(10)
                .minimumCalls(10).failureRateThreshold(50).halfOpenCalls(2).build();
        LoadBalancer lb = pool(LoadBalancer.builder("rate").backends(backends("a", "b", "c", "d"))
                .outlierDetection(od));
        new LoadBalancerMetrics(lb).bindTo(registry);
        // The breaker starts with a window of successes: failing every other call reaches 50% on the 5th failure.
        for (int k = 0; k < 4; k++) {
            lb.select(on("a")).failure(new IOException("boom"));
            lb.select(on("a")).success();
        }
        lb.select(on("a")).failure(new IOException("boom"));
        assertThat(counter(LoadBalancerMetrics.EJECTIONS, "pool", "rate", "backend", "a:80", "reason", "rate"))
                .isEqualTo(1.0);
        ticker.advance(Duration.ofSeconds(31));
        lb.select(on("b")).success();
        lb.select(on("a")).failure(new IOException("boom"));
        lb.select(on("a")).failure(new IOException("boom"));
        assertThat(counter(LoadBalancerMetrics.EJECTIONS, "pool", "rate", "backend", "a:80", "reason", "breaker"))
                .isEqualTo(1.0);
        assertThat(counter(LoadBalancerMetrics.EJECTIONS, "pool", "rate", "backend", "a:80", "reason", "rate"))
                .isEqualTo(1.0);
        assertThat(counter(LoadBalancerMetrics.EJECTIONS, "pool", "rate", "backend", "a:80", "reason",
                "consecutive")).isZero();
        assertThat(timer("rate", "a", "failure").count()).isEqualTo(7);
        assertThat(timer("rate", "a", "success").count()).isEqualTo(4);
    }

    @Test
    void eachTakingOutMapsToOneReasonAndNothingElseCounts() {
        Backend a = Backend.of("a", 80);
        assertThat(PoolMeters.reason(change(a, BackendHealth.HEALTHY, BackendHealth.UNHEALTHY, Cause.CHECKS_FAILED)))
                .isEqualTo(3);
        assertThat(PoolMeters.reason(change(a, BackendHealth.EJECTED, BackendHealth.UNHEALTHY, Cause.CHECKS_FAILED)))
                .isEqualTo(3);
        assertThat(PoolMeters.reason(change(a, BackendHealth.DRAINING, BackendHealth.UNHEALTHY, Cause.REJOINED)))
                .isEqualTo(-1);
        assertThat(PoolMeters.reason(change(a, BackendHealth.EJECTED, BackendHealth.HEALTHY, Cause.EJECTION_ENDED)))
                .isEqualTo(-1);
        assertThat(PoolMeters.reason(change(a, BackendHealth.HEALTHY, BackendHealth.DRAINING, Cause.REMOVED)))
                .isEqualTo(-1);
        assertThat(PoolMeters.reason(change(a, BackendHealth.HEALTHY, BackendHealth.EJECTED, Cause.UNSPECIFIED)))
                .isEqualTo(-1);
    }

    private static LoadBalancerEvent.HealthChanged change(Backend b, BackendHealth from, BackendHealth to, Cause c) {
        return new LoadBalancerEvent.HealthChanged("p", b, from, to, "test", 1L, c);
    }

    @Test
    void panicModeIsOneWhileFewerThanTheThresholdArePickable() {
        LoadBalancer lb = pool(LoadBalancer.builder("panic").backends(backends("a", "b")).panicThreshold(60)
                .outlierDetection(OutlierDetection.builder().maxEjectionPercent(100).build()));
        new LoadBalancerMetrics(lb).bindTo(registry);
        assertThat(gauge(LoadBalancerMetrics.PANIC, "pool", "panic")).isZero();
        for (int i = 0; i < OutlierDetection.DEFAULT_CONSECUTIVE_FAILURES; i++) {
            lb.select(on("a")).failure(new IOException("boom"));
        }
        assertThat(gauge(LoadBalancerMetrics.PANIC, "pool", "panic")).isEqualTo(1.0);
        assertThat(gauge(LoadBalancerMetrics.POOL_BACKENDS, "pool", "panic", "state", "ejected")).isEqualTo(1.0);
        ticker.advance(OutlierDetection.DEFAULT_BASE_EJECTION_TIME.plusSeconds(1));
        lb.select(on("b")).success();
        assertThat(gauge(LoadBalancerMetrics.PANIC, "pool", "panic")).isZero();
    }

    @Test
    void aBackendThatLeavesHasItsMetersRemovedAndOneThatJoinsGetsThem() {
        LoadBalancer lb = pool("members", "a", "b");
        new LoadBalancerMetrics(lb).bindTo(registry);
        lb.select(on("a")).success();
        assertThat(backendTags()).containsExactly("a:80", "b:80");

        Selection open = lb.select(on("b"));
        lb.updateBackends(backends("a", "c"));
        assertThat(backendTags()).containsExactly("a:80", "c:80");
        assertThat(gauge(LoadBalancerMetrics.POOL_BACKENDS, "pool", "members", "state", "draining")).isEqualTo(1.0);
        assertThat(gauge(LoadBalancerMetrics.POOL_BACKENDS, "pool", "members", "state", "healthy")).isEqualTo(2.0);
        open.success(); // b drained: its call is not timed on meters that no longer exist
        assertThat(backendTags()).containsExactly("a:80", "c:80");
        assertThat(gauge(LoadBalancerMetrics.POOL_BACKENDS, "pool", "members", "state", "draining")).isZero();

        lb.select(on("c")).success();
        assertThat(timer("members", "c", "success").count()).isEqualTo(1);
        assertThat(timer("members", "a", "success").count()).isEqualTo(1); // a's meters survived the change

        lb.updateBackends(backends("b"));
        assertThat(backendTags()).containsExactly("b:80");
        lb.select(on("b")).success();
        assertThat(timer("members", "b", "success").count()).isEqualTo(1); // fresh meters for the new member
        assertThat(health("members", "b", BackendHealth.HEALTHY)).isEqualTo(1.0);
    }

    @Test
    void selectsThatFindNothingAreCounted() {
        LoadBalancer lb = pool("empty", "a");
        new LoadBalancerMetrics(lb).bindTo(registry);
        assertThatThrownBy(() -> lb.select(RequestContext.ofPinned("zz:80")))
                .isInstanceOf(NoBackendAvailableException.class);
        lb.updateBackends(List.of());
        assertThatThrownBy(lb::select).isInstanceOf(NoBackendAvailableException.class);
        assertThatThrownBy(lb::pick).isInstanceOf(NoBackendAvailableException.class);
        assertThat(counter(LoadBalancerMetrics.NO_BACKEND, "pool", "empty")).isEqualTo(3.0);
        assertThat(backendTags()).isEmpty();
        assertThat(gauge(LoadBalancerMetrics.POOL_BACKENDS, "pool", "empty", "state", "healthy")).isZero();
    }

    @Test
    void commonTagsAreOnEveryMeterAndTwoPoolsKeepTheirOwn() {
        LoadBalancer orders = pool("orders", "a");
        LoadBalancer users = pool("users", "a");
        new LoadBalancerMetrics(orders, Tags.of("app", "shop")).bindTo(registry);
        new LoadBalancerMetrics(users, Tags.of("app", "shop")).bindTo(registry);
        orders.select().success();
        orders.select().success();
        users.select().success();
        assertThat(timer("orders", "a", "success").count()).isEqualTo(2);
        assertThat(timer("users", "a", "success").count()).isEqualTo(1);
        for (Meter m : registry.getMeters()) {
            assertThat(m.getId().getTag("app")).as(m.getId().toString()).isEqualTo("shop");
            assertThat(m.getId().getTag("pool")).as(m.getId().toString()).isIn("orders", "users");
        }
        // 7 pool-wide meters (no backend, panic, 5 states) and 14 per backend (4 timers, in flight, 5 health, 4
        // ejection reasons), per pool.
        assertThat(registry.getMeters()).hasSize(2 * (7 + 14));
    }

    @Test
    void closeRemovesEveryMeterAndStopsCounting() {
        LoadBalancer lb = pool("closing", "a");
        SimpleMeterRegistry other = new SimpleMeterRegistry();
        LoadBalancerMetrics metrics = new LoadBalancerMetrics(lb);
        metrics.bindTo(registry);
        metrics.bindTo(other);
        lb.select().success();
        assertThat(other.get(LoadBalancerMetrics.REQUESTS).tags("outcome", "success").functionTimer().count()).isEqualTo(1);
        assertThat(timer("closing", "a", "success").count()).isEqualTo(1);
        metrics.close();
        assertThat(registry.getMeters()).isEmpty();
        assertThat(other.getMeters()).isEmpty();
        lb.select().success();
        assertThat(registry.getMeters()).isEmpty();
        assertThatThrownBy(() -> metrics.bindTo(registry)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closing");
    }

    @Test
    void badInputIsRefusedNamingIt() {
        LoadBalancer lb = pool("bad", "a");
        assertThatThrownBy(() -> new LoadBalancerMetrics(lb, Tags.of(Tag.of("backend", "x"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'backend'");
        assertThatThrownBy(() -> new LoadBalancerMetrics(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("pool");
        assertThatThrownBy(() -> new LoadBalancerMetrics(lb).bindTo(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("registry");
        lb.close();
        assertThatThrownBy(() -> new LoadBalancerMetrics(lb).bindTo(registry))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
}

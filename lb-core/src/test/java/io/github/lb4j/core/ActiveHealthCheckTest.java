package io.github.lb4j.core;

import static io.github.lb4j.core.HealthFixtures.backends;
import static io.github.lb4j.core.OutlierDetectionTest.picks;
import static io.github.lb4j.core.OutlierDetectionTest.stats;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ActiveHealthCheckTest {

    private final ManualClock clock = new ManualClock();
    private final HealthFixtures.Recorder events = new HealthFixtures.Recorder();

    /** A checker whose verdict per host the test sets; records when each host was checked. */
    static final class Script implements HealthChecker {
        final Map<String, Boolean> healthy = new ConcurrentHashMap<>();
        final Map<String, List<Long>> checkedAt = new ConcurrentHashMap<>();
        final ManualClock clock;
        Function<Backend, CompletionStage<HealthCheckResult>> override;

        Script(ManualClock clock) {
            this.clock = clock;
        }

        @Override
        public CompletionStage<HealthCheckResult> check(Backend backend) {
            checkedAt.computeIfAbsent(backend.host(), h -> new ArrayList<>()).add(clock.read());
            if (override != null) {
                return override.apply(backend);
            }
            boolean ok = healthy.getOrDefault(backend.host(), true);
            return CompletableFuture.completedFuture(ok ? HealthCheckResult.healthy()
                    : HealthCheckResult.unhealthy("HTTP 503"));
        }

        int checks(String host) {
            return checkedAt.getOrDefault(host, List.of()).size();
        }
    }

    private LoadBalancer.Builder pool(ActiveHealthCheck check, String... hosts) {
        return LoadBalancer.builder("checks").backends(backends(hosts)).ticker(clock).checkScheduler(clock)
                .random(new SplittableRandom(7)).slowStart(Duration.ZERO).listener(events).listenerExecutor(Runnable::run).healthCheck(check);
    }

    private static ActiveHealthCheck.Builder every10s(HealthChecker checker) {
        return ActiveHealthCheck.builder(checker).interval(Duration.ofSeconds(10)).jitter(Duration.ZERO)
                .timeout(Duration.ofSeconds(2));
    }

    @Test
    void fallAndRiseThresholds() {
        Script script = new Script(clock);
        LoadBalancer lb = pool(every10s(script).build(), "a", "b", "c").build();
        clock.advanceSeconds(10); // every backend's first check, somewhere in the first interval: all pass
        assertThat(script.checks("a")).isEqualTo(1);

        script.healthy.put("a", false);
        clock.advanceSeconds(10);
        clock.advanceSeconds(10);
        assertThat(stats(lb, "a").health()).as("2 failures < fall 3").isEqualTo(BackendHealth.HEALTHY);
        clock.advanceSeconds(10);
        assertThat(stats(lb, "a").health()).isEqualTo(BackendHealth.UNHEALTHY);
        assertThat(stats(lb, "a").lastTransitionReason()).isEqualTo("3 health checks failed in a row; last: HTTP 503");
        assertThat(picks(lb, 100)).containsOnlyKeys("b", "c");

        script.healthy.put("a", true);
        clock.advanceSeconds(10);
        assertThat(stats(lb, "a").health()).as("1 pass < rise 2").isEqualTo(BackendHealth.UNHEALTHY);
        clock.advanceSeconds(10);
        assertThat(stats(lb, "a").health()).isEqualTo(BackendHealth.HEALTHY);
        assertThat(stats(lb, "a").lastTransitionReason()).isEqualTo("2 health checks passed in a row");
        assertThat(events.health()).containsExactly("a:HEALTHY->UNHEALTHY", "a:UNHEALTHY->HEALTHY");
        assertThat(picks(lb, 99)).containsOnlyKeys("a", "b", "c");
        assertThat(script.checks("b")).isEqualTo(6);
    }

    @Test
    void aBackendBackFromFailedChecksStartsWithoutItsOldLatencyEstimate() {
        Script script = new Script(clock);
        // Active checks alone (no passive outlier detection): the return path is the pool's, not passive health's.
        LoadBalancer lb = pool(every10s(script).build(), "a", "b").strategy(Strategy.peakEwma())
                .outlierDetection(OutlierDetection.disabled()).build();
        clock.advanceSeconds(10);
        Selection slow = lb.select(RequestContext.ofPinned("a:80"));
        clock.advance(Duration.ofMillis(900));
        slow.success();
        assertThat(stats(lb, "a").latencyEwmaNanos()).isEqualTo(900e6);

        script.healthy.put("a", false);
        clock.advanceSeconds(30);
        assertThat(stats(lb, "a").health()).isEqualTo(BackendHealth.UNHEALTHY);
        script.healthy.put("a", true);
        clock.advanceSeconds(20);
        assertThat(stats(lb, "a").health()).isEqualTo(BackendHealth.HEALTHY);
        // Back in rotation unmeasured, like a new backend: the 900 ms of before it left say nothing about it now.
        assertThat(stats(lb, "a").latencyEwmaNanos()).isZero();
    }

    @Test
    void trustedBackendsGoOutOnTheirFirstFailedCheck() {
        Script script = new Script(clock);
        script.healthy.put("b", false);
        LoadBalancer lb = pool(every10s(script).build(), "a", "b").build();
        assertThat(picks(lb, 10)).containsOnlyKeys("a", "b");
        clock.advanceSeconds(10);
        assertThat(stats(lb, "b").health()).isEqualTo(BackendHealth.UNHEALTHY);
        assertThat(stats(lb, "b").lastTransitionReason()).isEqualTo("first health check failed: HTTP 503");
    }

    @Test
    void waitingForTheFirstPassKeepsNewBackendsOutUntilThen() {
        Script script = new Script(clock);
        LoadBalancer lb = pool(every10s(script).jitter(Duration.ofSeconds(1)).initiallyHealthy(false).build(),
                "a", "b").build();
        assertThat(lb.stats()).allSatisfy(s -> {
            assertThat(s.health()).isEqualTo(BackendHealth.UNHEALTHY);
            assertThat(s.lastTransitionReason()).isEqualTo("awaiting its first health check");
        });
        // Not panic: backends nobody has checked yet are not picked at all.
        assertThatThrownBy(lb::select).isInstanceOf(NoBackendAvailableException.class);
        script.healthy.put("b", false);
        clock.advanceSeconds(1); // first checks within one jitter
        assertThat(stats(lb, "a").health()).isEqualTo(BackendHealth.HEALTHY);
        assertThat(stats(lb, "a").lastTransitionReason()).isEqualTo("first health check passed");
        assertThat(stats(lb, "b").health()).isEqualTo(BackendHealth.UNHEALTHY);
        assertThat(picks(lb, 10)).containsOnlyKeys("a");
        assertThat(events.of(LoadBalancerEvent.PanicModeChanged.class)).isEmpty();

        // A backend joining later waits too.
        lb.updateBackends(backends("a", "b", "c"));
        assertThat(stats(lb, "c").health()).isEqualTo(BackendHealth.UNHEALTHY);
        clock.advanceSeconds(1);
        assertThat(stats(lb, "c").health()).isEqualTo(BackendHealth.HEALTHY);
    }

    @Test
    void jitterStaysWithinItsBoundsAndSpreadsChecks() {
        Script script = new Script(clock);
        pool(ActiveHealthCheck.builder(script).interval(Duration.ofSeconds(10)).jitter(Duration.ofSeconds(3))
                .build(), "a", "b", "c", "d").build();
        clock.advance(Duration.ofMinutes(30));
        Set<Long> distinct = new java.util.HashSet<>();
        for (List<Long> times : script.checkedAt.values()) {
            for (int i = 1; i < times.size(); i++) {
                long gap = times.get(i) - times.get(i - 1);
                assertThat(gap).isBetween(Duration.ofSeconds(10).toNanos(), Duration.ofSeconds(13).toNanos());
                distinct.add(gap);
            }
        }
        assertThat(distinct).hasSizeGreaterThan(100);
        // First checks spread over the first interval rather than all at once.
        List<Long> firsts = script.checkedAt.values().stream().map(t -> t.get(0)).distinct()
                .collect(Collectors.toList());
        assertThat(firsts).hasSize(4).allSatisfy(t -> assertThat(t).isLessThan(5_000_000_000L + 10_000_000_000L));
    }

    @Test
    void atMostOneCheckInFlightPerBackendAndSlowChecksCountAsFailed() {
        Script script = new Script(clock);
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        List<CompletableFuture<HealthCheckResult>> pending = new ArrayList<>();
        // A stage that ignores cancellation: it stays in flight past its timeout.
        script.override = backend -> {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            CompletableFuture<HealthCheckResult> f = new CompletableFuture<>();
            f.whenComplete((r, e) -> inFlight.decrementAndGet());
            pending.add(f);
            return f.minimalCompletionStage();
        };
        LoadBalancer lb = pool(every10s(script).build(), "a").build();
        clock.advanceSeconds(12); // first check starts and times out
        assertThat(script.checks("a")).isEqualTo(1);
        assertThat(stats(lb, "a").health()).isEqualTo(BackendHealth.UNHEALTHY);
        assertThat(stats(lb, "a").lastTransitionReason()).isEqualTo("first health check failed: timed out after 2s");
        clock.advanceSeconds(60);
        // Still running: no second check was started, and each due check counted as failed.
        assertThat(script.checks("a")).isEqualTo(1);
        assertThat(maxInFlight.get()).isEqualTo(1);
        pending.get(0).complete(HealthCheckResult.healthy()); // late: its verdict no longer counts
        assertThat(stats(lb, "a").health()).isEqualTo(BackendHealth.UNHEALTHY);
        script.override = null;
        clock.advanceSeconds(20);
        assertThat(script.checks("a")).isEqualTo(3);
        assertThat(stats(lb, "a").health()).isEqualTo(BackendHealth.HEALTHY);
        assertThat(maxInFlight.get()).isEqualTo(1);
    }

    @Test
    void cancellableChecksAreCancelledOnTimeout() {
        Script script = new Script(clock);
        List<CompletableFuture<HealthCheckResult>> pending = new ArrayList<>();
        script.override = backend -> {
            CompletableFuture<HealthCheckResult> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        };
        LoadBalancer lb = pool(every10s(script).fall(2).build(), "a", "b").build();
        clock.advanceSeconds(12); // first checks somewhere in the first 10 s, timed out 2 s later
        assertThat(pending).hasSize(2).allSatisfy(f -> assertThat(f).isCancelled());
        clock.advanceSeconds(10);
        // A new check each interval, since the cancelled one left the slot free.
        assertThat(script.checks("a")).isEqualTo(2);
        assertThat(lb.stats()).allSatisfy(s -> assertThat(s.health()).isEqualTo(BackendHealth.UNHEALTHY));
    }

    @Test
    void aCheckerThatThrowsOrReturnsNullIsAFailedCheckAndTheSchedulerCarriesOn() {
        try (HealthFixtures.LogCapture logs = new HealthFixtures.LogCapture()) {
            Script script = new Script(clock);
            Map<String, Integer> calls = new HashMap<>();
            script.override = backend -> {
                int n = calls.merge(backend.host(), 1, Integer::sum);
                if (backend.host().equals("a")) {
                    throw new IllegalStateException("bug in checker");
                }
                if (backend.host().equals("b")) {
                    return null;
                }
                return n == 1 ? CompletableFuture.completedFuture(null)
                        : CompletableFuture.failedFuture(new java.io.IOException("refused?secret=1"));
            };
            LoadBalancer lb = pool(every10s(script).build(), "a", "b", "c").build();
            clock.advanceSeconds(10);
            assertThat(stats(lb, "a").lastTransitionReason())
                    .isEqualTo("first health check failed: checker threw IllegalStateException: bug in checker");
            assertThat(stats(lb, "b").lastTransitionReason())
                    .isEqualTo("first health check failed: checker returned null");
            assertThat(stats(lb, "c").lastTransitionReason())
                    .isEqualTo("first health check failed: checker completed with null");
            clock.advanceSeconds(50);
            // Checks go on for every backend.
            assertThat(calls).containsEntry("a", 6).containsEntry("b", 6).containsEntry("c", 6);
            List<String> warn = logs.lines("checks").stream().filter(l -> l.contains("WARN")
                    && l.contains("health checker")).collect(Collectors.toList());
            assertThat(warn).hasSize(1);
            assertThat(String.join("\n", logs.lines("checks"))).doesNotContain("secret");
        }
    }

    @Test
    void checksThatFailWhileABackendIsOverloadedMarkItUnhealthyAndPassingOnesDoNotEndTheWindow() {
        Script script = new Script(clock);
        LoadBalancer lb = pool(every10s(script).build(), "a", "b").build();
        clock.advanceSeconds(10);
        lb.select(RequestContext.ofPinned("a:80")).overloaded(Duration.ofSeconds(120));
        clock.advanceSeconds(30); // three passed checks: the window the backend asked for still holds
        assertThat(stats(lb, "a").health()).isEqualTo(BackendHealth.OVERLOADED);
        script.healthy.put("a", false);
        clock.advanceSeconds(30); // the third failed check
        assertThat(stats(lb, "a").lastTransitionReason())
                .isEqualTo("3 health checks failed in a row while overloaded; last: HTTP 503");
        assertThat(events.health()).containsExactly("a:HEALTHY->OVERLOADED", "a:OVERLOADED->UNHEALTHY");
    }

    @Test
    void checksOfEjectedBackendsCanMarkThemUnhealthy() {
        Script script = new Script(clock);
        LoadBalancer lb = pool(every10s(script).build(), "a", "b")
                .outlierDetection(OutlierDetection.builder().baseEjectionTime(Duration.ofSeconds(60)).build())
                .build();
        clock.advanceSeconds(10);
        OutlierDetectionTest.fail(lb, "a", 5);
        assertThat(stats(lb, "a").health()).isEqualTo(BackendHealth.EJECTED);
        script.healthy.put("a", false);
        clock.advanceSeconds(20);
        assertThat(stats(lb, "a").health()).isEqualTo(BackendHealth.EJECTED);
        clock.advanceSeconds(10); // the third failed check
        assertThat(stats(lb, "a").health()).isEqualTo(BackendHealth.UNHEALTHY);
        assertThat(stats(lb, "a").lastTransitionReason())
                .isEqualTo("3 health checks failed in a row while ejected; last: HTTP 503");
        script.healthy.put("a", true);
        clock.advanceSeconds(20);
        assertThat(stats(lb, "a").health()).isEqualTo(BackendHealth.HEALTHY);
        // Its breaker was open since the ejection: back through half-open probes.
        assertThat(events.breakers()).containsExactly("a:CLOSED->OPEN", "a:OPEN->HALF_OPEN");
        assertThat(events.health()).containsExactly("a:HEALTHY->EJECTED", "a:EJECTED->UNHEALTHY",
                "a:UNHEALTHY->HEALTHY");
    }

    @Test
    void removedBackendsAreNoLongerChecked() {
        Script script = new Script(clock);
        LoadBalancer lb = pool(every10s(script).build(), "a", "b").build();
        clock.advanceSeconds(10);
        lb.updateBackends(backends("b"));
        clock.advanceSeconds(60);
        assertThat(script.checks("a")).isEqualTo(1);
        assertThat(script.checks("b")).isEqualTo(7);
    }

    @Test
    void closeStopsEverything() {
        Script script = new Script(clock);
        LoadBalancer lb = pool(every10s(script).build(), "a", "b", "c").build();
        clock.advanceSeconds(30);
        int before = script.checkedAt.values().stream().mapToInt(List::size).sum();
        assertThat(clock.pending()).isEqualTo(3);
        lb.close();
        assertThat(clock.pending()).isZero();
        assertThat(clock.releases).isEqualTo(1);
        clock.advance(Duration.ofMinutes(10));
        assertThat(script.checkedAt.values().stream().mapToInt(List::size).sum()).isEqualTo(before);
        lb.close();
        assertThat(clock.releases).isEqualTo(1);
    }

    @Test
    void badSettingsAreRejected() {
        ActiveHealthCheck.Builder b = ActiveHealthCheck.builder(backend -> null);
        assertThatThrownBy(() -> b.interval(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("interval must be positive, got PT0S");
        assertThatThrownBy(() -> b.jitter(Duration.ofMillis(-1))).hasMessage("jitter must not be negative, got PT-0.001S");
        assertThatThrownBy(() -> b.timeout(Duration.ofSeconds(-2))).hasMessageContaining("timeout");
        assertThatThrownBy(() -> b.rise(0)).hasMessage("rise must be positive, got 0");
        assertThatThrownBy(() -> b.fall(-3)).hasMessage("fall must be positive, got -3");
        assertThatThrownBy(() -> ActiveHealthCheck.builder(null)).isInstanceOf(NullPointerException.class);
        ActiveHealthCheck d = ActiveHealthCheck.of(backend -> null);
        assertThat(d.interval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(d.jitter()).isEqualTo(Duration.ofSeconds(1));
        assertThat(d.rise()).isEqualTo(2);
        assertThat(d.fall()).isEqualTo(3);
        assertThat(d.initiallyHealthy()).isTrue();
    }
}

package io.github.lb4j.core;

import static io.github.lb4j.core.HealthFixtures.backends;
import static io.github.lb4j.core.OutlierDetectionTest.fail;
import static io.github.lb4j.core.OutlierDetectionTest.picks;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class HealthEventsTest {

    private final ManualClock clock = new ManualClock();

    @Test
    void eventsAndLogLinesArriveOncePerTransitionInOrder() {
        HealthFixtures.Recorder events = new HealthFixtures.Recorder();
        try (HealthFixtures.LogCapture logs = new HealthFixtures.LogCapture()) {
            LoadBalancer lb = LoadBalancer.builder("ev").backends(backends("a", "b", "c")).ticker(clock)
                    .random(new SplittableRandom(2)).slowStart(Duration.ZERO).listener(events).listenerExecutor(Runnable::run).build();
            List<Selection> late = List.of(lb.select(RequestContext.ofPinned("a:80")),
                    lb.select(RequestContext.ofPinned("a:80")));
            fail(lb, "a", 5);
            // Failures completing after the ejection change nothing more.
            late.forEach(s -> s.failure(new java.io.IOException("late")));
            clock.advanceSeconds(30);
            picks(lb, 30);
            lb.updateBackends(backends("a", "b", "d"));
            lb.updateBackends(backends("a", "b", "d")); // no change, no event

            assertThat(events.events).extracting(HealthEventsTest::describe).containsExactly(
                    "health a HEALTHY->EJECTED: 5 failures in a row; ejected for 30s",
                    "breaker a CLOSED->OPEN",
                    "health a EJECTED->HEALTHY: ejection of 30s ended; the next calls are probes",
                    "breaker a OPEN->HALF_OPEN",
                    "breaker a HALF_OPEN->CLOSED",
                    "membership +[d:80] -[c:80] ~[] = 3");
            long t0 = 5_000_000_000L;
            assertThat(events.events).extracting(LoadBalancerEvent::nanos).containsExactly(t0, t0,
                    t0 + 30_000_000_000L, t0 + 30_000_000_000L, t0 + 30_000_000_000L, t0 + 30_000_000_000L);
            assertThat(events.events).allSatisfy(e -> assertThat(e.poolName()).isEqualTo("ev"));

            List<String> lines = logs.lines("ev");
            assertThat(lines).filteredOn(l -> !l.contains("created")).extracting(HealthEventsTest::levelAndText)
                    .containsExactly(
                            "WARN pool 'ev': backend a:80 ejected: 5 failures in a row; ejected for 30s",
                            "INFO pool 'ev': backend a:80 healthy again (was ejected): ejection of 30s ended; "
                                    + "the next calls are probes",
                            "INFO pool 'ev' membership: 3 backend(s); added [d:80], removed [c:80], changed []");
        }
    }

    @Test
    void aThrowingListenerIsLoggedAndBreaksNothing() {
        HealthFixtures.Recorder events = new HealthFixtures.Recorder();
        try (HealthFixtures.LogCapture logs = new HealthFixtures.LogCapture()) {
            LoadBalancer lb = LoadBalancer.builder("throwing").backends(backends("a", "b")).ticker(clock)
                    .listener(e -> {
                        throw new IllegalStateException("listener bug");
                    })
                    .listener(events).listenerExecutor(Runnable::run).build();
            fail(lb, "a", 5);
            assertThat(events.health()).containsExactly("a:HEALTHY->EJECTED");
            assertThat(picks(lb, 10)).containsOnlyKeys("b");
            lb.updateBackends(backends("a", "b", "c"));
            assertThat(events.of(LoadBalancerEvent.MembershipChanged.class)).hasSize(1);
            assertThat(logs.lines("throwing")).filteredOn(l -> l.contains("listener")).hasSize(3)
                    .allSatisfy(l -> assertThat(l).contains("WARN").contains("the pool carries on"));
        }
    }

    @Test
    void listenersRunOutsideTheLock() throws Exception {
        List<Boolean> otherThreadGotIn = new ArrayList<>();
        LoadBalancer[] holder = new LoadBalancer[1];
        LoadBalancer lb = LoadBalancer.builder("outside").backends(backends("a", "b")).ticker(clock)
                .listener(e -> {
                    // Another thread must be able to update the pool while this listener runs.
                    try {
                        CompletableFuture.runAsync(() -> holder[0].stats()).get(10, TimeUnit.SECONDS);
                        otherThreadGotIn.add(true);
                    } catch (Exception ex) {
                        otherThreadGotIn.add(false);
                    }
                })
                .listenerExecutor(Runnable::run) // the change's own thread: it still holds no lock
                .build();
        holder[0] = lb;
        fail(lb, "a", 5);
        assertThat(otherThreadGotIn).isNotEmpty().containsOnly(true);
    }

    @Test
    void transitionsAreChecked() {
        assertThat(BackendHealth.HEALTHY.canTransitionTo(BackendHealth.EJECTED)).isTrue();
        assertThat(BackendHealth.EJECTED.canTransitionTo(BackendHealth.UNHEALTHY)).isTrue();
        assertThat(BackendHealth.UNHEALTHY.canTransitionTo(BackendHealth.EJECTED)).isFalse();
        assertThat(BackendHealth.DRAINING.canTransitionTo(BackendHealth.EJECTED)).isFalse();
        for (BackendHealth h : BackendHealth.values()) {
            assertThat(h.canTransitionTo(h)).as(h.name()).isFalse();
            assertThat(h == BackendHealth.DRAINING || h.canTransitionTo(BackendHealth.DRAINING)).isTrue();
        }
        BackendState s = new BackendState(null, Backend.of("a", 1));
        s.transition(BackendHealth.UNHEALTHY, 1L, "checks");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.transition(BackendHealth.EJECTED, 2L, "x"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("backend a:1: no transition from UNHEALTHY to EJECTED (x)");
    }

    private static String describe(LoadBalancerEvent e) {
        if (e instanceof LoadBalancerEvent.HealthChanged h) {
            return "health " + h.backend().host() + " " + h.from() + "->" + h.to() + ": " + h.reason();
        }
        if (e instanceof LoadBalancerEvent.CircuitBreakerChanged c) {
            return "breaker " + c.backend().host() + " " + c.from() + "->" + c.to();
        }
        if (e instanceof LoadBalancerEvent.MembershipChanged m) {
            return "membership +" + ids(m.added()) + " -" + ids(m.removed()) + " ~" + ids(m.changed()) + " = "
                    + m.size();
        }
        return e.toString();
    }

    private static List<String> ids(List<Backend> b) {
        return b.stream().map(Backend::id).collect(Collectors.toList());
    }

    /** "[main] WARN io.github.lb4j.core.LoadBalancer - text" to "WARN text". */
    private static String levelAndText(String line) {
        String rest = line.substring(line.indexOf("] ") + 2);
        String level = rest.substring(0, rest.indexOf(' '));
        return level + " " + rest.substring(rest.indexOf(" - ") + 3);
    }
}

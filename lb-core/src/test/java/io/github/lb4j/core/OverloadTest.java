package io.github.lb4j.core;

import static io.github.lb4j.core.HealthFixtures.b;
import static io.github.lb4j.core.HealthFixtures.backends;
import static io.github.lb4j.core.OutlierDetectionTest.fail;
import static io.github.lb4j.core.OutlierDetectionTest.picks;
import static io.github.lb4j.core.OutlierDetectionTest.stats;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lb4j.core.LoadBalancerEvent.HealthChanged.Cause;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Selection#overloaded}: the window, its end, the cap, panic mode and a pool that is all overloaded. */
class OverloadTest {

    private final ManualClock clock = new ManualClock();
    private final HealthFixtures.Recorder events = new HealthFixtures.Recorder();

    private LoadBalancer.Builder pool(String... hosts) {
        return LoadBalancer.builder("busy").backends(backends(hosts)).ticker(clock).random(new SplittableRandom(3))
                .slowStart(Duration.ZERO).listener(events).listenerExecutor(Runnable::run)
                .outlierDetection(OutlierDetection.builder().maxEjectionPercent(100).build());
    }

    private static void overloaded(LoadBalancer lb, String host, Duration retryAfter) {
        lb.select(RequestContext.ofPinned(host + ":80")).overloaded(retryAfter);
    }

    @Test
    void anOverloadedBackendIsNotPickedForItsWindowThenComesBackByItself() {
        LoadBalancer lb = pool("a", "b", "c").build();
        overloaded(lb, "a", Duration.ofSeconds(10));

        assertThat(picks(lb, 300)).containsOnlyKeys("b", "c");
        assertThat(stats(lb, "a").health()).isEqualTo(BackendHealth.OVERLOADED);
        assertThat(stats(lb, "a").lastTransitionReason()).isEqualTo("said it is overloaded; avoided for 10s");
        assertThat(events.lastHealth().cause()).isEqualTo(Cause.RETRY_AFTER);
        assertThatThrownBy(() -> lb.select(RequestContext.ofPinned("a:80")))
                .isInstanceOf(NoBackendAvailableException.class).hasMessageContaining("pinned backend 'a:80'");

        clock.advance(Duration.ofSeconds(10).minusNanos(1));
        assertThat(picks(lb, 300)).containsOnlyKeys("b", "c");
        clock.advance(Duration.ofNanos(1));
        assertThat(picks(lb, 300)).containsOnlyKeys("a", "b", "c").allSatisfy((k, v) -> assertThat(v).isEqualTo(100));
        assertThat(events.health()).containsExactly("a:HEALTHY->OVERLOADED", "a:OVERLOADED->HEALTHY");
        assertThat(events.lastHealth().cause()).isEqualTo(Cause.RETRY_AFTER_ENDED);
    }

    @Test
    void overloadIsNeitherAFailureNorAnEjectionAndALaterAnswerOnlyExtendsTheWindow() {
        LoadBalancer lb = pool("a", "b").build();
        // Ten calls already on their way to a, all answered with an overload: well past 5 failures in a row.
        List<Selection> inFlight = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            inFlight.add(lb.select(RequestContext.ofPinned("a:80")));
        }
        inFlight.get(0).overloaded(Duration.ofSeconds(5));
        inFlight.get(1).overloaded(Duration.ofSeconds(2)); // shorter: does not shorten
        clock.advanceSeconds(1);
        inFlight.get(2).overloaded(Duration.ofSeconds(8)); // ends at 9 s: extends
        inFlight.get(3).overloaded(Duration.ofMillis(8500)); // ends under a second later: not worth a rebuild
        for (Selection s : inFlight.subList(4, 10)) {
            s.overloaded(Duration.ofSeconds(1));
        }
        BackendStats a = stats(lb, "a");
        assertThat(a.failures()).isZero();
        assertThat(a.successes()).isZero();
        assertThat(a.inFlight()).isZero();
        assertThat(events.health()).containsExactly("a:HEALTHY->OVERLOADED");
        assertThat(events.breakers()).isEmpty();

        clock.advanceSeconds(7); // 8 s in: the 5 s window was extended to 9 s
        assertThat(picks(lb, 10)).containsOnlyKeys("b");
        clock.advanceSeconds(1);
        assertThat(picks(lb, 10)).containsOnlyKeys("a", "b");
        assertThat(events.health()).containsExactly("a:HEALTHY->OVERLOADED", "a:OVERLOADED->HEALTHY");
        // Back to normal: real failures still eject it.
        fail(lb, "a", 5);
        assertThat(stats(lb, "a").health()).isEqualTo(BackendHealth.EJECTED);
    }

    @Test
    void aHugeWindowIsCutToTheMaximumAndBadOnesAreRefused() {
        LoadBalancer lb = pool("a", "b").build();
        overloaded(lb, "a", Duration.ofDays(365));
        assertThat(stats(lb, "a").lastTransitionReason()).endsWith("avoided for 300s");
        clock.advance(Selection.MAX_RETRY_AFTER.minusNanos(1));
        assertThat(picks(lb, 10)).containsOnlyKeys("b");
        clock.advance(Duration.ofNanos(1));
        assertThat(picks(lb, 10)).containsOnlyKeys("a", "b");

        Selection s = lb.select(RequestContext.ofPinned("b:80"));
        assertThatThrownBy(() -> s.overloaded(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retryAfter").hasMessageContaining("PT-1S");
        assertThatThrownBy(() -> s.overloaded(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("retryAfter");
        assertThat(s.isDone()).as("a refused report is no outcome").isFalse();
        s.overloaded(Duration.ZERO); // "now": no window at all
        assertThat(stats(lb, "b").health()).isEqualTo(BackendHealth.HEALTHY);
        assertThat(stats(lb, "b").inFlight()).isZero();
    }

    @Test
    void aPoolWhoseEveryBackendIsOverloadedFailsFastSayingWhenTheFirstIsBack() {
        LoadBalancer lb = pool("a", "b").build();
        overloaded(lb, "a", Duration.ofSeconds(7));
        overloaded(lb, "b", Duration.ofSeconds(3));
        clock.advanceSeconds(1);

        assertThatThrownBy(lb::select).isInstanceOfSatisfying(NoBackendAvailableException.class, e -> {
            assertThat(e.poolName()).isEqualTo("busy");
            assertThat(e.retryAfter()).contains(Duration.ofSeconds(2));
            assertThat(e).hasMessage("pool 'busy': no backend available (0 of 2; 2 overloaded); the first"
                    + " overloaded backend is due back in 2s");
        });
        assertThatThrownBy(lb::pick).isInstanceOf(NoBackendAvailableException.class);
        clock.advanceSeconds(2);
        assertThat(picks(lb, 10)).containsOnlyKeys("b");
        // Not overloaded: no retry time.
        LoadBalancer empty = pool().build();
        assertThatThrownBy(empty::select).isInstanceOfSatisfying(NoBackendAvailableException.class,
                e -> assertThat(e.retryAfter()).isEmpty());
    }

    @Test
    void panicModeNeverPicksAnOverloadedBackendWhichCountsNowhereForTheThreshold() {
        LoadBalancer lb = pool("a", "b", "c", "d").build();
        fail(lb, "a", 5);
        fail(lb, "b", 5);
        assertThat(picks(lb, 100)).containsOnlyKeys("c", "d"); // 2 of 4 up: not below 50%
        overloaded(lb, "c", Duration.ofSeconds(60));
        // 1 of the 3 that count (a, b, d) is up: panic over a, b and d, never c.
        assertThat(lb.toString()).contains("3 of 4 available");
        assertThat(picks(lb, 300)).containsOnlyKeys("a", "b", "d");
        assertThat(events.of(LoadBalancerEvent.PanicModeChanged.class)).singleElement()
                .satisfies(p -> assertThat(p.primaries()).isEqualTo(3));
        // An ejected backend picked in panic that says it is overloaded stays ejected (its pause is the ejection).
        lb.select(RequestContext.ofPinned("a:80")).overloaded(Duration.ofSeconds(60));
        assertThat(stats(lb, "a").health()).isEqualTo(BackendHealth.EJECTED);

        clock.advanceSeconds(60); // the ejections (30 s) and c's window have ended
        assertThat(picks(lb, 400)).containsOnlyKeys("a", "b", "c", "d");
        assertThat(events.of(LoadBalancerEvent.PanicModeChanged.class)).last()
                .satisfies(p -> assertThat(p.panic()).isFalse());
    }

    @Test
    void withEveryPrimaryOverloadedTheBackupsServe() {
        List<Backend> members = List.of(b("a"), b("b"), b("spare").asBackup());
        LoadBalancer lb = LoadBalancer.builder("busy").backends(members).ticker(clock).slowStart(Duration.ZERO)
                .build();
        overloaded(lb, "a", Duration.ofSeconds(5));
        overloaded(lb, "b", Duration.ofSeconds(5));
        assertThat(picks(lb, 10)).containsOnlyKeys("spare");
    }

    @Test
    void withTheSchedulerTheWindowEndsWithoutWaitingForAPickAndTheBackendRampsUp() {
        LoadBalancer lb = LoadBalancer.builder("busy").backends(backends("a", "b")).ticker(clock)
                .checkScheduler(clock).slowStart(Duration.ofSeconds(10)).listener(events).listenerExecutor(Runnable::run).build();
        overloaded(lb, "a", Duration.ofMillis(1500));
        assertThat(clock.pending()).isEqualTo(1);
        clock.advance(Duration.ofMillis(1500));
        assertThat(stats(lb, "a").health()).isEqualTo(BackendHealth.HEALTHY);
        assertThat(events.health()).containsExactly("a:HEALTHY->OVERLOADED", "a:OVERLOADED->HEALTHY");
        // Back on a slow-start ramp: far less than half the picks at first.
        assertThat(picks(lb, 200).getOrDefault("a", 0)).isLessThan(40);
    }
}

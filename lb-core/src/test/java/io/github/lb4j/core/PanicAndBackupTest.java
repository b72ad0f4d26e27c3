package io.github.lb4j.core;

import static io.github.lb4j.core.HealthFixtures.b;
import static io.github.lb4j.core.HealthFixtures.backends;
import static io.github.lb4j.core.OutlierDetectionTest.fail;
import static io.github.lb4j.core.OutlierDetectionTest.picks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PanicAndBackupTest {

    private final ManualClock clock = new ManualClock();
    private final HealthFixtures.Recorder events = new HealthFixtures.Recorder();

    private LoadBalancer.Builder pool(List<Backend> backends) {
        return LoadBalancer.builder("panic").backends(backends).ticker(clock).random(new SplittableRandom(3))
                .slowStart(Duration.ZERO).listener(events).listenerExecutor(Runnable::run)
                .outlierDetection(OutlierDetection.builder().maxEjectionPercent(100).build());
    }

    @Test
    void belowTheThresholdPanicSpreadsLoadOverAllPrimariesWithAWarningAndAnEvent() {
        try (HealthFixtures.LogCapture logs = new HealthFixtures.LogCapture()) {
            LoadBalancer lb = pool(backends("a", "b", "c", "d")).build();
            fail(lb, "a", 5);
            fail(lb, "b", 5);
            // 2 of 4 available is not below 50%: only the healthy ones.
            assertThat(picks(lb, 100)).containsOnlyKeys("c", "d");
            fail(lb, "c", 5);
            // 1 of 4: panic, every primary regardless of health, evenly.
            Map<String, Integer> spread = picks(lb, 400);
            assertThat(spread).containsOnlyKeys("a", "b", "c", "d").allSatisfy((k, v) -> assertThat(v).isEqualTo(100));
            assertThat(events.of(LoadBalancerEvent.PanicModeChanged.class)).singleElement()
                    .satisfies(p -> {
                        assertThat(p.panic()).isTrue();
                        assertThat(p.available()).isEqualTo(1);
                        assertThat(p.primaries()).isEqualTo(4);
                    });
            // Calls to ejected backends picked in panic change nothing about their ejection.
            assertThat(events.health()).containsExactly("a:HEALTHY->EJECTED", "b:HEALTHY->EJECTED",
                    "c:HEALTHY->EJECTED");

            clock.advanceSeconds(30);
            assertThat(picks(lb, 400)).allSatisfy((k, v) -> assertThat(v).isEqualTo(100));
            List<LoadBalancerEvent.PanicModeChanged> panics = events.of(LoadBalancerEvent.PanicModeChanged.class);
            assertThat(panics).hasSize(2);
            assertThat(panics.get(1).panic()).isFalse();
            assertThat(panics.get(1).available()).isEqualTo(4);

            List<String> lines = logs.lines("panic");
            assertThat(lines).filteredOn(l -> l.contains("panic mode")).hasSize(2);
            assertThat(lines).filteredOn(l -> l.contains("in panic mode")).singleElement()
                    .satisfies(l -> assertThat(l).contains("WARN").contains("1 of 4 primary backends available"));
            assertThat(lines).filteredOn(l -> l.contains("left panic mode")).singleElement()
                    .satisfies(l -> assertThat(l).contains("INFO"));
        }
    }

    @Test
    void panicThresholdZeroFailsFastInstead() {
        LoadBalancer lb = pool(backends("a", "b", "c", "d")).panicThreshold(0).build();
        fail(lb, "a", 5);
        fail(lb, "b", 5);
        fail(lb, "c", 5);
        assertThat(picks(lb, 50)).containsOnlyKeys("d");
        fail(lb, "d", 5);
        assertThatThrownBy(lb::select).isInstanceOf(NoBackendAvailableException.class)
                .hasMessage("pool 'panic': no backend available (0 of 4; 4 ejected)");
        assertThat(events.of(LoadBalancerEvent.PanicModeChanged.class)).isEmpty();
    }

    @Test
    void panicAppliesAtTheConfiguredShare() {
        LoadBalancer lb = pool(backends("a", "b", "c", "d")).panicThreshold(75).build();
        fail(lb, "a", 5);
        assertThat(picks(lb, 30)).containsOnlyKeys("b", "c", "d");
        fail(lb, "b", 5);
        assertThat(((DefaultLoadBalancer) lb).inPanic()).isTrue();
        assertThat(picks(lb, 40)).containsOnlyKeys("a", "b", "c", "d");
    }

    @Test
    void backupsTakeTrafficOnlyWhenNoPrimaryIsAvailable() {
        LoadBalancer lb = pool(List.of(b("a"), b("b"), b("z").asBackup())).build();
        assertThat(picks(lb, 200)).containsOnlyKeys("a", "b");
        fail(lb, "a", 5);
        // One of two primaries is not below 50%: still primaries only.
        assertThat(picks(lb, 100)).containsOnlyKeys("b");
        fail(lb, "b", 5);
        assertThat(picks(lb, 100)).containsOnlyKeys("z");
        assertThat(events.of(LoadBalancerEvent.PanicModeChanged.class)).isEmpty();
        // The first primary back takes over again.
        clock.advanceSeconds(30);
        assertThat(picks(lb, 100)).containsOnlyKeys("a", "b");
    }

    @Test
    void withNoHealthyBackupPanicUsesThePrimaries() {
        LoadBalancer lb = pool(List.of(b("a"), b("b"), b("z").asBackup())).build();
        fail(lb, "a", 5);
        fail(lb, "b", 5);
        assertThat(picks(lb, 10)).containsOnlyKeys("z");
        // z was never picked before the primaries went out, so make it fail now: 3 of 3 ejected is allowed here.
        fail(lb, "z", 5);
        assertThat(picks(lb, 100)).containsOnlyKeys("a", "b");
        assertThat(((DefaultLoadBalancer) lb).inPanic()).isTrue();
    }

    @Test
    void badThresholdIsRejected() {
        LoadBalancer.Builder b = LoadBalancer.builder("x");
        assertThatThrownBy(() -> b.panicThreshold(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("panicThreshold must be between 0 and 100 (percent), got -1");
        assertThatThrownBy(() -> b.panicThreshold(101)).hasMessageContaining("got 101");
    }
}

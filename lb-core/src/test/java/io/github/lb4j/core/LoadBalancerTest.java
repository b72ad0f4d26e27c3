package io.github.lb4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class LoadBalancerTest {

    static final Backend A = Backend.of("10.0.0.1", 8080);
    static final Backend B = Backend.of("10.0.0.2", 8080);
    static final Backend C = Backend.of("10.0.0.3", 8080);

    static Map<String, BackendStats> statsById(LoadBalancer lb) {
        return lb.stats().stream().collect(Collectors.toMap(s -> s.backend().id(), Function.identity()));
    }

    @Test
    void quickStartCompilesAndRuns() {
        LoadBalancer orders = LoadBalancer.builder("orders")
                .backends(List.of(
                        Backend.of("10.0.0.1", 8080),
                        Backend.of("10.0.0.2", 8080).withWeight(3)))
                .strategy(Strategy.leastRequests())
                .build();

        try (Selection selection = orders.select()) {
            Backend backend = selection.backend();
            assertThat(backend.host()).startsWith("10.0.0.");
            selection.success();
        }

        orders.updateBackends(List.of(Backend.of("10.0.0.3", 8080)));
        for (BackendStats s : orders.stats()) {
            assertThat(s.backend().id()).isEqualTo("10.0.0.3:8080");
            assertThat(s.inFlight()).isZero();
            assertThat(s.requests()).isZero();
            assertThat(s.failures()).isZero();
        }
        orders.close();
    }

    @Test
    void selectionHoldsInFlightUntilFirstOutcome() {
        LoadBalancer lb = LoadBalancer.builder("p").backends(List.of(A)).build();
        Selection s = lb.select();
        assertThat(statsById(lb).get(A.id()).inFlight()).isEqualTo(1);
        s.success();
        s.failure(new IOException("late"));
        s.close();
        s.ignore();
        BackendStats st = statsById(lb).get(A.id());
        assertThat(st.inFlight()).isZero();
        assertThat(st.requests()).isEqualTo(1);
        assertThat(st.successes()).isEqualTo(1);
        assertThat(st.failures()).isZero();
    }

    @Test
    void outcomesAreCounted() {
        LoadBalancer lb = LoadBalancer.builder("p").backends(List.of(A)).build();
        lb.select().success();
        lb.select().failure(new IOException("boom"));
        lb.select().ignore();
        lb.select().close();
        Selection open = lb.select();
        BackendStats st = statsById(lb).get(A.id());
        assertThat(st.requests()).isEqualTo(5);
        assertThat(st.successes()).isEqualTo(1);
        assertThat(st.failures()).isEqualTo(1);
        assertThat(st.inFlight()).isEqualTo(1);
        open.close();
        assertThat(statsById(lb).get(A.id()).inFlight()).isZero();
    }

    @Test
    void failureRequiresCause() {
        LoadBalancer lb = LoadBalancer.builder("p").backends(List.of(A)).build();
        Selection s = lb.select();
        assertThatThrownBy(() -> s.failure(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("cause");
        s.close();
    }

    @Test
    void emptyPoolThrowsNamedException() {
        LoadBalancer lb = LoadBalancer.builder("orders").build();
        assertThatThrownBy(lb::select).isInstanceOf(NoBackendAvailableException.class)
                .hasMessage("pool 'orders': no backend available (0 of 0)");
    }

    @Test
    void noBackendMessageCountsDraining() {
        LoadBalancer lb = LoadBalancer.builder("orders").backends(List.of(A, B)).build();
        Selection a = lb.select(RequestContext.ofPinned(A.id()));
        lb.updateBackends(List.of());
        assertThatThrownBy(lb::select).isInstanceOf(NoBackendAvailableException.class)
                .hasMessage("pool 'orders': no backend available (0 of 1; 1 draining)")
                .satisfies(e -> assertThat(((NoBackendAvailableException) e).poolName()).isEqualTo("orders"));
        assertThat(lb.stats()).extracting(BackendStats::health).containsExactly(BackendHealth.DRAINING);
        a.success();
        assertThat(lb.stats()).isEmpty();
    }

    @Test
    void stateOfKeptBackendsSurvivesUpdate() {
        LoadBalancer lb = LoadBalancer.builder("p").backends(List.of(A, B))
                .strategy(Strategy.roundRobin()).build();
        for (int i = 0; i < 10; i++) {
            lb.select().success();
        }
        Selection held = lb.select(RequestContext.ofPinned(A.id()));
        long before = statsById(lb).get(A.id()).requests();
        lb.updateBackends(List.of(A.withWeight(4), C));
        BackendStats a = statsById(lb).get(A.id());
        assertThat(a.requests()).isEqualTo(before);
        assertThat(a.inFlight()).isEqualTo(1);
        assertThat(a.backend().weight()).isEqualTo(4);
        assertThat(statsById(lb).get(C.id()).requests()).isZero();
        assertThat(lb.backends()).containsExactly(A.withWeight(4), C);
        held.success();
        assertThat(statsById(lb).get(A.id()).inFlight()).isZero();
    }

    @Test
    void noOpUpdateKeepsSnapshot() {
        DefaultLoadBalancer lb = (DefaultLoadBalancer) LoadBalancer.builder("p").backends(List.of(A, B)).build();
        Snapshot before = lb.snapshot();
        lb.updateBackends(List.of(A, B));
        assertThat(lb.snapshot()).isSameAs(before);
        lb.updateBackends(List.of(A, B.withWeight(2)));
        assertThat(lb.snapshot()).isNotSameAs(before);
    }

    @Test
    void removedBackendIsNeverPickedAgain() {
        LoadBalancer lb = LoadBalancer.builder("p").backends(List.of(A, B, C)).build();
        lb.updateBackends(List.of(A, C));
        for (int i = 0; i < 100; i++) {
            try (Selection s = lb.select()) {
                assertThat(s.backend()).isNotEqualTo(B);
            }
        }
    }

    @Test
    void drainingBackendRejoinsWithItsState() {
        LoadBalancer lb = LoadBalancer.builder("p").backends(List.of(A, B)).build();
        Selection held = lb.select(RequestContext.ofPinned(B.id()));
        lb.updateBackends(List.of(A));
        lb.updateBackends(List.of(A, B));
        BackendStats b = statsById(lb).get(B.id());
        assertThat(b.health()).isEqualTo(BackendHealth.HEALTHY);
        assertThat(b.inFlight()).isEqualTo(1);
        held.success();
        assertThat(statsById(lb).get(B.id()).successes()).isEqualTo(1);
    }

    @Test
    void exclusionsAreHonouredWhileOthersAreAvailable() {
        for (Strategy strategy : StrategyCases.all()) {
            LoadBalancer lb = LoadBalancer.builder("p").backends(List.of(A, B, C)).strategy(strategy)
                    .random(new SplittableRandom(1)).build();
            RequestContext ctx = RequestContext.ofHashKey("k").excluding(List.of(A.id(), B.id()));
            for (int i = 0; i < 50; i++) {
                try (Selection s = lb.select(ctx)) {
                    assertThat(s.backend()).as(strategy.name()).isEqualTo(C);
                }
            }
            RequestContext all = RequestContext.empty().excluding(List.of(A.id(), B.id(), C.id()));
            try (Selection s = lb.select(all)) {
                assertThat(s.backend()).as(strategy.name()).isIn(A, B, C);
            }
        }
    }

    @Test
    void pinnedPicksThatBackendOrFails() {
        LoadBalancer lb = LoadBalancer.builder("p").backends(List.of(A, B)).build();
        try (Selection s = lb.select(RequestContext.ofPinned(B.id()))) {
            assertThat(s.backend()).isEqualTo(B);
        }
        assertThatThrownBy(() -> lb.select(RequestContext.ofPinned("nope:1")))
                .isInstanceOf(NoBackendAvailableException.class)
                .hasMessageContaining("pinned backend 'nope:1' is not available");
    }

    @Test
    void closedPoolRejectsSelectAndUpdate() {
        LoadBalancer lb = LoadBalancer.builder("orders").backends(List.of(A)).build();
        Selection held = lb.select();
        lb.close();
        lb.close();
        assertThatThrownBy(lb::select).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("pool 'orders' is closed");
        assertThatThrownBy(() -> lb.updateBackends(List.of(B))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        held.success(); // completing after close is harmless
    }

    @Test
    void badInputIsRejectedWithTheFieldAndValue() {
        assertThatThrownBy(() -> LoadBalancer.builder(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pool name").hasMessageContaining("' '");
        assertThatThrownBy(() -> LoadBalancer.builder(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("name");
        assertThatThrownBy(() -> LoadBalancer.builder("p").strategy(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("strategy");
        assertThatThrownBy(() -> LoadBalancer.builder("p").backends(List.of(A, A.withWeight(2))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'10.0.0.1:8080' twice");
        List<Backend> withNull = new ArrayList<>();
        withNull.add(A);
        withNull.add(null);
        assertThatThrownBy(() -> LoadBalancer.builder("p").backends(withNull))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("backends[1]");
        LoadBalancer lb = LoadBalancer.builder("p").build();
        assertThatThrownBy(() -> lb.updateBackends(List.of(B, B)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
        assertThatThrownBy(() -> Strategy.ringHash().withBoundedLoad(1.0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1.0");
        assertThatThrownBy(() -> Strategy.maglev().withBoundedLoad(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
        assertThatThrownBy(() -> Strategy.peakEwma(java.time.Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("decay");
    }

    @Test
    void latencyIsMeasuredOnTheInjectedTicker() {
        FakeTicker ticker = new FakeTicker();
        LoadBalancer lb = LoadBalancer.builder("p").backends(List.of(A)).strategy(Strategy.peakEwma())
                .ticker(ticker).build();
        Selection s = lb.select();
        ticker.advanceMillis(40);
        s.success();
        assertThat(statsById(lb).get(A.id()).latencyEwmaNanos()).isEqualTo(40_000_000.0);
    }
}

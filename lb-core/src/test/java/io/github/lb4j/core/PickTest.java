package io.github.lb4j.core;

import static io.github.lb4j.core.HealthFixtures.b;
import static io.github.lb4j.core.HealthFixtures.backends;
import static io.github.lb4j.core.OutlierDetectionTest.fail;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** {@link LoadBalancer#pick}: the same choice as {@code select}, with nothing counted. */
class PickTest {

    static final Backend A = Backend.of("10.0.0.1", 8080);
    static final Backend B = Backend.of("10.0.0.2", 8080);
    static final Backend C = Backend.of("10.0.0.3", 8080);

    /** Two pools built alike: the same seed, the same clock, the same history give the same choices. */
    private static LoadBalancer pool(Strategy strategy, List<Backend> backends, ManualClock clock) {
        return LoadBalancer.builder("pick").backends(backends).strategy(strategy).ticker(clock)
                .random(new SplittableRandom(11)).build();
    }

    private static List<String> viaSelect(LoadBalancer lb, RequestContext ctx, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // close(): no outcome and no latency, so the load-aware strategies see the state a pick leaves.
            try (Selection s = lb.select(ctx)) {
                out.add(s.backend().id());
            }
        }
        return out;
    }

    private static List<String> viaPick(LoadBalancer lb, RequestContext ctx, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(lb.pick(ctx).id());
        }
        return out;
    }

    @Test
    void pickReturnsTheBackendsCurrentValueAfterAMetadataOrWeightChange() {
        // Round robin's pick returns values it keeps beside its states: a change that keeps the id must still show.
        for (List<Backend> initial : List.of(List.of(A, B), List.of(A.withWeight(2), B))) {
            LoadBalancer lb = pool(Strategy.roundRobin(), initial, new ManualClock());
            Backend a2 = initial.get(0).withMetadata("version", "2");
            Backend b3 = B.withWeight(3);
            lb.updateBackends(List.of(a2, b3));
            List<Backend> seen = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                seen.add(lb.pick());
            }
            assertThat(seen).containsOnly(a2, b3);
            assertThat(seen).anySatisfy(b -> assertThat(b.metadata()).containsEntry("version", "2"));
        }
    }

    @Test
    void roundRobinSequenceIsExactlyTheOneSelectGives() {
        List<Backend> weighted = List.of(A.withWeight(5), B, C.withWeight(2));
        for (List<Backend> backends : List.of(List.of(A, B, C), weighted)) {
            LoadBalancer bySelect = pool(Strategy.roundRobin(), backends, new ManualClock());
            LoadBalancer byPick = pool(Strategy.roundRobin(), backends, new ManualClock());
            List<String> expected = viaSelect(bySelect, RequestContext.empty(), 64);
            assertThat(viaPick(byPick, RequestContext.empty(), 64)).isEqualTo(expected);
            if (backends.get(0).weight() == 1) {
                RoundRobinTest.assertRotationOf(expected, List.of(A.id(), B.id(), C.id()));
            }
        }
    }

    @Test
    void picksAndSelectionsShareTheRoundRobinCursor() {
        LoadBalancer interleaved = pool(Strategy.roundRobin(), List.of(A, B, C), new ManualClock());
        LoadBalancer bySelect = pool(Strategy.roundRobin(), List.of(A, B, C), new ManualClock());
        List<String> mixed = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            mixed.addAll(i % 2 == 0 ? viaPick(interleaved, RequestContext.empty(), 1)
                    : viaSelect(interleaved, RequestContext.empty(), 1));
        }
        assertThat(mixed).isEqualTo(viaSelect(bySelect, RequestContext.empty(), 12));
    }

    @Test
    void everyStrategyPicksWhatSelectWouldForTheSameContexts() {
        List<RequestContext> contexts = List.of(RequestContext.empty(), RequestContext.ofHashKey("user-42"),
                RequestContext.ofHashKey("user-7").excluding(List.of(A.id())),
                RequestContext.empty().excluding(List.of(A.id(), B.id())),
                // Excluding everything waives the exclusion, as in select.
                RequestContext.ofHashKey("k").excluding(List.of(A.id(), B.id(), C.id())));
        for (Strategy strategy : StrategyCases.all()) {
            for (RequestContext ctx : contexts) {
                LoadBalancer bySelect = pool(strategy, List.of(A, B, C), new ManualClock());
                LoadBalancer byPick = pool(strategy, List.of(A, B, C), new ManualClock());
                for (int i = 0; i < 20; i++) {
                    assertThat(viaPick(byPick, ctx, 1)).as("%s %s", strategy.name(), ctx)
                            .isEqualTo(viaSelect(bySelect, ctx, 1));
                }
            }
        }
    }

    @Test
    void hashKeysExclusionsAndPinsAreHonoured() {
        for (Strategy strategy : StrategyCases.all()) {
            LoadBalancer lb = pool(strategy, List.of(A, B, C), new ManualClock());
            RequestContext excluding = RequestContext.ofHashKey("k").excluding(List.of(A.id(), B.id()));
            RequestContext pinned = RequestContext.ofPinned(B.id());
            for (int i = 0; i < 30; i++) {
                assertThat(lb.pick(excluding)).as(strategy.name()).isEqualTo(C);
                assertThat(lb.pick(pinned)).as(strategy.name()).isEqualTo(B);
            }
            if (strategy instanceof HashStrategy) {
                Backend first = lb.pick(RequestContext.ofHashKey("user-1"));
                for (int i = 0; i < 30; i++) {
                    assertThat(lb.pick(RequestContext.ofHashKey("user-1"))).as(strategy.name()).isEqualTo(first);
                }
            }
        }
    }

    @Test
    void pickCountsNothing() {
        for (Strategy strategy : StrategyCases.all()) {
            LoadBalancer lb = pool(strategy, List.of(A, B, C), new ManualClock());
            Selection held = lb.select(RequestContext.ofPinned(A.id()));
            for (int i = 0; i < 100; i++) {
                lb.pick();
                lb.pick(RequestContext.ofHashKey("user-" + i));
            }
            assertThat(lb.stats()).as(strategy.name()).allSatisfy(s -> {
                // Only the held selection counts, in flight and as a request.
                assertThat(s.inFlight()).isEqualTo(s.backend().equals(A) ? 1 : 0);
                assertThat(s.requests()).isEqualTo(s.backend().equals(A) ? 1 : 0);
                assertThat(s.successes()).isZero();
                assertThat(s.failures()).isZero();
            });
            held.success();
            assertThat(LoadBalancerTest.statsById(lb).get(A.id()).successes()).isEqualTo(1);
        }
    }

    @Test
    void healthPanicAndBackupsApplyAsInSelect() {
        ManualClock c1 = new ManualClock();
        ManualClock c2 = new ManualClock();
        Function<ManualClock, LoadBalancer> build = clock -> LoadBalancer.builder("health")
                .backends(List.of(b("a"), b("b"), b("c"), b("d"), b("z").asBackup())).ticker(clock)
                .random(new SplittableRandom(3)).slowStart(Duration.ofSeconds(10))
                .outlierDetection(OutlierDetection.builder().maxEjectionPercent(100).build()).build();
        LoadBalancer bySelect = build.apply(c1);
        LoadBalancer byPick = build.apply(c2);
        List<Runnable> steps = List.of(
                () -> { },
                () -> fail(bySelect, "a", 5),                          // a ejected
                () -> fail(bySelect, "b", 5),                          // 2 of 4: primaries c and d only
                () -> fail(bySelect, "c", 5),                          // 1 of 4: panic, every primary
                () -> c1.advanceSeconds(30),                           // ejections end; slow-start ramps
                () -> c1.advanceSeconds(5),
                () -> c1.advanceSeconds(10));
        List<Runnable> mirror = List.of(
                () -> { },
                () -> fail(byPick, "a", 5),
                () -> fail(byPick, "b", 5),
                () -> fail(byPick, "c", 5),
                () -> c2.advanceSeconds(30),
                () -> c2.advanceSeconds(5),
                () -> c2.advanceSeconds(10));
        for (int i = 0; i < steps.size(); i++) {
            steps.get(i).run();
            mirror.get(i).run();
            // The pick runs first on its pool: a snapshot gone stale is rebuilt by a pick as by a select.
            List<String> picked = viaPick(byPick, RequestContext.empty(), 62);
            assertThat(picked).as("step %d", i).isEqualTo(viaSelect(bySelect, RequestContext.empty(), 62));
        }
        assertThat(viaPick(byPick, RequestContext.empty(), 40)).contains("a:80", "b:80", "c:80", "d:80")
                .doesNotContain("z:80");

        // Backups serve when no primary is healthy and panic mode is off.
        LoadBalancer backups = LoadBalancer.builder("backups").backends(List.of(b("a"), b("z").asBackup()))
                .ticker(new ManualClock()).panicThreshold(0)
                .outlierDetection(OutlierDetection.builder().maxEjectionPercent(100).build()).build();
        fail(backups, "a", 5);
        assertThat(viaPick(backups, RequestContext.empty(), 10)).containsOnly("z:80");
        assertThatThrownBy(() -> backups.pick(RequestContext.ofPinned("a:80")))
                .isInstanceOf(NoBackendAvailableException.class).hasMessageContaining("1 ejected");
    }

    @Test
    void drainingBackendsAreTreatedAsInSelect() {
        LoadBalancer lb = pool(Strategy.roundRobin(), List.of(A, B, C), new ManualClock());
        Selection held = lb.select(RequestContext.ofPinned(B.id()));
        lb.updateBackends(List.of(A, C));
        assertThat(viaPick(lb, RequestContext.empty(), 30)).containsOnly(A.id(), C.id());
        assertThat(LoadBalancerTest.statsById(lb).get(B.id()).health()).isEqualTo(BackendHealth.DRAINING);
        assertThat(thrown(() -> lb.pick(RequestContext.ofPinned(B.id()))))
                .isEqualTo(thrown(() -> lb.select(RequestContext.ofPinned(B.id()))))
                .isEqualTo("NoBackendAvailableException: pool 'pick': pinned backend '10.0.0.2:8080' is not available (2 of 3; 1 draining)");
        lb.updateBackends(List.of());
        assertThat(thrown(lb::pick)).isEqualTo(thrown(lb::select))
                .isEqualTo("NoBackendAvailableException: pool 'pick': no backend available (0 of 1; 1 draining)");
        // A pick neither holds the drain open nor ends it: the held selection does.
        held.success();
        assertThat(lb.stats()).isEmpty();
    }

    @Test
    void emptyAndClosedPoolsThrowAsSelectDoes() {
        LoadBalancer empty = LoadBalancer.builder("orders").build();
        assertThatThrownBy(empty::pick).isInstanceOf(NoBackendAvailableException.class)
                .hasMessage("pool 'orders': no backend available (0 of 0)");
        LoadBalancer closed = LoadBalancer.builder("orders").backends(List.of(A)).build();
        closed.close();
        assertThatThrownBy(closed::pick).isInstanceOf(IllegalStateException.class)
                .hasMessage("pool 'orders' is closed");
        assertThatThrownBy(() -> empty.pick(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("context");
    }

    @Test
    void theConstantTimeStrategiesAllocateNothingPerPick() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        List<Backend> backends = backends("a", "b", "c", "d", "e", "f", "g", "h");
        RequestContext keyed = RequestContext.ofHashKey("user-42");
        for (Strategy strategy : List.of(Strategy.roundRobin(), Strategy.random(), Strategy.maglev(),
                Strategy.ringHash())) {
            LoadBalancer lb = LoadBalancer.builder("alloc").backends(backends).strategy(strategy).build();
            Supplier<Long> run = () -> {
                long sink = 0;
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 100_000; i++) {
                    sink += lb.pick().port() + lb.pick(keyed).port();
                }
                long allocated = threads.getCurrentThreadAllocatedBytes() - before;
                assertThat(sink).isPositive();
                return allocated;
            };
            run.get(); // warm-up: class loading and linkage allocate once
            // 200 000 picks; one object per pick would be at least 3.2 MB. Allow a little for the measurement.
            assertThat(run.get()).as(strategy.name()).isLessThan(16_384L);
            lb.close();
        }
    }

    private static String thrown(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        return "nothing thrown";
    }
}

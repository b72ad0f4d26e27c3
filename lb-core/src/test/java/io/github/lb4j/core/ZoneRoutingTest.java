package io.github.lb4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Zone-aware routing: the plan's exact probabilities, and what a pool does with them. */
class ZoneRoutingTest {

    private static final Map<String, Double> UNEVEN = Map.of("a", 0.5, "b", 0.3, "c", 0.2);

    private final FakeTicker ticker = new FakeTicker();

    /** Zones a/b/c with 3/5/10 backends: a1..a3, b1..b5, c1..c10. */
    static List<Backend> fleet() {
        List<Backend> out = new ArrayList<>();
        int[] sizes = {3, 5, 10};
        String[] zones = {"a", "b", "c"};
        for (int z = 0; z < 3; z++) {
            for (int i = 1; i <= sizes[z]; i++) {
                out.add(Backend.of(zones[z] + i, 80).withZone(zones[z]));
            }
        }
        return out;
    }

    private LoadBalancer.Builder pool(String zone, List<Backend> backends) {
        return LoadBalancer.builder("zones-" + zone).backends(backends).localZone(zone).ticker(ticker)
                .random(new SplittableRandom(7)).slowStart(Duration.ZERO)
                .outlierDetection(OutlierDetection.builder().maxEjectionPercent(100).build());
    }

    private static ZoneRouting.Plan plan(String local, Map<String, Long> capacity, Map<String, Double> demand) {
        return ZoneRouting.plan(local, capacity, demand);
    }

    private static final Map<String, Long> CAPACITY = Map.of("a", 3L, "b", 5L, "c", 10L);
    private static final Map<String, Double> EVEN = Map.of("a", 1 / 3.0, "b", 1 / 3.0, "c", 1 / 3.0);

    @Test
    void evenCallersKeepWhatEachZoneCanTakeAndSpillToSpareCapacity() {
        // capacity shares 3/18, 5/18, 10/18 against demand 1/3 each: a keeps 1/2, b keeps 5/6, c keeps all;
        // only c has spare capacity (10/18 - 6/18), so it takes every spilled request.
        ZoneRouting.Plan a = plan("a", CAPACITY, EVEN);
        assertThat(a.zones()).containsExactly("a", "b", "c");
        assertThat(a.probability("a")).isCloseTo(0.5, within(1e-12));
        assertThat(a.probability("b")).isCloseTo(0.0, within(1e-12));
        assertThat(a.probability("c")).isCloseTo(0.5, within(1e-12));
        ZoneRouting.Plan b = plan("b", CAPACITY, EVEN);
        assertThat(b.probability("b")).isCloseTo(5 / 6.0, within(1e-12));
        assertThat(b.probability("c")).isCloseTo(1 / 6.0, within(1e-12));
        assertThat(b.probability("a")).isCloseTo(0.0, within(1e-12));
        assertThat(plan("c", CAPACITY, EVEN).probability("c")).isEqualTo(1.0);
    }

    @Test
    void unevenCallersFollowTheSameRule() {
        ZoneRouting.Plan a = plan("a", CAPACITY, UNEVEN);
        assertThat(a.probability("a")).isCloseTo((3 / 18.0) / 0.5, within(1e-12));
        // spare: b 5/18 - 0.3 < 0, c 10/18 - 0.2
        assertThat(a.probability("b")).isCloseTo(0.0, within(1e-12));
        assertThat(a.probability("c")).isCloseTo(1 - 1 / 3.0, within(1e-12));
        ZoneRouting.Plan b = plan("b", CAPACITY, UNEVEN);
        assertThat(b.probability("b")).isCloseTo((5 / 18.0) / 0.3, within(1e-12));
        assertThat(b.probability("c")).isCloseTo(1 - (5 / 18.0) / 0.3, within(1e-12));
        assertThat(plan("c", CAPACITY, UNEVEN).probability("c")).isEqualTo(1.0);
    }

    @Test
    void aZoneWithoutCapacitySpillsByTheOthersSpareCapacity() {
        Map<String, Long> noA = Map.of("b", 5L, "c", 10L);
        // even: spare b = 5/15 - 1/3 = 0, c = 10/15 - 1/3
        ZoneRouting.Plan even = plan("a", noA, EVEN);
        assertThat(even.zones()).containsExactly("b", "c");
        assertThat(even.probability("b")).isCloseTo(0.0, within(1e-12));
        assertThat(even.probability("c")).isCloseTo(1.0, within(1e-12));
        // uneven: spare b = 1/3 - 0.3, c = 2/3 - 0.2
        ZoneRouting.Plan uneven = plan("a", noA, UNEVEN);
        double spareB = 1 / 3.0 - 0.3;
        double spareC = 2 / 3.0 - 0.2;
        assertThat(uneven.probability("b")).isCloseTo(spareB / (spareB + spareC), within(1e-12));
        assertThat(uneven.probability("c")).isCloseTo(spareC / (spareB + spareC), within(1e-12));
        // Nobody has spare capacity (all callers in a): by capacity.
        ZoneRouting.Plan none = plan("a", noA, Map.of("a", 1.0, "b", 0.0, "c", 0.0));
        assertThat(none.probability("c")).isCloseTo(10 / 15.0, within(1e-12));
        // A zone with more capacity than its callers keeps everything; weights are capacity.
        assertThat(plan("a", Map.of("a", 15L, "b", 5L, "c", 10L), EVEN).probability("a")).isEqualTo(1.0);
    }

    @Test
    void aPoolRoutesByThePlanAndRotatesExactlyWithinAZone() {
        LoadBalancer lb = pool("a", fleet()).build();
        Map<String, Integer> hosts = picks(lb, 60_000);
        Map<String, Integer> zones = byZone(hosts);
        assertThat(zones.getOrDefault("b", 0)).isZero();
        assertThat(zones.get("a") / 60_000.0).isCloseTo(0.5, within(0.01));
        assertThat(zones.get("c") / 60_000.0).isCloseTo(0.5, within(0.01));
        // Zone a has its own round-robin cursor: its three backends take turns exactly.
        int perA = zones.get("a") / 3;
        for (String h : List.of("a1", "a2", "a3")) {
            assertThat(hosts.get(h)).isBetween(perA - 1, perA + 1);
        }
        lb.close();
    }

    @Test
    void everyBackendCarriesTheSameLoadAcrossTheFleet() {
        for (Map<String, Double> shares : List.of(EVEN, UNEVEN)) {
            Map<String, Integer> load = new HashMap<>();
            for (String zone : List.of("a", "b", "c")) {
                LoadBalancer lb = pool(zone, fleet()).callerZoneShares(shares).build();
                int n = (int) Math.round(180_000 * shares.get(zone));
                picks(lb, n).forEach((h, c) -> load.merge(h, c, Integer::sum));
                lb.close();
            }
            assertThat(load).hasSize(18);
            double mean = 180_000 / 18.0;
            int max = load.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
            assertThat(max / mean).as("max/mean for %s", shares).isLessThan(1.03);
        }
    }

    @Test
    void allLocalBackendsEjectedSpreadsOverTheOtherZonesBySpareCapacityWithoutFailures() {
        LoadBalancer lb = pool("a", fleet()).callerZoneShares(UNEVEN).build();
        for (String h : List.of("a1", "a2", "a3")) {
            for (int i = 0; i < 5; i++) {
                lb.select(RequestContext.ofPinned(h + ":80")).failure(new IOException("down"));
            }
        }
        assertThat(lb.stats().stream().filter(s -> s.backend().zone().equals("a"))
                .allMatch(s -> s.health() == BackendHealth.EJECTED)).isTrue();
        Map<String, Integer> zones = byZone(picks(lb, 60_000));
        assertThat(zones.getOrDefault("a", 0)).isZero(); // no request reaches an ejected backend
        double spareB = 1 / 3.0 - 0.3;
        double spareC = 2 / 3.0 - 0.2;
        assertThat(zones.get("b") / 60_000.0).isCloseTo(spareB / (spareB + spareC), within(0.01));
        assertThat(zones.get("c") / 60_000.0).isCloseTo(spareC / (spareB + spareC), within(0.01));
        lb.close();
    }

    @Test
    void panicModeIgnoresZones() {
        List<Backend> small = List.of(Backend.of("a1", 80).withZone("a"), Backend.of("b1", 80).withZone("b"),
                Backend.of("b2", 80).withZone("b"), Backend.of("c1", 80).withZone("c"));
        LoadBalancer lb = pool("a", small).build();
        // Zone a alone has a quarter of the capacity against a third of the demand: 3/4 local.
        assertThat(byZone(picks(lb, 8_000)).get("a") / 8_000.0).isCloseTo(0.75, within(0.02));
        for (String h : List.of("b1", "b2", "c1")) {
            for (int i = 0; i < 5; i++) {
                lb.select(RequestContext.ofPinned(h + ":80")).failure(new IOException("down"));
            }
        }
        // One of four healthy, below the 50% threshold: panic spreads over every primary, zones or not.
        Map<String, Integer> hosts = picks(lb, 8_000);
        assertThat(hosts).containsOnlyKeys("a1", "b1", "b2", "c1");
        hosts.values().forEach(c -> assertThat(c).isBetween(1_999, 2_001));
        lb.close();
    }

    @Test
    void slowStartShrinksAZoneCapacity() {
        // c1 joins after the build and ramps from 10% of its weight: zone c's capacity is small until it ends.
        List<Backend> two = List.of(Backend.of("a1", 80).withZone("a"), Backend.of("b1", 80).withZone("b"));
        LoadBalancer lb = LoadBalancer.builder("zones-ramp").backends(two).localZone("b").ticker(ticker)
                .random(new SplittableRandom(7)).slowStart(Duration.ofSeconds(10)).build();
        lb.updateBackends(List.of(two.get(0), two.get(1), Backend.of("c1", 80).withZone("c")));
        // weights (x10 while ramping): a1 10, b1 10, c1 1 -> b has 10/21 of the capacity against 1/3: all local.
        assertThat(byZone(picks(lb, 3_000))).containsOnlyKeys("b");
        lb.close();
        // From c: 1/21 of the capacity against 1/3 demand -> local 3/21; the rest splits a:b by spare (equal).
        LoadBalancer fromC = LoadBalancer.builder("zones-ramp-c").backends(two).localZone("c").ticker(ticker)
                .random(new SplittableRandom(7)).slowStart(Duration.ofSeconds(10)).build();
        fromC.updateBackends(List.of(two.get(0), two.get(1), Backend.of("c1", 80).withZone("c")));
        Map<String, Integer> zones = byZone(picks(fromC, 42_000));
        assertThat(zones.get("c") / 42_000.0).isCloseTo(3 / 21.0, within(0.01));
        assertThat(zones.get("a") / 42_000.0).isCloseTo(9 / 21.0, within(0.01));
        ticker.advance(Duration.ofSeconds(10));
        // Ramp over: each zone has a third of the capacity and a third of the demand.
        assertThat(byZone(picks(fromC, 1_000))).containsOnlyKeys("c");
        fromC.close();
    }

    @Test
    void weightsAreCapacityAndMembershipChangesReplan() {
        List<Backend> heavy = new ArrayList<>();
        for (Backend b : fleet()) {
            heavy.add(b.zone().equals("a") ? b.withWeight(5) : b); // zone a: 15 of 30 weight units, demand 1/3
        }
        LoadBalancer lb = pool("a", heavy).build();
        assertThat(byZone(picks(lb, 3_000))).containsOnlyKeys("a");
        // Zone a leaves the pool: its callers go by spare capacity (b: 5/15 - 1/3 = 0, c: all).
        lb.updateBackends(fleet().subList(3, 18));
        assertThat(byZone(picks(lb, 3_000))).containsOnlyKeys("c");
        lb.updateBackends(fleet());
        assertThat(byZone(picks(lb, 6_000)).get("a") / 6_000.0).isCloseTo(0.5, within(0.03));
        lb.close();
    }

    @Test
    void aRetryThatExcludesTheWholeChosenZoneGoesToAnother() {
        List<Backend> two = List.of(Backend.of("a1", 80).withZone("a"), Backend.of("b1", 80).withZone("b"));
        LoadBalancer lb = pool("a", two).build();
        for (int i = 0; i < 100; i++) {
            Selection s = lb.select(RequestContext.empty().excluding(List.of("a1:80")));
            assertThat(s.backend().host()).isEqualTo("b1");
            s.success();
        }
        lb.close();
    }

    @Test
    void hashStrategiesIgnoreZonesWithOneWarning() {
        try (HealthFixtures.LogCapture logs = new HealthFixtures.LogCapture()) {
            LoadBalancer lb = pool("a", fleet()).strategy(Strategy.maglev()).build();
            LoadBalancer plain = LoadBalancer.builder("zones-plain").backends(fleet()).strategy(Strategy.maglev())
                    .build();
            for (int k = 0; k < 1000; k++) {
                RequestContext ctx = RequestContext.ofHashKey("key-" + k);
                assertThat(lb.pick(ctx)).isEqualTo(plain.pick(ctx));
            }
            assertThat(logs.lines("zones-a").stream().filter(l -> l.contains("WARN"))).singleElement().asString()
                    .contains("zone-aware routing").contains("maglev");
            lb.close();
            plain.close();
        }
    }

    @Test
    void unknownCallerZonesAreWarnedNotFatal() {
        try (HealthFixtures.LogCapture logs = new HealthFixtures.LogCapture()) {
            LoadBalancer lb = pool("a", fleet()).callerZoneShares(Map.of("a", 0.5, "b", 0.3, "zz", 0.2)).build();
            assertThat(byZone(picks(lb, 100))).isNotEmpty();
            assertThat(logs.lines("zones-a")).anySatisfy(l -> assertThat(l).contains("WARN").contains("'zz'"));
            lb.close();
        }
    }

    @Test
    void badInputIsRejectedNamingTheValue() {
        LoadBalancer.Builder b = LoadBalancer.builder("zones-bad");
        assertThatThrownBy(() -> b.localZone(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("localZone must not be blank, got ' '");
        assertThatThrownBy(() -> b.localZone(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> b.callerZoneShares(Map.of("a", -0.5, "b", 1.5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("zone 'a'")
                .hasMessageContaining("-0.5");
        assertThatThrownBy(() -> b.callerZoneShares(Map.of("a", 0.5, "b", 0.4)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sum to 1")
                .hasMessageContaining("0.9");
        assertThatThrownBy(() -> b.callerZoneShares(Map.of(" ", 1.0))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("blank");
        assertThatThrownBy(() -> b.callerZoneShares(Map.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.callerZoneShares(Map.of("a", Double.NaN)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
        // Within the tolerance: accepted and normalized.
        b.callerZoneShares(Map.of("a", 0.5, "b", 0.495));
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

    static Map<String, Integer> byZone(Map<String, Integer> hosts) {
        Map<String, Integer> out = new HashMap<>();
        hosts.forEach((h, c) -> out.merge(h.substring(0, 1), c, Integer::sum));
        return out;
    }
}

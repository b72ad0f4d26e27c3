package io.github.lb4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Subsets by metadata: exact picks inside a subset, health inside it, the three fallbacks, the cap, bad input. */
class SubsetsTest {

    private static final Map<String, String> V1 = Map.of("version", "v1");
    private static final Map<String, String> V2 = Map.of("version", "v2");
    private static final RequestContext CANARY = RequestContext.empty().withSubset(V2);

    private final FakeTicker ticker = new FakeTicker();

    /** v1: a, b, c; v2: d, e (e also tenant=t1). */
    static List<Backend> fleet() {
        List<Backend> out = new ArrayList<>();
        for (String h : List.of("a", "b", "c")) {
            out.add(Backend.of(h, 80).withMetadata("version", "v1"));
        }
        out.add(Backend.of("d", 80).withMetadata("version", "v2"));
        out.add(Backend.of("e", 80).withMetadata("version", "v2").withMetadata("tenant", "t1"));
        return out;
    }

    private LoadBalancer.Builder pool() {
        return LoadBalancer.builder("subsets").backends(fleet()).ticker(ticker).random(new SplittableRandom(7))
                .slowStart(Duration.ZERO).outlierDetection(OutlierDetection.builder().consecutiveFailures(2)
                        .maxEjectionPercent(100).build());
    }

    private static List<String> hosts(LoadBalancer lb, RequestContext ctx, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            try (Selection s = lb.select(ctx)) {
                out.add(s.backend().host());
                s.success();
            }
        }
        return out;
    }

    private static void eject(LoadBalancer lb, String... hosts) {
        for (String h : hosts) {
            for (int i = 0; i < 2; i++) {
                lb.select(RequestContext.ofPinned(h + ":80")).failure(new IOException("down"));
            }
        }
    }

    @Test
    void aSubsetPickRotatesOverItsOwnBackendsOnly() {
        LoadBalancer lb = pool().build();
        // Each subset has its own round-robin cursor: an exact rotation over its backends.
        assertRotates(hosts(lb, CANARY, 6), "d", "e");
        assertRotates(hosts(lb, RequestContext.empty().withSubset(V1), 9), "a", "b", "c");
        assertThat(hosts(lb, RequestContext.empty().withSubset(Map.of("version", "v2", "tenant", "t1")), 3))
                .containsExactly("e", "e", "e");
        assertThat(lb.pick(CANARY).host()).isIn("d", "e");
        // The whole pool still rotates over all five.
        assertThat(new java.util.TreeSet<>(hosts(lb, RequestContext.empty(), 5))).containsExactly("a", "b", "c",
                "d", "e");
        lb.close();
    }

    /** Every window of {@code expected.length} consecutive picks holds each expected host once. */
    private static void assertRotates(List<String> picks, String... expected) {
        for (int i = 0; i + expected.length <= picks.size(); i++) {
            assertThat(picks.subList(i, i + expected.length)).as("picks %s", picks)
                    .containsExactlyInAnyOrder(expected);
        }
    }

    /**
     * A context reused for every request (a route's split) remembers the entry it found in the snapshot it last
     * picked from; every change of the pool publishes a new snapshot, and the next pick looks the entry up again.
     */
    @Test
    void aReusedContextFollowsEveryNewSnapshot() {
        LoadBalancer lb = pool().build();
        LoadBalancer other = pool().build();
        RequestContext canary = RequestContext.empty().withSubset(V2);
        assertRotates(hosts(lb, canary, 4), "d", "e");
        eject(lb, "d");
        assertThat(hosts(lb, canary, 3)).containsExactly("e", "e", "e");
        List<Backend> withoutE = new ArrayList<>(fleet());
        withoutE.removeIf(b -> b.host().equals("e"));
        withoutE.add(Backend.of("f", 80).withMetadata("version", "v2"));
        lb.updateBackends(withoutE);
        assertThat(hosts(lb, canary, 3)).containsExactly("f", "f", "f");
        // The same context on another pool, and back: each pick uses the pool it is made on.
        assertRotates(hosts(other, canary, 4), "d", "e");
        assertThat(hosts(lb, canary, 2)).containsExactly("f", "f");
        lb.close();
        other.close();
    }

    @Test
    void exactAssignmentsAreRepeatableWithASeed() {
        LoadBalancer one = pool().strategy(Strategy.random()).build();
        LoadBalancer two = pool().strategy(Strategy.random()).build();
        List<String> first = hosts(one, RequestContext.empty().withSubset(V1), 12);
        assertThat(first).containsOnly("a", "b", "c");
        assertThat(hosts(two, RequestContext.empty().withSubset(V1), 12)).isEqualTo(first);
        one.close();
        two.close();
    }

    @Test
    void healthAppliesInsideTheSubsetAndExclusionsAreWaivedWithinIt() {
        LoadBalancer lb = pool().build();
        eject(lb, "d");
        assertThat(hosts(lb, CANARY, 4)).containsExactly("e", "e", "e", "e");
        lb.updateBackends(fleet()); // a no-op update keeps d ejected
        // A retry that excludes e, the only available canary: the exclusion is waived inside the subset.
        assertThat(hosts(lb, CANARY.excluding(List.of("e:80")), 2)).containsExactly("e", "e");
        lb.close();
    }

    @Test
    void fallbackNoneFailsWithAMessageNamingTheSubset() {
        LoadBalancer lb = pool().build();
        eject(lb, "d", "e");
        assertThatThrownBy(() -> lb.select(CANARY)).isInstanceOf(NoBackendAvailableException.class)
                .hasMessageContaining("subset {version=v2}").hasMessageContaining("fallback NONE");
        assertThatThrownBy(() -> lb.select(RequestContext.empty().withSubset(Map.of("version", "v9"))))
                .isInstanceOf(NoBackendAvailableException.class).hasMessageContaining("{version=v9}");
        lb.close();
    }

    @Test
    void fallbackAnyServesEveryRequestFromTheWholePool() {
        LoadBalancer lb = pool().subsetFallback(SubsetFallback.ANY).build();
        eject(lb, "d", "e");
        assertThat(hosts(lb, CANARY, 300)).containsOnly("a", "b", "c");
        assertThat(hosts(lb, RequestContext.empty().withSubset(Map.of("version", "v9")), 3)).containsOnly("a", "b",
                "c");
        // The ejection ends: the canaries serve their subset again.
        ticker.advance(Duration.ofMinutes(10));
        assertThat(hosts(lb, CANARY, 4)).containsOnly("d", "e");
        lb.close();
    }

    @Test
    void fallbackDefaultGoesToTheDefaultSubsetThenFails() {
        LoadBalancer lb = pool().subsetFallback(SubsetFallback.DEFAULT).defaultSubset(V1).build();
        eject(lb, "d", "e");
        assertThat(hosts(lb, CANARY, 6)).containsOnly("a", "b", "c");
        eject(lb, "a", "b", "c"); // all down: panic mode picks over every primary, so the subset has d, e again
        assertThat(hosts(lb, CANARY, 4)).containsOnly("d", "e");
        lb.close();

        LoadBalancer noPanic = pool().panicThreshold(0).subsetFallback(SubsetFallback.DEFAULT).defaultSubset(V1)
                .build();
        eject(noPanic, "d", "e", "a", "b");
        assertThat(hosts(noPanic, CANARY, 3)).containsExactly("c", "c", "c");
        eject(noPanic, "c");
        assertThatThrownBy(() -> noPanic.select(CANARY)).isInstanceOf(NoBackendAvailableException.class);
        noPanic.close();
    }

    /** Issue 19, item 6: selectors taken from request headers cannot grow the pool past its cap. */
    @Test
    void aMillionDistinctSelectorsFromRequestsLeaveThePoolsFootprintAtTheCap() {
        LoadBalancer lb = pool().subsetFallback(SubsetFallback.ANY).build();
        DefaultLoadBalancer pool = (DefaultLoadBalancer) lb;
        for (int i = 0; i < LoadBalancer.Builder.DEFAULT_MAX_SUBSETS; i++) {
            hosts(lb, RequestContext.empty().withSubset(Map.of("version", "fill-" + i)), 1);
        }
        assertThat(pool.snapshot().subsets.full).isTrue();
        long atCap = org.openjdk.jol.info.GraphStats.parseInstance(lb).totalSize();
        for (int i = 0; i < 1_000_000; i++) {
            lb.select(RequestContext.empty().withSubset(Map.of("version", "hostile-" + i))).success();
        }
        assertThat(org.openjdk.jol.info.GraphStats.parseInstance(lb).totalSize())
                .as("bytes reachable from the pool after 1 000 000 distinct selectors beyond the cap").isEqualTo(atCap);
        lb.close();
    }

    @Test
    void beyondTheCapANewSelectorGetsTheFallbackAndNoNewPicker() {
        LoadBalancer lb = pool().maxSubsets(2).subsetFallback(SubsetFallback.ANY).build();
        DefaultLoadBalancer pool = (DefaultLoadBalancer) lb;
        hosts(lb, CANARY, 1);
        hosts(lb, RequestContext.empty().withSubset(V1), 1);
        assertThat(pool.snapshot().subsets.full).isTrue();
        // A third selector, one that would match e alone: served by the fallback (the whole pool), not tracked.
        RequestContext tenant = RequestContext.empty().withSubset(Map.of("tenant", "t1"));
        assertThat(new java.util.TreeSet<>(hosts(lb, tenant, 5))).containsExactly("a", "b", "c", "d", "e");
        for (int i = 0; i < 1000; i++) {
            hosts(lb, RequestContext.empty().withSubset(Map.of("version", "junk-" + i)), 1);
        }
        assertThat(pool.snapshot().subsets.get(SubsetSelector.of("t", Map.of("tenant", "t1")))).isNull();
        // The tracked ones still work.
        assertThat(hosts(lb, CANARY, 2)).containsOnly("d", "e");
        lb.close();

        LoadBalancer strict = pool().maxSubsets(1).build();
        hosts(strict, CANARY, 1);
        assertThatThrownBy(() -> strict.select(RequestContext.empty().withSubset(V1)))
                .isInstanceOf(NoBackendAvailableException.class).hasMessageContaining("maxSubsets");
        strict.close();
    }

    @Test
    void aSubsetFollowsTheMembership() {
        LoadBalancer lb = pool().build();
        assertThat(hosts(lb, CANARY, 2)).containsOnly("d", "e");
        List<Backend> next = new ArrayList<>(fleet());
        next.removeIf(b -> b.host().equals("d"));
        next.add(Backend.of("f", 80).withMetadata("version", "v2"));
        lb.updateBackends(next);
        assertThat(new java.util.TreeSet<>(hosts(lb, CANARY, 4))).containsExactly("e", "f");
        lb.close();
    }

    @Test
    void composesWithZoneRoutingAndAPinWins() {
        List<Backend> zoned = new ArrayList<>();
        for (Backend b : fleet()) {
            zoned.add(b.withZone(b.host().equals("d") || b.host().equals("a") ? "z1" : "z2"));
        }
        // Inside v2, zone z1 has d and z2 has e: even callers over z1/z2 keep every pick local.
        LoadBalancer lb = pool().backends(zoned).localZone("z1").build();
        assertThat(hosts(lb, CANARY, 5)).containsExactly("d", "d", "d", "d", "d");
        eject(lb, "d");
        assertThat(hosts(lb, CANARY, 3)).containsExactly("e", "e", "e");
        assertThat(hosts(lb, CANARY.withHashKey("k"), 1)).containsExactly("e");
        assertThat(lb.select(RequestContext.ofPinned("a:80").withSubset(V2)).backend().host()).isEqualTo("a");
        lb.close();
    }

    @Test
    void badInputIsRejectedNamingTheValue() {
        assertThatThrownBy(() -> RequestContext.empty().withSubset(Map.of(" ", "v2")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blank").hasMessageContaining("' '");
        assertThatThrownBy(() -> RequestContext.empty().withSubset(Map.of("a\nb", "v2")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a?b");
        Map<String, String> nullValue = new TreeMap<>();
        nullValue.put("version", null);
        assertThatThrownBy(() -> RequestContext.empty().withSubset(nullValue))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("version");
        assertThat(RequestContext.empty().withSubset(Map.of()).subset()).isEmpty();
        assertThat(CANARY.subset()).isEqualTo(V2);
        assertThat(CANARY.toString()).contains("subset=[version]").doesNotContain("v2");
        assertThatThrownBy(() -> pool().maxSubsets(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxSubsets").hasMessageContaining("0");
        assertThatThrownBy(() -> pool().defaultSubset(Map.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("defaultSubset");
        assertThatThrownBy(() -> pool().subsetFallback(SubsetFallback.DEFAULT).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("defaultSubset");
        assertThatThrownBy(() -> pool().defaultSubset(V1).subsetFallback(SubsetFallback.ANY).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("ANY");
    }
}

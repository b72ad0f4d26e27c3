package io.github.lb4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lb4j.core.internal.PoolInternals;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SubsettingTest {

    /** 10.0.0.1:80 ... 10.0.0.n:80, in that order. */
    static List<Backend> backends(int n) {
        List<Backend> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            out.add(Backend.of("10.0.0." + i, 80));
        }
        return out;
    }

    static Set<String> hosts(List<Backend> backends) {
        return backends.stream().map(Backend::host).collect(Collectors.toSet());
    }

    static Set<String> hosts(String... last) {
        Set<String> out = new HashSet<>();
        for (String s : last) {
            out.add("10.0.0." + s);
        }
        return out;
    }

    /**
     * The exact assignment of 7 backends, subsets of 2: rounds of 7 / 2 = 3 clients. Pinned, because every client of a
     * fleet (every lb4j version, every JVM) must compute the same subsets; the figures were computed from the
     * algorithm as the class javadoc states it, by an independent implementation (Python, from the same hash).
     */
    @Test
    void exactAssignmentOfASmallPool() {
        List<Backend> pool = backends(7);
        Map<Integer, Set<String>> expected = Map.of(
                0, hosts("2", "7"), 1, hosts("6", "3"), 2, hosts("5", "1"),   // round 0; 10.0.0.4 left over
                3, hosts("5", "7"), 4, hosts("2", "1"), 5, hosts("3", "6"));  // round 1; 10.0.0.4 left over
        for (int c = 0; c < 6; c++) {
            assertThat(hosts(Subsetting.deterministic(2, c).subsetOf(pool))).as("client %d", c)
                    .isEqualTo(expected.get(c));
        }
    }

    @Test
    void theClientsOfARoundHoldDisjointSubsetsThatTogetherCoverThePool() {
        List<Backend> pool = backends(30);
        for (long round = 0; round < 5; round++) {
            Set<String> covered = new HashSet<>();
            for (long slice = 0; slice < 3; slice++) {
                List<Backend> subset = Subsetting.deterministic(10, round * 3 + slice).subsetOf(pool);
                assertThat(subset).hasSize(10);
                for (Backend b : subset) {
                    assertThat(covered.add(b.id())).as("round %d: %s in two subsets", round, b.id()).isTrue();
                }
            }
            assertThat(covered).hasSize(30);
        }
        // Different rounds order the pool differently (else the left-over backends would always be the same).
        assertThat(Subsetting.deterministic(10, 0).subsetOf(pool))
                .isNotEqualTo(Subsetting.deterministic(10, 3).subsetOf(pool));
    }

    @Test
    void theLeftOversSitInTheMiddleOfTheRound() {
        // 7 backends, subsets of 2: slices 0 and 1 from the front of the round's order, slice 2 from the back.
        assertThat(Subsetting.sliceStart(0, 3, 7, 2)).isEqualTo(0);
        assertThat(Subsetting.sliceStart(1, 3, 7, 2)).isEqualTo(2);
        assertThat(Subsetting.sliceStart(2, 3, 7, 2)).isEqualTo(5);
        // 305 backends, subsets of 10: 15 slices from the front (0..149), 15 from the back (155..304).
        assertThat(Subsetting.sliceStart(14, 30, 305, 10)).isEqualTo(140);
        assertThat(Subsetting.sliceStart(15, 30, 305, 10)).isEqualTo(155);
        assertThat(Subsetting.sliceStart(29, 30, 305, 10)).isEqualTo(295);
        // No left-over: the slices tile the order.
        assertThat(Subsetting.sliceStart(15, 30, 300, 10)).isEqualTo(150);
    }

    @Test
    void theSubsetDoesNotDependOnTheOrderTheSetArrivesIn() {
        List<Backend> pool = backends(50);
        List<Backend> shuffled = new ArrayList<>(pool);
        Collections.shuffle(shuffled, new java.util.Random(3));
        for (long c = 0; c < 20; c++) {
            Subsetting s = Subsetting.deterministic(7, c);
            assertThat(hosts(s.subsetOf(shuffled))).isEqualTo(hosts(s.subsetOf(pool)));
        }
    }

    @Test
    void theSubsetKeepsThePoolsOrderAndEveryBackup() {
        List<Backend> pool = new ArrayList<>(backends(7));
        Backend spare = Backend.of("10.0.0.99", 80).asBackup();
        pool.add(3, spare);
        List<Backend> kept = Subsetting.deterministic(2, 0).subsetOf(pool);
        // Backups are not subset, and do not count as backends to subset: still the 7 primaries' round 0.
        assertThat(kept).extracting(Backend::host).containsExactly("10.0.0.2", "10.0.0.99", "10.0.0.7");
    }

    @Test
    void aSubsetAsLargeAsThePoolIsThePool() {
        List<Backend> pool = backends(5);
        assertThat(Subsetting.deterministic(5, 123).subsetOf(pool)).isEqualTo(pool);
        assertThat(Subsetting.deterministic(50, 0).subsetOf(pool)).isEqualTo(pool);
        assertThat(Subsetting.none().subsetOf(pool)).isEqualTo(pool);
        assertThat(Subsetting.deterministic(3, 0).subsetOf(List.of())).isEmpty();
    }

    @Test
    void badInputNamesTheFieldAndTheValue() {
        assertThatThrownBy(() -> Subsetting.deterministic(0, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("subsetSize must be at least 1, got 0");
        assertThatThrownBy(() -> Subsetting.deterministic(-3, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("subsetSize").hasMessageContaining("-3");
        assertThatThrownBy(() -> Subsetting.deterministic(10, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("clientId must not be negative, got -1");
        assertThatThrownBy(() -> LoadBalancer.builder("p").subsetting(null))
                .isInstanceOf(NullPointerException.class).hasMessage("subsetting");
        Backend a = Backend.of("10.0.0.1", 80);
        assertThatThrownBy(() -> Subsetting.deterministic(1, 0).subsetOf(List.of(a, a)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10.0.0.1:80");
    }

    @Test
    void valueSemantics() {
        assertThat(Subsetting.deterministic(10, 4)).isEqualTo(Subsetting.deterministic(10, 4))
                .hasSameHashCodeAs(Subsetting.deterministic(10, 4)).isNotEqualTo(Subsetting.deterministic(10, 5))
                .hasToString("Subsetting.deterministic(10, 4)");
        assertThat(Subsetting.none().isEnabled()).isFalse();
        assertThat(Subsetting.deterministic(10, 4).isEnabled()).isTrue();
        assertThat(Subsetting.deterministic(10, 4).subsetSize()).isEqualTo(10);
        assertThat(Subsetting.deterministic(10, 4).clientId()).isEqualTo(4);
    }

    // -------------------------------------------------------------------------------------------------------------
    // In a pool

    private static LoadBalancer.Builder pool(long clientId, List<Backend> backends) {
        return LoadBalancer.builder("subset").backends(backends).subsetting(Subsetting.deterministic(2, clientId))
                .random(new SplittableRandom(7)).slowStart(Duration.ZERO);
    }

    @Test
    void roundRobinRotatesInsideTheSubsetOnly() {
        LoadBalancer lb = pool(0, backends(7)).strategy(Strategy.roundRobin()).build();
        // client 0 of 7 backends, subsets of 2: 10.0.0.2 and 10.0.0.7, in the pool's order
        assertThat(lb.backends()).extracting(Backend::host).containsExactly("10.0.0.2", "10.0.0.7");
        List<String> picks = RoundRobinTest.picks(lb, 20);
        RoundRobinTest.assertRotationOf(picks, List.of("10.0.0.2", "10.0.0.7"));
        assertThat(lb.stats()).extracting(st -> st.backend().host()).containsExactly("10.0.0.2", "10.0.0.7");
        assertThat(lb.stats()).extracting(BackendStats::requests).containsExactly(10L, 10L);
    }

    @Test
    void theSubsetFollowsTheMembershipWithoutARestart() {
        List<LoadBalancerEvent> events = Collections.synchronizedList(new ArrayList<>());
        LoadBalancer lb = pool(1, backends(7)).listener(events::add).listenerExecutor(Runnable::run).build();
        assertThat(hosts(lb.backends())).isEqualTo(hosts("6", "3"));

        // Removing a backend outside the subset: this client's subset is recomputed, and the pool reports the
        // change of its own members only (here the 7 -> 6 pool still has 3 clients a round).
        List<Backend> six = new ArrayList<>(backends(7));
        six.remove(0); // 10.0.0.1, client 2's
        events.clear();
        lb.updateBackends(six);
        // 6 backends, 3 clients a round: client 1 still holds 10.0.0.6 and 10.0.0.3 (pinned like the assignment
        // above), so nothing changed for this pool.
        assertThat(hosts(lb.backends())).isEqualTo(hosts("6", "3"));
        assertThat(events).noneMatch(e -> e instanceof LoadBalancerEvent.MembershipChanged);

        // Removing a backend of the subset replaces it.
        List<Backend> without3 = new ArrayList<>(six);
        without3.removeIf(b -> b.host().equals("10.0.0.3"));
        lb.updateBackends(without3);
        assertThat(lb.backends()).isEqualTo(Subsetting.deterministic(2, 1).subsetOf(without3));
        assertThat(hosts(lb.backends())).isEqualTo(hosts("4", "5"));
        for (int i = 0; i < 20; i++) {
            assertThat(lb.backends()).contains(lb.pick());
        }

        // The pool grows: 12 backends, 6 clients a round; client 1 keeps its slice of the new round 0.
        events.clear();
        lb.updateBackends(backends(12));
        assertThat(hosts(lb.backends())).isEqualTo(hosts("10", "12"));
        List<LoadBalancerEvent.MembershipChanged> changes = events.stream()
                .filter(e -> e instanceof LoadBalancerEvent.MembershipChanged)
                .map(e -> (LoadBalancerEvent.MembershipChanged) e).collect(Collectors.toList());
        assertThat(changes).hasSize(1);
        assertThat(hosts(changes.get(0).added())).isEqualTo(hosts("10", "12"));
        assertThat(hosts(changes.get(0).removed())).isEqualTo(hosts("4", "5"));
        assertThat(changes.get(0).size()).isEqualTo(2);
    }

    @Test
    void aSetThatChangesOnlyOutsideTheSubsetChangesNothing() {
        List<LoadBalancerEvent> events = Collections.synchronizedList(new ArrayList<>());
        LoadBalancer lb = pool(0, backends(7)).listener(events::add).listenerExecutor(Runnable::run).build();
        List<Backend> before = lb.backends();
        // 10.0.0.1 is client 2's; a new weight on it is no change for client 0.
        List<Backend> reweighted = new ArrayList<>(backends(7));
        reweighted.set(0, reweighted.get(0).withWeight(5));
        events.clear();
        lb.updateBackends(reweighted);
        assertThat(lb.backends()).isEqualTo(before);
        assertThat(events).noneMatch(e -> e instanceof LoadBalancerEvent.MembershipChanged);
    }

    @Test
    void panicModeCountsTheSubsetOnly() {
        LoadBalancer lb = pool(0, backends(7))
                .outlierDetection(OutlierDetection.builder().consecutiveFailures(1).maxEjectionPercent(100).build())
                .build();
        Set<String> subset = hosts("2", "7");
        // Fail both members of the subset: every primary of this pool is ejected, so it panics and picks inside its
        // subset regardless of health. Had the five other backends counted, 5 of 7 would be healthy: no panic.
        for (int i = 0; i < 10 && !PoolInternals.inPanic(lb); i++) {
            try (Selection s = lb.select()) {
                assertThat(subset).contains(s.backend().host());
                s.failure(new RuntimeException("boom"));
            }
        }
        assertThat(PoolInternals.inPanic(lb)).isTrue();
        for (int i = 0; i < 20; i++) {
            assertThat(subset).contains(lb.pick().host());
        }
    }

    @Test
    void backendsOutsideTheSubsetAreNotHealthChecked() {
        ManualClock clock = new ManualClock();
        Map<String, Integer> checks = new ConcurrentHashMap<>();
        HealthChecker checker = b -> {
            checks.merge(b.host(), 1, Integer::sum);
            return CompletableFuture.completedFuture(HealthCheckResult.healthy());
        };
        LoadBalancer lb = pool(0, backends(7)).ticker(clock).checkScheduler(clock)
                .healthCheck(ActiveHealthCheck.builder(checker).interval(Duration.ofSeconds(10))
                        .jitter(Duration.ZERO).timeout(Duration.ofSeconds(2)).build())
                .build();
        clock.advanceSeconds(30);
        assertThat(checks.keySet()).isEqualTo(hosts("2", "7"));
        assertThat(new HashMap<>(checks).values()).allMatch(n -> n >= 2);
        lb.close();
    }
}

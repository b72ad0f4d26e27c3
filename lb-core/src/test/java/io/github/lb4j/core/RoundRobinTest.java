package io.github.lb4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RoundRobinTest {

    static List<String> picks(LoadBalancer lb, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            try (Selection s = lb.select()) {
                out.add(s.backend().host());
                s.success();
            }
        }
        return out;
    }

    static LoadBalancer pool(long seed, Backend... backends) {
        return LoadBalancer.builder("rr").backends(List.of(backends)).strategy(Strategy.roundRobin())
                .random(new SplittableRandom(seed)).build();
    }

    /** The sequence must be a rotation of {@code cycle} repeated. */
    static void assertRotationOf(List<String> actual, List<String> cycle) {
        int len = cycle.size();
        boolean matched = false;
        for (int phase = 0; phase < len && !matched; phase++) {
            List<String> rotated = new ArrayList<>(cycle);
            Collections.rotate(rotated, -phase);
            boolean ok = true;
            for (int i = 0; i < actual.size(); i++) {
                if (!actual.get(i).equals(rotated.get(i % len))) {
                    ok = false;
                    break;
                }
            }
            matched = ok;
        }
        assertThat(matched).as("%s is a repetition of a rotation of %s", actual, cycle).isTrue();
    }

    /**
     * Found by lb-okhttp's AsyncTest (1 run in about 400): with two backends and concurrent requests, a retry that
     * excluded the backend that had just failed was sent back to it. The picker drew more turns from the shared
     * cursor until one was not excluded, at most once per backend; other requests take turns in between, so every
     * draw could land on the excluded backend. Now a pick draws one turn and walks on from it: the turns other
     * requests take (the test sets the cursor as they would) cannot send it back.
     */
    @Test
    void anExcludingPickDrawsOneTurnAndWalksOnFromIt() {
        BackendState a = new BackendState(null, Backend.of("a", 1).withId("a"));
        BackendState b = new BackendState(null, Backend.of("b", 1).withId("b"));
        BackendState c = new BackendState(null, Backend.of("c", 1).withId("c"));
        AtomicInteger cursor = new AtomicInteger();
        Picker picker = new RoundRobinStrategy.Uniform(new BackendState[] {a, b, c}, cursor);
        RequestContext notA = RequestContext.empty().excluding(List.of("a"));
        RequestContext notAb = RequestContext.empty().excluding(List.of("a", "b"));
        for (int turn = 0; turn < 30; turn += 3) { // every turn that lands on a
            cursor.set(turn);
            assertThat(picker.pick(notA, 0L).id).as("turn %d excluding a", turn).isEqualTo("b");
            assertThat(cursor.get()).as("turns drawn").isEqualTo(turn + 1);
            cursor.set(turn);
            assertThat(picker.pick(notAb, 0L).id).as("turn %d excluding a and b", turn).isEqualTo("c");
            assertThat(cursor.get()).as("turns drawn").isEqualTo(turn + 1);
        }
        cursor.set(1);
        assertThat(picker.pick(notA, 0L).id).as("a turn that is not excluded is taken").isEqualTo("b");
        assertThat(picker.pick(RequestContext.empty(), 0L).id).as("and the rotation goes on").isEqualTo("c");
    }

    @Test
    void equalWeightsRotateStrictly() {
        LoadBalancer lb = pool(7, Backend.of("a", 1), Backend.of("b", 1), Backend.of("c", 1));
        assertRotationOf(picks(lb, 30), List.of("a", "b", "c"));
    }

    @Test
    void unequalWeightsFollowNginxSmoothOrder() {
        LoadBalancer lb = pool(7, Backend.of("a", 1).withWeight(5), Backend.of("b", 1), Backend.of("c", 1));
        assertRotationOf(picks(lb, 70), List.of("a", "a", "b", "a", "c", "a", "a"));
    }

    @Test
    void smoothScheduleMatchesNginxForOtherWeights() {
        // nginx ngx_http_upstream_get_peer with weights 4, 2, 1: a b a c a b a
        assertThat(RoundRobinStrategy.smooth(new int[] {4, 2, 1}, 7)).containsExactly(0, 1, 0, 2, 0, 1, 0);
        // weights 2, 1 reduce by gcd from 4, 2
        assertThat(RoundRobinStrategy.schedule(new int[] {4, 2})).containsExactly(0, 1, 0);
    }

    @Test
    void phaseDependsOnTheRandomSource() {
        Map<String, Integer> firstPicks = new HashMap<>();
        for (long seed = 0; seed < 40; seed++) {
            LoadBalancer lb = pool(seed, Backend.of("a", 1), Backend.of("b", 1), Backend.of("c", 1));
            firstPicks.merge(picks(lb, 1).get(0), 1, Integer::sum);
        }
        assertThat(firstPicks.keySet()).containsExactlyInAnyOrder("a", "b", "c");
    }

    @Test
    void exactProportionsOverEveryFullCycle() {
        int[] weights = {7, 3, 1, 12, 5};
        Backend[] backends = new Backend[weights.length];
        for (int i = 0; i < weights.length; i++) {
            backends[i] = Backend.of("h" + i, 1).withWeight(weights[i]);
        }
        LoadBalancer lb = pool(3, backends);
        int cycle = 28;
        for (int round = 0; round < 5; round++) {
            Map<String, Integer> counts = new HashMap<>();
            for (String h : picks(lb, cycle)) {
                counts.merge(h, 1, Integer::sum);
            }
            for (int i = 0; i < weights.length; i++) {
                assertThat(counts.get("h" + i)).isEqualTo(weights[i]);
            }
        }
    }

    @Test
    void largePoolsUseEarliestDeadlineWithExactCounts() {
        int n = 3000;
        int[] w = new int[n];
        for (int i = 0; i < n; i++) {
            w[i] = 1 + (i % 7);
        }
        int[] schedule = RoundRobinStrategy.schedule(w);
        assertThat((long) schedule.length * n).isGreaterThan(RoundRobinStrategy.MAX_SMOOTH_WORK);
        int[] counts = new int[n];
        for (int i : schedule) {
            counts[i]++;
        }
        assertThat(counts).isEqualTo(w);
        // Smooth: the heaviest backend never takes two turns in a row here.
        for (int k = 1; k < schedule.length; k++) {
            assertThat(schedule[k] == schedule[k - 1]).isFalse();
        }
    }

    @Test
    void cursorSurvivesMembershipChanges() {
        // Slow start off: the joining backend takes its full share at once (SlowStartTest covers the ramp).
        LoadBalancer lb = LoadBalancer.builder("rr")
                .backends(List.of(Backend.of("a", 1), Backend.of("b", 1), Backend.of("c", 1)))
                .strategy(Strategy.roundRobin()).random(new SplittableRandom(11))
                .slowStart(java.time.Duration.ZERO).build();
        picks(lb, 2);
        lb.updateBackends(List.of(Backend.of("a", 1), Backend.of("b", 1), Backend.of("c", 1), Backend.of("d", 1)));
        Map<String, Integer> counts = new HashMap<>();
        for (String h : picks(lb, 400)) {
            counts.merge(h, 1, Integer::sum);
        }
        assertThat(counts).containsOnlyKeys("a", "b", "c", "d").allSatisfy((k, v) -> assertThat(v).isEqualTo(100));
    }
}

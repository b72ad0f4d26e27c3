package io.github.lb4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class TwoChoicesTest {

    static final Backend A = Backend.of("a", 1);
    static final Backend B = Backend.of("b", 1);
    static final Backend C = Backend.of("c", 1);

    @Test
    void poolOfOneWorks() {
        for (Strategy s : List.of(Strategy.leastRequests(), Strategy.peakEwma())) {
            LoadBalancer lb = LoadBalancer.builder("one").backends(List.of(A)).strategy(s).build();
            for (int i = 0; i < 10; i++) {
                try (Selection sel = lb.select()) {
                    assertThat(sel.backend()).isEqualTo(A);
                }
            }
        }
    }

    @Test
    void candidatesAreAlwaysDistinct() {
        // A random source that always returns the same number would make a naive sampler compare a backend
        // with itself; ours must still compare two different backends.
        RandomGenerator stuck = () -> 0L;
        List<Selection> held = new ArrayList<>();
        LoadBalancer lb = LoadBalancer.builder("d").backends(List.of(A, B)).strategy(Strategy.leastRequests())
                .random(stuck).build();
        held.add(lb.select(RequestContext.ofPinned(A.id())));
        // A carries one call: a distinct comparison must choose B every time.
        for (int i = 0; i < 10; i++) {
            try (Selection s = lb.select()) {
                assertThat(s.backend()).isEqualTo(B);
            }
        }
        held.forEach(Selection::close);
        // Weighted pools too.
        LoadBalancer weighted = LoadBalancer.builder("w").backends(List.of(A.withWeight(5), B))
                .strategy(Strategy.leastRequests()).random(stuck).build();
        Selection busy = weighted.select(RequestContext.ofPinned(A.id()));
        try (Selection s = weighted.select()) {
            assertThat(s.backend().id()).isEqualTo(B.id());
        }
        busy.close();
    }

    @Test
    void leastRequestsAvoidsTheBusyBackend() {
        LoadBalancer lb = LoadBalancer.builder("lr").backends(List.of(A, B, C)).strategy(Strategy.leastRequests())
                .random(new SplittableRandom(1)).build();
        List<Selection> held = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            held.add(lb.select(RequestContext.ofPinned(A.id())));
        }
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 3000; i++) {
            try (Selection s = lb.select()) {
                counts.merge(s.backend().id(), 1, Integer::sum);
            }
        }
        assertThat(counts.getOrDefault(A.id(), 0)).isZero();
        held.forEach(Selection::success);
    }

    @Test
    void leastRequestsBalancesInFlightByWeight() {
        LoadBalancer lb = LoadBalancer.builder("lr").backends(List.of(A, B.withWeight(3)))
                .strategy(Strategy.leastRequests()).random(new SplittableRandom(2)).build();
        List<Selection> held = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            held.add(lb.select());
        }
        Map<String, Integer> inFlight = new HashMap<>();
        lb.stats().forEach(s -> inFlight.put(s.backend().id(), s.inFlight()));
        // With 2 backends every pick compares both, so in-flight / weight stays level: 100 and 300.
        assertThat(inFlight.get(A.id())).isBetween(99, 101);
        assertThat(inFlight.get(B.id())).isBetween(299, 301);
        held.forEach(Selection::success);
    }

    @Test
    void peakEwmaShiftsTrafficAwayFromASlowBackendAndBack() {
        FakeTicker ticker = new FakeTicker();
        LoadBalancer lb = LoadBalancer.builder("ewma").backends(List.of(A, B, C)).strategy(Strategy.peakEwma())
                .ticker(ticker).random(new SplittableRandom(4)).build();
        Map<String, Integer> counts = run(lb, ticker, 3000, Map.of("a", 10L, "b", 10L, "c", 10L));
        assertThat(counts.get("a")).isBetween(800, 1200);
        // b turns 20x slower: the peak estimate jumps at its first slow answer.
        counts = run(lb, ticker, 3000, Map.of("a", 10L, "b", 200L, "c", 10L));
        assertThat(counts.get("b")).isLessThan(100);
        // b recovers: its estimate decays while it is idle, each fast answer pulls it down further, and within
        // a few decay windows (10 s each; 12 000 calls of 10 ms here) it has its share back.
        counts = run(lb, ticker, 12_000, Map.of("a", 10L, "b", 10L, "c", 10L));
        assertThat(counts.get("b")).isGreaterThan(1000);
        Map<String, Integer> last = run(lb, ticker, 3000, Map.of("a", 10L, "b", 10L, "c", 10L));
        assertThat(last.get("b")).isBetween(700, 1300);
    }

    @Test
    void peakEwmaDoesNotSendTrafficToABackendThatFailsFast() {
        // b refuses connections in 1 ms while a and c answer in 10 ms. Measured by latency alone, b would be the
        // fastest backend and draw most of the traffic (the "black hole"); outlier detection is off so that only
        // the strategy's own failure penalty stands between them.
        FakeTicker ticker = new FakeTicker();
        LoadBalancer lb = LoadBalancer.builder("ewma").backends(List.of(A, B, C)).strategy(Strategy.peakEwma())
                .outlierDetection(OutlierDetection.disabled()).slowStart(java.time.Duration.ZERO)
                .ticker(ticker).random(new SplittableRandom(5)).build();
        run(lb, ticker, 3000, Map.of("a", 10L, "b", 10L, "c", 10L));
        Map<String, Integer> failures = new HashMap<>();
        for (int i = 0; i < 6000; i++) {
            try (Selection s = lb.select()) {
                String host = s.backend().host();
                if (host.equals("b")) {
                    ticker.advanceMillis(1);
                    s.failure(new java.io.IOException("connection refused"));
                    failures.merge(host, 1, Integer::sum);
                } else {
                    ticker.advanceMillis(10);
                    s.success();
                }
            }
        }
        // 6000 calls of ~10 ms = 60 s = six decay windows: b is retried now and then as its estimate decays,
        // but each retry doubles it again.
        assertThat(failures.getOrDefault("b", 0)).isLessThan(60);
    }

    @Test
    void peakEwmaForgivesALoneFailure() {
        FakeTicker ticker = new FakeTicker();
        LoadBalancer lb = LoadBalancer.builder("ewma").backends(List.of(A, B, C)).strategy(Strategy.peakEwma())
                .outlierDetection(OutlierDetection.disabled()).slowStart(java.time.Duration.ZERO)
                .ticker(ticker).random(new SplittableRandom(6)).build();
        run(lb, ticker, 3000, Map.of("a", 10L, "b", 10L, "c", 10L));
        try (Selection s = lb.select(RequestContext.ofPinned(B.id()))) {
            ticker.advanceMillis(10);
            s.failure(new java.io.IOException("reset"));
        }
        // One failure doubles b's estimate, not more: b keeps receiving calls while its fast answers pull the
        // estimate back, and within two decay windows it has its share again.
        Map<String, Integer> counts = run(lb, ticker, 1000, Map.of("a", 10L, "b", 10L, "c", 10L));
        assertThat(counts.get("b")).isGreaterThan(0);
        run(lb, ticker, 2000, Map.of("a", 10L, "b", 10L, "c", 10L));
        counts = run(lb, ticker, 3000, Map.of("a", 10L, "b", 10L, "c", 10L));
        assertThat(counts.get("b")).isBetween(800, 1200);
    }

    @Test
    void peakEwmaFollowsWeightsOnAnIdlePool() {
        // Sequential calls of equal latency: the estimates differ only by how long each backend has idled. A
        // strict cost comparison would favour the least recently used backend and level the picks.
        FakeTicker ticker = new FakeTicker();
        LoadBalancer lb = LoadBalancer.builder("ewma").backends(List.of(A.withWeight(6), B.withWeight(3), C))
                .strategy(Strategy.peakEwma()).slowStart(java.time.Duration.ZERO)
                .ticker(ticker).random(new SplittableRandom(7)).build();
        Map<String, Integer> counts = run(lb, ticker, 20_000, Map.of("a", 1L, "b", 1L, "c", 1L));
        assertThat(counts.get("a")).isBetween(11_600, 13_000); // 60%
        assertThat(counts.get("b")).isBetween(5_700, 6_300);   // 30%
        assertThat(counts.get("c")).isBetween(1_800, 2_200);   // 10%
    }

    /** Sequential requests: each takes the given latency (ms) on the fake clock. */
    static Map<String, Integer> run(LoadBalancer lb, FakeTicker ticker, int requests, Map<String, Long> latencyMs) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < requests; i++) {
            try (Selection s = lb.select()) {
                ticker.advanceMillis(latencyMs.get(s.backend().host()));
                s.success();
                counts.merge(s.backend().host(), 1, Integer::sum);
            }
        }
        return counts;
    }

    @Test
    void unmeasuredBackendIsNeitherStarvedNorFlooded() {
        FakeTicker ticker = new FakeTicker();
        // Slow start off: this is about the latency estimate, not the ramp (SlowStartTest covers that).
        LoadBalancer lb = LoadBalancer.builder("ewma").backends(List.of(A, B)).strategy(Strategy.peakEwma())
                .ticker(ticker).random(new SplittableRandom(8)).slowStart(java.time.Duration.ZERO).build();
        run(lb, ticker, 200, Map.of("a", 50L, "b", 50L, "c", 50L));
        lb.updateBackends(List.of(A, B, C));
        // c joins unmeasured. Hold calls open to create load: c must get some, but not all.
        List<Selection> held = new ArrayList<>();
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            Selection s = lb.select();
            counts.merge(s.backend().host(), 1, Integer::sum);
            held.add(s);
        }
        assertThat(counts.get("c")).isBetween(60, 140);
        held.forEach(Selection::close);
    }
}

package io.github.lb4j.simulator;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.RequestContext;
import io.github.lb4j.core.Selection;
import io.github.lb4j.core.Strategy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * How closely each real strategy follows backend weights, and how smoothly: picks on an idle pool (every selection
 * completes at once, so the load-aware strategies see equal load and must fall back on weights).
 *
 * <p>Thread-safety: stateless.
 */
public final class WeightedQuality {

    private WeightedQuality() {
    }

    /** Weight sets measured by the report. */
    public static final List<int[]> WEIGHT_SETS = List.of(
            new int[] {5, 1, 1},
            new int[] {1, 2, 3, 4},
            new int[] {1, 10, 100},
            new int[] {3, 3, 3, 1},
            new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 10});

    /**
     * @param strategy the strategy's name
     * @param weights the weight set
     * @param picks picks made
     * @param maxShareError the largest |observed share - weight share| / weight share over backends
     * @param longestRun the longest run of consecutive picks of one backend
     * @param idealRun the shortest longest-run any order can have: {@code ceil(w_max / (sum - w_max))}, at least 1
     */
    public record Row(String strategy, String weights, int picks, double maxShareError, int longestRun,
                      int idealRun) {
    }

    /**
     * @param strategy the strategy (hash strategies get a fresh key per pick)
     * @param weights backend weights
     * @param picks how many picks
     * @return the accuracy and smoothness
     */
    public static Row measure(Strategy strategy, int[] weights, int picks) {
        List<Backend> backends = new ArrayList<>();
        Map<String, Integer> index = new HashMap<>();
        long sum = 0;
        int max = 0;
        for (int i = 0; i < weights.length; i++) {
            Backend b = Backend.of("10.0.0." + (i + 1), 8080).withWeight(weights[i]);
            backends.add(b);
            index.put(b.id(), i);
            sum += weights[i];
            max = Math.max(max, weights[i]);
        }
        Simulator.VirtualClock clock = new Simulator.VirtualClock();
        LoadBalancer lb = LoadBalancer.builder("weights-" + strategy.name()).backends(backends).strategy(strategy)
                .ticker(clock).random(new SplittableRandom(11)).build();
        boolean hash = strategy instanceof io.github.lb4j.core.HashStrategy;
        long[] counts = new long[weights.length];
        int previous = -1;
        int run = 0;
        int longest = 0;
        for (int k = 0; k < picks; k++) {
            clock.now += 1_000_000L;
            RequestContext ctx = hash ? RequestContext.ofHashKey("key-" + k) : RequestContext.empty();
            Selection s = lb.select(ctx);
            clock.now += 1_000_000L; // every call takes 1 ms: equal latency, so weights alone should decide
            s.success();
            int i = index.get(s.backend().id());
            counts[i]++;
            run = i == previous ? run + 1 : 1;
            previous = i;
            longest = Math.max(longest, run);
        }
        lb.close();
        double worst = 0;
        for (int i = 0; i < weights.length; i++) {
            double expected = weights[i] / (double) sum;
            double observed = counts[i] / (double) picks;
            worst = Math.max(worst, Math.abs(observed - expected) / expected);
        }
        int ideal = (int) Math.max(1, Math.ceil(max / (double) Math.max(1, sum - max)));
        StringBuilder w = new StringBuilder();
        for (int i = 0; i < weights.length; i++) {
            w.append(i == 0 ? "" : ":").append(weights[i]);
        }
        return new Row(strategy.name(), w.toString(), picks, worst, longest, ideal);
    }

    /** @return the strategies the report measures */
    public static List<Strategy> strategies() {
        return List.of(Strategy.roundRobin(), Strategy.random(), Strategy.leastRequests(), Strategy.peakEwma(),
                Strategy.ringHash(), Strategy.maglev(), Strategy.rendezvous());
    }
}

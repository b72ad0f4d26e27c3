package io.github.lb4j.simulator;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.HashStrategy;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.RequestContext;
import io.github.lb4j.core.Selection;
import io.github.lb4j.core.Strategy;
import io.github.lb4j.core.internal.PoolInternals;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Measures the real lb-core hash strategies: spread of keys, keys moved on membership changes, Maglev with failed
 * backends, table build time, and bounded loads under a hot key. Keys are {@code "key-" + i}; backends are
 * {@code 10.a.b.c:8080} as in the JMH benchmarks.
 *
 * <p>Thread-safety: stateless; every method builds its own pools.
 */
public final class HashQuality {

    private HashQuality() {
    }

    /** The three hash strategies, unbounded. */
    public static List<HashStrategy> strategies() {
        return List.of(Strategy.ringHash(), Strategy.maglev(), Strategy.rendezvous());
    }

    /**
     * Spread of keys over backends.
     *
     * @param strategy the hash strategy
     * @param n backends
     * @param exactMaxOverMean most loaded backend's exact share of the hash space times n (NaN for rendezvous,
     *     which has no partition of the hash space: each key draws independently, so its expected share is exactly
     *     1/n and all its spread is sampling noise)
     * @param sampledMaxOverMean most keys on one backend divided by keys / n
     * @param noiseFloor the same figure for keys thrown uniformly at random (seeded): what sampling alone gives
     */
    public record Balance(String strategy, int n, int keys, double exactMaxOverMean, double sampledMaxOverMean,
                          double noiseFloor) {
    }

    /**
     * Keys moved when one backend is removed (ideal: its 1/n share) or added (ideal: 1/(n+1)).
     *
     * @param strategy the hash strategy
     * @param n backends before the change
     * @param removedRatio fraction of keys that moved on removal divided by 1/n
     * @param addedRatio fraction of keys that moved on addition divided by 1/(n+1)
     */
    public record Movement(String strategy, int n, int keys, double removedRatio, double addedRatio) {
    }

    /**
     * Maglev (or another strategy) after {@code failedPercent}% of backends leave.
     *
     * @param movedRatio fraction of keys moved divided by the failed fraction (1.0 is ideal)
     * @param maxOverMeanAfter exact max/mean share over the survivors
     * @param tableSize the lookup table size (0 if not Maglev)
     */
    public record Failed(String strategy, int n, int failedPercent, double movedRatio, double maxOverMeanAfter,
                         int tableSize) {
    }

    /**
     * @param millis median wall time to build a pool (and so its ring or table), in milliseconds
     */
    public record Build(String strategy, int n, double millis) {
    }

    /**
     * Bounded loads with one hot key.
     *
     * @param maxOverMean the worst, over the run, of the most calls in flight on one backend over the mean
     * @param bound the worst of {@code ceil(factor x (m + 1) / n) / (m / n)} at the same moments: the algorithm's cap
     * @param unboundedMaxOverMean the same run's figure without the bound
     * @param movedOffHome share of non-hot requests not served by their key's first choice
     */
    public record Bounded(String strategy, int n, double factor, double hotShare, double maxOverMean, double bound,
                          double unboundedMaxOverMean, double movedOffHome) {
    }

    static List<Backend> backends(int n) {
        List<Backend> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(Backend.of("10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255), 8080));
        }
        return out;
    }

    static LoadBalancer pool(Strategy s, List<Backend> backends) {
        return LoadBalancer.builder("hash-" + s.name()).backends(backends).strategy(s)
                .random(new SplittableRandom(1)).build();
    }

    /** @return for each key, the index in {@code backends} of the backend it maps to */
    static int[] map(LoadBalancer lb, List<Backend> backends, int keys) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < backends.size(); i++) {
            index.put(backends.get(i).id(), i);
        }
        int[] out = new int[keys];
        for (int k = 0; k < keys; k++) {
            try (Selection s = lb.select(RequestContext.ofHashKey("key-" + k))) {
                out[k] = index.get(s.backend().id());
            }
        }
        return out;
    }

    /**
     * @param strategy the strategy
     * @param n backends
     * @param keys keys to map
     * @return the spread
     */
    public static Balance balance(HashStrategy strategy, int n, int keys) {
        List<Backend> b = backends(n);
        LoadBalancer lb = pool(strategy, b);
        Map<String, Double> shares = PoolInternals.hashShares(lb);
        double exact = Double.NaN;
        if (shares != null) {
            double max = 0;
            for (double s : shares.values()) {
                max = Math.max(max, s);
            }
            exact = max * n;
        }
        int[] mapping = map(lb, b, keys);
        lb.close();
        long[] counts = new long[n];
        for (int i : mapping) {
            counts[i]++;
        }
        long[] uniform = new long[n];
        SplittableRandom r = new SplittableRandom(42);
        for (int k = 0; k < keys; k++) {
            uniform[r.nextInt(n)]++;
        }
        double mean = keys / (double) n;
        return new Balance(strategy.name(), n, keys, exact, max(counts) / mean, max(uniform) / mean);
    }

    /**
     * @param strategy the strategy
     * @param n backends before each change
     * @param keys keys to map
     * @return keys moved on removing the middle backend, and on adding one
     */
    public static Movement movement(HashStrategy strategy, int n, int keys) {
        List<Backend> all = backends(n + 1);
        List<Backend> base = all.subList(0, n);
        LoadBalancer lb = pool(strategy, base);
        String[] before = ids(lb, keys);
        List<Backend> removed = new ArrayList<>(base);
        removed.remove(n / 2);
        lb.updateBackends(removed);
        double movedOnRemove = moved(before, ids(lb, keys));
        lb.updateBackends(all);
        String[] afterAdd = ids(lb, keys);
        lb.close();
        LoadBalancer fresh = pool(strategy, base);
        double movedOnAdd = moved(ids(fresh, keys), afterAdd);
        fresh.close();
        return new Movement(strategy.name(), n, keys, movedOnRemove * n, movedOnAdd * (n + 1));
    }

    /**
     * @param strategy the strategy
     * @param n backends
     * @param failedPercent percentage of backends removed (every k-th), 1 to 99
     * @param keys keys to map
     * @return keys moved relative to the failed share, and the spread over the survivors
     */
    public static Failed failed(HashStrategy strategy, int n, int failedPercent, int keys) {
        List<Backend> b = backends(n);
        LoadBalancer lb = pool(strategy, b);
        int tableSize = PoolInternals.maglevTableSize(lb);
        String[] before = ids(lb, keys);
        int fail = Math.max(1, Math.round(n * failedPercent / 100f));
        List<Backend> survivors = new ArrayList<>(b);
        SplittableRandom r = new SplittableRandom(failedPercent);
        for (int i = 0; i < fail; i++) {
            survivors.remove(r.nextInt(survivors.size()));
        }
        lb.updateBackends(survivors);
        double moved = moved(before, ids(lb, keys));
        Map<String, Double> shares = PoolInternals.hashShares(lb);
        double maxOverMean = Double.NaN;
        if (shares != null) {
            double max = 0;
            for (double s : shares.values()) {
                max = Math.max(max, s);
            }
            maxOverMean = max * survivors.size();
        }
        lb.close();
        return new Failed(strategy.name(), n, failedPercent, moved / (fail / (double) n), maxOverMean, tableSize);
    }

    /**
     * @param strategy the strategy
     * @param n backends
     * @param repeats builds to time (the median is reported)
     * @return the median build time
     */
    public static Build buildTime(HashStrategy strategy, int n, int repeats) {
        List<Backend> b = backends(n);
        double[] ms = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            LoadBalancer lb = pool(strategy, b);
            ms[i] = (System.nanoTime() - t0) / 1e6;
            lb.close();
        }
        Arrays.sort(ms);
        return new Build(strategy.name(), n, ms[repeats / 2]);
    }

    /**
     * A sliding window of {@code window} calls in flight (each step completes the oldest and starts one); a share
     * {@code hotShare} of the requests carries one hot key, the rest one of 10 000 keys. Tracks the most calls in
     * flight on one backend against the mean.
     *
     * @param strategy the strategy, without the bound (this method adds it)
     * @param n backends
     * @param factor the bounded-load factor
     * @param hotShare share of requests with the hot key
     * @param window calls in flight
     * @param steps requests to run
     * @return the measured load spread, with and without the bound
     */
    public static Bounded boundedLoad(HashStrategy strategy, int n, double factor, double hotShare, int window,
                                      int steps) {
        double[] unbounded = runWindow(strategy, n, hotShare, window, steps, 0);
        double[] bounded = runWindow(strategy.withBoundedLoad(factor), n, hotShare, window, steps, factor);
        return new Bounded(strategy.withBoundedLoad(factor).name(), n, factor, hotShare, bounded[0], bounded[1],
                unbounded[0], bounded[2]);
    }

    /** @return {max/mean, bound/mean, share moved off home} */
    private static double[] runWindow(HashStrategy strategy, int n, double hotShare, int window, int steps,
                                      double factor) {
        List<Backend> b = backends(n);
        LoadBalancer lb = pool(strategy, b);
        LoadBalancer home = pool(strategy.balanceFactor() > 0 ? baseOf(strategy) : strategy, b);
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < n; i++) {
            index.put(b.get(i).id(), i);
        }
        int[] inFlight = new int[n];
        ArrayDeque<Selection> open = new ArrayDeque<>();
        SplittableRandom r = new SplittableRandom(3);
        double worst = 0;
        double worstBound = 0;
        long cold = 0;
        long offHome = 0;
        for (int step = 0; step < steps; step++) {
            if (open.size() == window) {
                Selection done = open.poll();
                inFlight[index.get(done.backend().id())]--;
                done.success();
            }
            boolean hot = r.nextDouble() < hotShare;
            String key = hot ? "hot" : "key-" + r.nextInt(10_000);
            RequestContext ctx = RequestContext.ofHashKey(key);
            Selection s = lb.select(ctx);
            int i = index.get(s.backend().id());
            inFlight[i]++;
            open.add(s);
            if (!hot) {
                cold++;
                try (Selection h = home.select(ctx)) {
                    if (!h.backend().id().equals(s.backend().id())) {
                        offHome++;
                    }
                }
            }
            if (open.size() == window) {
                double mean = window / (double) n;
                int max = 0;
                for (int c : inFlight) {
                    max = Math.max(max, c);
                }
                worst = Math.max(worst, max / mean);
                if (factor > 0) {
                    // the cap the last pick was held to: m = calls in flight before it
                    worstBound = Math.max(worstBound, Math.ceil(factor * window / n) / mean);
                }
            }
        }
        for (Selection s : open) {
            s.close();
        }
        lb.close();
        home.close();
        return new double[] {worst, worstBound, cold == 0 ? 0 : offHome / (double) cold};
    }

    private static HashStrategy baseOf(HashStrategy s) {
        String name = s.name();
        if (name.startsWith("ringHash")) {
            return Strategy.ringHash();
        }
        if (name.startsWith("maglev")) {
            return Strategy.maglev();
        }
        return Strategy.rendezvous();
    }

    private static String[] ids(LoadBalancer lb, int keys) {
        String[] out = new String[keys];
        for (int k = 0; k < keys; k++) {
            try (Selection s = lb.select(RequestContext.ofHashKey("key-" + k))) {
                out[k] = s.backend().id();
            }
        }
        return out;
    }

    private static double moved(String[] a, String[] b) {
        long moved = 0;
        for (int i = 0; i < a.length; i++) {
            if (!a[i].equals(b[i])) {
                moved++;
            }
        }
        return moved / (double) a.length;
    }

    private static long max(long[] a) {
        long m = 0;
        for (long x : a) {
            m = Math.max(m, x);
        }
        return m;
    }
}

package io.github.lb4j.simulator;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.OutlierDetection;
import io.github.lb4j.core.Strategy;
import io.github.lb4j.core.Subsetting;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Deterministic subsetting against random subsetting (issue 17): a fleet of clients, each keeping a subset of a
 * service's backends. Three ways to choose the subsets, all seeded:
 *
 * <ul>
 *   <li>{@code random}: every client takes {@code k} backends uniformly at random (the highest {@code k} of a seeded
 *       hash of (client, backend), so that a removal replaces only the removed backend);</li>
 *   <li>{@code SRE book (shuffle)}: the book's algorithm as written, the backends sorted by id then shuffled by
 *       Fisher-Yates with a generator seeded by the round number;</li>
 *   <li>{@code lb4j deterministic}: {@link Subsetting#deterministic} itself, the same rounds with each round ordered by
 *       a round-seeded hash of the ids.</li>
 * </ul>
 *
 * <p>Per way: connections per backend (clients holding it) max/mean and min/mean; the request load per backend
 * max/mean when every client sends the same number of requests through a real lb-core pool (round robin) built with
 * that subset; and how many clients' subsets change when one backend is removed (averaged over several removals).
 *
 * <p>Thread-safety: stateless.
 */
public final class SubsettingQuality {

    /** The fleet: 1000 clients of 300 backends, subsets of 10. */
    public static final int CLIENTS = 1000;
    public static final int BACKENDS = 300;
    public static final int SUBSET = 10;

    private SubsettingQuality() {
    }

    /**
     * Prints the section of {@code docs/PERFORMANCE.md} ({@link SimulatorReport} prints it among the others) and
     * writes {@code sim-subsetting.png}.
     *
     * <pre>
     * mvn -q -B -Pdemo -pl lb-examples -am package exec:java -DskipTests \
     *     -Ddemo.main=io.github.lb4j.simulator.SubsettingQuality -Dexec.args="docs"
     * </pre>
     *
     * @param args the directory for the chart (default {@code docs}); {@code --quick} as a second argument averages
     *     10 removals instead of 30
     * @throws java.io.IOException if the chart cannot be written
     */
    public static void main(String[] args) throws java.io.IOException {
        java.nio.file.Path dir = java.nio.file.Path.of(args.length > 0 ? args[0] : "docs");
        boolean quick = args.length > 1 && args[1].equals("--quick");
        SimulatorReport.subsetting(dir, quick, System.out);
    }

    /** How a client's subset is chosen. */
    public enum Way {
        RANDOM("random"),
        SHUFFLE("SRE book (shuffle)"),
        LB4J("lb4j deterministic");

        private final String label;

        Way(String label) {
            this.label = label;
        }

        /** @return the row label */
        public String label() {
            return label;
        }
    }

    /**
     * @param way how subsets are chosen
     * @param connectionsMaxOverMean the most clients any backend has, over the mean
     * @param connectionsMinOverMean the fewest clients any backend has, over the mean
     * @param requestsMaxOverMean the busiest backend's requests over the mean
     * @param movedShare share of clients whose subset changes when one backend is removed (mean over the removals)
     * @param holdersShare share of clients that held the removed backend (the least a removal can move)
     * @param movedOffMultiple the same as {@code movedShare} for a pool of {@code backends + k / 2} backends when
     *     {@code backends} is a multiple of {@code k} (305 for 300 and 10): a size whose rounds keep their number of
     *     clients when one backend goes, where {@code backends} itself crosses a multiple of {@code k}
     * @param connections clients per backend, sorted ascending (for the chart)
     */
    public record Row(Way way, double connectionsMaxOverMean, double connectionsMinOverMean,
                      double requestsMaxOverMean, double movedShare, double holdersShare, double movedOffMultiple,
                      int[] connections) {
    }

    /**
     * @param clients clients, ids 0 to clients - 1
     * @param backends backends in the pool
     * @param k subset size
     * @param requestsPerClient requests each client sends through its pool
     * @param removals how many single removals the stability figure averages (spread over the pool)
     * @param seed the random subsetting's seed
     * @return one row per way
     */
    public static List<Row> measure(int clients, int backends, int k, int requestsPerClient, int removals,
                                    long seed) {
        List<Backend> pool = pool(backends);
        // A pool size that is not a multiple of k (the rounds keep their size when one backend goes): 305 for 300.
        List<Backend> offMultiple = pool(backends % k == 0 ? backends + k / 2 : backends);
        List<Row> rows = new ArrayList<>();
        for (Way way : Way.values()) {
            List<List<Backend>> subsets = subsets(way, pool, clients, k, seed);
            int[] conns = connections(pool, subsets);
            double mean = (double) clients * Math.min(k, backends) / backends;
            int[] loads = requestLoads(pool, subsets, requestsPerClient);
            double meanLoad = (double) clients * requestsPerClient / backends;
            double[] moved = moved(way, pool, subsets, clients, k, removals, seed);
            List<List<Backend>> offSubsets = subsets(way, offMultiple, clients, k, seed);
            double[] movedOff = moved(way, offMultiple, offSubsets, clients, k, removals, seed);
            int[] sorted = conns.clone();
            java.util.Arrays.sort(sorted);
            rows.add(new Row(way, sorted[sorted.length - 1] / mean, sorted[0] / mean, max(loads) / meanLoad,
                    moved[0], moved[1], movedOff[0], sorted));
        }
        return rows;
    }

    static List<Backend> pool(int n) {
        List<Backend> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(Backend.of("10.1." + (i / 250) + "." + (i % 250 + 1), 8080));
        }
        return out;
    }

    static List<List<Backend>> subsets(Way way, List<Backend> pool, int clients, int k, long seed) {
        List<List<Backend>> out = new ArrayList<>(clients);
        for (int c = 0; c < clients; c++) {
            out.add(subset(way, pool, c, k, seed));
        }
        return out;
    }

    static List<Backend> subset(Way way, List<Backend> pool, long client, int k, long seed) {
        switch (way) {
            case RANDOM:
                return randomSubset(pool, client, k, seed);
            case SHUFFLE:
                return shuffleSubset(pool, client, k);
            default:
                return Subsetting.deterministic(k, client).subsetOf(pool);
        }
    }

    /** The {@code k} backends with the highest seeded hash of (client, id): a uniform random k-subset per client. */
    static List<Backend> randomSubset(List<Backend> pool, long client, int k, long seed) {
        List<Backend> order = new ArrayList<>(pool);
        Map<String, Long> key = new HashMap<>();
        for (Backend b : pool) {
            key.put(b.id(), mix(seed ^ mix(client + 0x632BE59BD9B4E019L) ^ mix(b.id().hashCode())));
        }
        order.sort(Comparator.comparing((Backend b) -> key.get(b.id())).thenComparing(Backend::id));
        return List.copyOf(order.subList(0, Math.min(k, order.size())));
    }

    /** The book's algorithm as written: sort, shuffle with the round as the seed, take the client's slice. */
    static List<Backend> shuffleSubset(List<Backend> pool, long client, int k) {
        int n = pool.size();
        if (k >= n) {
            return pool;
        }
        List<Backend> order = new ArrayList<>(pool);
        order.sort(Comparator.comparing(Backend::id));
        int perRound = n / k;
        long round = client / perRound;
        int slice = (int) (client % perRound);
        SplittableRandom random = new SplittableRandom(round);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Backend t = order.get(i);
            order.set(i, order.get(j));
            order.set(j, t);
        }
        return List.copyOf(order.subList(slice * k, slice * k + k));
    }

    static int[] connections(List<Backend> pool, List<List<Backend>> subsets) {
        Map<String, Integer> index = index(pool);
        int[] conns = new int[pool.size()];
        for (List<Backend> s : subsets) {
            for (Backend b : s) {
                conns[index.get(b.id())]++;
            }
        }
        return conns;
    }

    /** Every client sends {@code requests} picks through its own lb-core pool (round robin) over its subset. */
    static int[] requestLoads(List<Backend> pool, List<List<Backend>> subsets, int requests) {
        Map<String, Integer> index = index(pool);
        int[] loads = new int[pool.size()];
        for (int c = 0; c < subsets.size(); c++) {
            try (LoadBalancer lb = LoadBalancer.builder("client-" + c).backends(subsets.get(c))
                    .strategy(Strategy.roundRobin()).random(new SplittableRandom(c))
                    .outlierDetection(OutlierDetection.disabled()).slowStart(Duration.ZERO).build()) {
                for (int r = 0; r < requests; r++) {
                    loads[index.get(lb.pick().id())]++;
                }
            }
        }
        return loads;
    }

    /**
     * @return the mean share of clients whose subset changes when one backend is removed, and the mean share that
     *     held it, over {@code removals} removals spread over the pool
     */
    static double[] moved(Way way, List<Backend> pool, List<List<Backend>> before, int clients, int k,
                          int removals, long seed) {
        long moved = 0;
        long holders = 0;
        int n = pool.size();
        for (int r = 0; r < removals; r++) {
            Backend gone = pool.get((int) ((long) r * n / removals));
            List<Backend> after = new ArrayList<>(pool);
            after.remove(gone);
            for (int c = 0; c < clients; c++) {
                Set<String> was = ids(before.get(c));
                if (was.contains(gone.id())) {
                    holders++;
                }
                if (!was.equals(ids(subset(way, after, c, k, seed)))) {
                    moved++;
                }
            }
        }
        return new double[] {(double) moved / ((long) removals * clients),
            (double) holders / ((long) removals * clients)};
    }

    private static Set<String> ids(List<Backend> backends) {
        Set<String> out = new HashSet<>();
        for (Backend b : backends) {
            out.add(b.id());
        }
        return out;
    }

    private static Map<String, Integer> index(List<Backend> pool) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < pool.size(); i++) {
            index.put(pool.get(i).id(), i);
        }
        return index;
    }

    private static int max(int[] a) {
        int m = Integer.MIN_VALUE;
        for (int x : a) {
            m = Math.max(m, x);
        }
        return m;
    }

    /** SplitMix64's finalizer. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

package io.github.lb4j.core.internal;

import io.github.lb4j.core.LoadBalancer;
import java.util.Map;
import java.util.Objects;

/**
 * Read-only views of what a pool's pickers know exactly, for lb4j's own tools (lb-simulator measures hash quality
 * with them). Not API: the pickers stay package-private in {@code io.github.lb4j.core}, and this facade reaches them
 * through an {@link Accessor} that lb-core registers from a static initializer of its pool class, which has run
 * before any pool exists (the accessor pattern: a package hands a trusted neighbour one narrow door instead of making
 * its classes public).
 *
 * <pre>{@code
 * LoadBalancer pool = LoadBalancer.builder("ring").backends(backends).strategy(Strategy.ringHash()).build();
 * Map<String, Double> shares = PoolInternals.hashShares(pool); // backend id -> share of the hash space
 * }</pre>
 *
 * <p>Thread-safety: every method reads one published snapshot of the pool; safe from any thread.
 */
public final class PoolInternals {

    /** What lb-core implements; set once, by lb-core. */
    public interface Accessor {
        /** @see PoolInternals#hashShares */
        Map<String, Double> hashShares(LoadBalancer pool);

        /** @see PoolInternals#maglevTableSize */
        int maglevTableSize(LoadBalancer pool);

        /** @see PoolInternals#observe */
        PoolObserver.Registration observe(LoadBalancer pool, PoolObserver observer);

        /** @see PoolInternals#inPanic */
        boolean inPanic(LoadBalancer pool);

        /** @see PoolInternals#healthCounts */
        int[] healthCounts(LoadBalancer pool);

        /** @see PoolInternals#observedTimingWeight */
        int observedTimingWeight(LoadBalancer pool);
    }

    private static volatile Accessor accessor;

    private PoolInternals() {
    }

    /**
     * Called once by lb-core's pool class as it is initialised.
     *
     * @param implementation lb-core's accessor
     * @throws IllegalStateException if an accessor is already registered
     */
    public static synchronized void register(Accessor implementation) {
        Objects.requireNonNull(implementation, "implementation");
        if (accessor != null) {
            throw new IllegalStateException("an accessor is already registered: " + accessor);
        }
        accessor = implementation;
    }

    /**
     * @param pool a pool built by {@link LoadBalancer#builder}
     * @return backend id to its exact share of the hash space for ring hash (sum of its arcs) and Maglev (its table
     *     slots over the table size); null for strategies without a partition of the hash space
     * @throws IllegalArgumentException if {@code pool} was not built by {@link LoadBalancer#builder}
     */
    public static Map<String, Double> hashShares(LoadBalancer pool) {
        return accessor(pool).hashShares(pool);
    }

    /**
     * @param pool a pool built by {@link LoadBalancer#builder}
     * @return the size of its Maglev lookup table, or 0 for another strategy
     * @throws IllegalArgumentException if {@code pool} was not built by {@link LoadBalancer#builder}
     */
    public static int maglevTableSize(LoadBalancer pool) {
        return accessor(pool).maglevTableSize(pool);
    }

    /**
     * Observes a pool that is already built: from now on it reports to {@code observer} (see {@link PoolObserver}),
     * starting with its current members. A pool may have several observers.
     *
     * @param pool a pool built by {@link LoadBalancer#builder}
     * @param observer what to tell
     * @return how to stop
     * @throws IllegalArgumentException if {@code pool} was not built by {@link LoadBalancer#builder}
     * @throws IllegalStateException if the pool is closed
     */
    public static PoolObserver.Registration observe(LoadBalancer pool, PoolObserver observer) {
        Objects.requireNonNull(observer, "observer");
        return accessor(pool).observe(pool, observer);
    }

    /**
     * @param pool a pool built by {@link LoadBalancer#builder}
     * @return whether it is in panic mode now (lock-free)
     * @throws IllegalArgumentException if {@code pool} was not built by {@link LoadBalancer#builder}
     */
    public static boolean inPanic(LoadBalancer pool) {
        return accessor(pool).inPanic(pool);
    }

    /**
     * @param pool a pool built by {@link LoadBalancer#builder}
     * @return its backends in each {@link io.github.lb4j.core.BackendHealth}, indexed by ordinal, draining ones
     *     included (lock-free; the members of one snapshot and the draining count of the moment)
     * @throws IllegalArgumentException if {@code pool} was not built by {@link LoadBalancer#builder}
     */
    public static int[] healthCounts(LoadBalancer pool) {
        return accessor(pool).healthCounts(pool);
    }

    /**
     * @param pool a pool built by {@link LoadBalancer#builder}
     * @return how many selections each latency an observer receives stands for: 1 when the pool times every
     *     selection (its strategy uses latency or the clock), else the sampling period (see
     *     {@link PoolObserver#finished}); a fixed property of the pool
     * @throws IllegalArgumentException if {@code pool} was not built by {@link LoadBalancer#builder}
     */
    public static int observedTimingWeight(LoadBalancer pool) {
        return accessor(pool).observedTimingWeight(pool);
    }

    private static Accessor accessor(LoadBalancer pool) {
        Objects.requireNonNull(pool, "pool");
        Accessor a = accessor;
        if (a == null) {
            // No pool was ever built, so this one was not built by LoadBalancer.builder either.
            throw new IllegalArgumentException("not a pool built by LoadBalancer.builder: " + pool);
        }
        return a;
    }
}

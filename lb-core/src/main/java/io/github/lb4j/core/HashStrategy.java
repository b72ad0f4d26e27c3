package io.github.lb4j.core;

/**
 * A consistent-hash {@link Strategy}: {@link Strategy#ringHash()}, {@link Strategy#maglev()} or
 * {@link Strategy#rendezvous()}. Requests with the same {@link RequestContext#ofHashKey hash key} go to the same
 * backend while it is available; when it is not, the key falls back deterministically to its next candidate.
 * Requests without a key go to a random backend.
 *
 * <pre>{@code
 * Strategy s = Strategy.ringHash().withBoundedLoad(1.25);
 * }</pre>
 *
 * <p>Thread-safety: immutable.
 */
public abstract class HashStrategy extends Strategy {

    /** The largest accepted bounded-load factor; above it the bound never binds. */
    public static final double MAX_BALANCE_FACTOR = 100.0;

    final double balanceFactor;

    HashStrategy(double balanceFactor) {
        this.balanceFactor = balanceFactor;
    }

    /**
     * Consistent hashing with bounded loads (Mirrokni, Thorup, Zadimoghaddam 2018): a backend whose calls in flight
     * would exceed {@code factor} times the pool's mean (scaled by its weight) is skipped, and the key spills over to
     * its next candidate, deterministically. Keeps hot keys from crushing one backend at the cost of some affinity.
     *
     * @param factor greater than 1.0 (1.25 is a common choice), at most {@link #MAX_BALANCE_FACTOR}
     * @return a copy of this strategy with the bound
     * @throws IllegalArgumentException if {@code factor} is out of range
     */
    public abstract HashStrategy withBoundedLoad(double factor);

    static double checkFactor(double factor) {
        if (!(factor > 1.0 && factor <= MAX_BALANCE_FACTOR)) {
            throw new IllegalArgumentException(
                    "balance factor must be greater than 1.0 and at most " + MAX_BALANCE_FACTOR + ", got " + factor);
        }
        return factor;
    }

    /** @return the bounded-load factor, or 0 when loads are not bounded */
    public double balanceFactor() {
        return balanceFactor;
    }

    @Override
    boolean supportsSlowStart() {
        return false;
    }

    String suffix() {
        return balanceFactor > 0 ? "(boundedLoad=" + balanceFactor + ")" : "";
    }
}

package io.github.lb4j.core;

import java.util.random.RandomGenerator;

/**
 * Base of the consistent-hash pickers: keyless requests get a random hash; a candidate is acceptable when it is not
 * excluded and, with bounded loads, when one more call keeps it within {@code factor x mean x weight share}.
 */
abstract class HashPicker implements Picker {

    final BackendState[] backends;
    final int[] weights;
    private final double totalWeight;
    private final RandomGenerator random;
    private final PoolContext pool;
    private final double factor;

    HashPicker(BackendState[] backends, int[] weights, PoolContext pool, double factor) {
        this.backends = backends;
        this.weights = weights;
        this.totalWeight = Weights.sum(weights);
        this.random = pool.random;
        this.pool = pool;
        this.factor = factor;
    }

    @Override
    public final BackendState pick(RequestContext ctx, long now) {
        long hash = ctx.hasHashKey() ? ctx.hash() : random.nextLong();
        boolean constrained = factor > 0 || ctx.hasExclusions();
        return backends[constrained ? pickConstrained(hash, ctx) : pickFirst(hash)];
    }

    /** @return the index of the key's first candidate, ignoring load and exclusions */
    abstract int pickFirst(long hash);

    /** @return the index of the key's first acceptable candidate, walking its candidates in a fixed order */
    abstract int pickConstrained(long hash, RequestContext ctx);

    final boolean acceptable(int i, RequestContext ctx) {
        BackendState s = backends[i];
        if (ctx.isExcluded(s.id)) {
            return false;
        }
        if (factor <= 0) {
            return true;
        }
        // Mirrokni et al.: capacity ceil(c x (m + 1) / n) where m counts calls in flight, here scaled by weight.
        double cap = Math.ceil(factor * (pool.totalInFlight.get() + 1) * weights[i] / totalWeight);
        return s.inFlight() + 1 <= cap;
    }

    /**
     * Last resort when a walk found nothing acceptable (possible only with rounding on tiny weights): the first
     * candidate not excluded, in index order from {@code start}.
     */
    final int firstNotExcluded(int start, RequestContext ctx) {
        for (int k = 0; k < backends.length; k++) {
            int i = (start + k) % backends.length;
            if (!ctx.isExcluded(backends[i].id)) {
                return i;
            }
        }
        return start;
    }

    /** A per-backend hash that depends on the id only, so a backend's points do not move when others change. */
    static long idHash(BackendState s) {
        return Hashing.hash(s.id);
    }
}

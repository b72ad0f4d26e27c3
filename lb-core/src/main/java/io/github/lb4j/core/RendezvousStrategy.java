package io.github.lb4j.core;

/**
 * Weighted rendezvous hashing: backend i scores {@code -w_i / ln(u)} with {@code u} a uniform hash of the key and
 * the backend's id in (0, 1); the highest score wins, and the order of scores gives every key its fallback order.
 * With equal weights the hash itself is the score, which skips the logarithm.
 */
final class RendezvousStrategy extends HashStrategy {

    RendezvousStrategy(double factor) {
        super(factor);
    }

    @Override
    public HashStrategy withBoundedLoad(double factor) {
        return new RendezvousStrategy(checkFactor(factor));
    }

    @Override
    public String name() {
        return "rendezvous" + suffix();
    }

    @Override
    PickerFactory newFactory(PoolContext context) {
        if (balanceFactor > 0) {
            context.trackTotalInFlight = true;
        }
        return (backends, weights) -> new RendezvousPicker(backends, weights, context, balanceFactor);
    }

    static final class RendezvousPicker extends HashPicker {
        private final long[] ids;
        private final boolean uniform;

        RendezvousPicker(BackendState[] backends, int[] weights, PoolContext pool, double factor) {
            super(backends, weights, pool, factor);
            ids = new long[backends.length];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = idHash(backends[i]);
            }
            uniform = Weights.allEqual(weights);
        }

        private double score(long hash, int i) {
            long h = Hashing.mix(hash ^ ids[i]);
            if (uniform) {
                return (h >>> 11) * 0x1p-53;
            }
            double u = ((h >>> 11) + 0.5) * 0x1p-53; // strictly inside (0, 1)
            return -weights[i] / Math.log(u);
        }

        @Override
        int pickFirst(long hash) {
            int best = 0;
            double bestScore = score(hash, 0);
            for (int i = 1; i < ids.length; i++) {
                double s = score(hash, i);
                if (s > bestScore) {
                    best = i;
                    bestScore = s;
                }
            }
            return best;
        }

        @Override
        int pickConstrained(long hash, RequestContext ctx) {
            // The first acceptable candidate in score order is simply the best-scoring acceptable one.
            int best = -1;
            double bestScore = 0;
            for (int i = 0; i < ids.length; i++) {
                if (acceptable(i, ctx)) {
                    double s = score(hash, i);
                    if (best < 0 || s > bestScore) {
                        best = i;
                        bestScore = s;
                    }
                }
            }
            return best >= 0 ? best : firstNotExcluded(pickFirst(hash), ctx);
        }
    }
}

package io.github.lb4j.core;

import java.util.random.RandomGenerator;

/**
 * The power of two choices: samples two distinct backends by weight and lets a cost function decide. Shared by
 * {@link LeastRequestsStrategy} and {@link PeakEwmaStrategy}.
 */
abstract class TwoChoices implements Picker {

    /** Weighted redraws for a second candidate before falling back to a uniform draw among the others. */
    private static final int DISTINCT_DRAWS = 3;

    final BackendState[] backends;
    final int[] weights;
    private final AliasTable table;
    private final RandomGenerator random;
    private final boolean uniform;

    TwoChoices(BackendState[] backends, int[] weights, RandomGenerator random) {
        this.backends = backends;
        this.weights = weights;
        this.table = new AliasTable(weights);
        this.random = random;
        this.uniform = Weights.allEqual(weights);
    }

    @Override
    public final BackendState pick(RequestContext ctx, long now) {
        int n = backends.length;
        if (n == 1) {
            return backends[0];
        }
        if (ctx.hasExclusions()) {
            return pickExcluding(ctx, now);
        }
        int a;
        int b;
        if (uniform) {
            // One 64-bit draw gives both: the high half picks a, the low half picks b among the other n - 1.
            long r = random.nextLong();
            a = Hashing.reduce(r, n);
            b = Hashing.reduce(r << 32, n - 1);
            b += (a - b - 1) >>> 31; // b >= a ? b + 1 : b, without a branch that mispredicts half the time
        } else {
            a = table.sample(random);
            b = a;
            for (int i = 0; i < DISTINCT_DRAWS && b == a; i++) {
                b = table.sample(random);
            }
            if (b == a) {
                b = random.nextInt(n - 1);
                if (b >= a) {
                    b++;
                }
            }
        }
        return choose(a, b, now);
    }

    private BackendState pickExcluding(RequestContext ctx, long now) {
        BackendState first = RandomStrategy.pickExcluding(backends, table, random, ctx);
        BackendState second = RandomStrategy.pickExcluding(backends, table, random, ctx);
        if (first == second) {
            return first;
        }
        int a = indexOf(first);
        int b = indexOf(second);
        return choose(a, b, now);
    }

    private int indexOf(BackendState s) {
        for (int i = 0; i < backends.length; i++) {
            if (backends[i] == s) {
                return i;
            }
        }
        throw new IllegalStateException("backend " + s.id + " is not in this picker");
    }

    /**
     * @param a the first candidate, drawn by weight; it wins ties, which keeps picks weight-proportional when the
     *     pool is idle
     * @param b the second, distinct candidate
     */
    abstract BackendState choose(int a, int b, long now);
}

package io.github.lb4j.core;

import java.util.random.RandomGenerator;

/** Weighted random through an {@link AliasTable}: one random number and at most two array reads per pick. */
final class RandomStrategy extends Strategy {

    static final RandomStrategy INSTANCE = new RandomStrategy();

    /** Random draws before a pick that keeps landing on excluded backends falls back to a scan. */
    static final int EXCLUSION_DRAWS = 8;

    @Override
    public String name() {
        return "random";
    }

    @Override
    PickerFactory newFactory(PoolContext context) {
        RandomGenerator random = context.random;
        return (backends, weights) -> {
            AliasTable table = new AliasTable(weights);
            return (ctx, now) -> {
                BackendState s = backends[table.sample(random)];
                if (ctx.hasExclusions() && ctx.isExcluded(s.id)) {
                    s = pickExcluding(backends, table, random, ctx);
                }
                return s;
            };
        };
    }

    /** A few more weighted draws, then the first non-excluded backend after a random start. */
    static BackendState pickExcluding(BackendState[] backends, AliasTable table, RandomGenerator random,
                                      RequestContext ctx) {
        for (int i = 0; i < EXCLUSION_DRAWS; i++) {
            BackendState s = backends[table.sample(random)];
            if (!ctx.isExcluded(s.id)) {
                return s;
            }
        }
        int start = random.nextInt(backends.length);
        for (int k = 0; k < backends.length; k++) {
            BackendState s = backends[(start + k) % backends.length];
            if (!ctx.isExcluded(s.id)) {
                return s;
            }
        }
        return backends[start];
    }
}

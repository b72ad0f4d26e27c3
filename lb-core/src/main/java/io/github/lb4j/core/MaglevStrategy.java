package io.github.lb4j.core;

import java.util.Arrays;

/**
 * Maglev (Eisenbud et al., NSDI 2016) with Envoy's weighting: backends take turns claiming the next free slot of
 * their own permutation of the table; a backend of weight w takes a turn in a round only while its claimed count is
 * below {@code round x w / maxWeight}. A key maps to {@code table[hash mod M]}.
 *
 * <p>The table size is the smallest prime of {@link #PRIMES} at least 100 times the backend count, so it stays the
 * same while the pool changes within a size class (a changing size would move nearly every key).
 */
final class MaglevStrategy extends HashStrategy {

    /** Maglev's paper uses 65537 and asks for M at least 100 x N to keep the imbalance near 1%. */
    static final int DEFAULT_TABLE_SIZE = 65537;
    static final int[] PRIMES = {65537, 131071, 262139, 524287, 1048573, 2097143, 4194301, 8388593};
    /** Probes of the key's own sequence before a linear fallback (bounded loads or exclusions). */
    static final int FALLBACK_PROBES = 64;

    private final int tableSize;

    MaglevStrategy(int tableSize, double factor) {
        super(factor);
        this.tableSize = tableSize;
    }

    @Override
    public HashStrategy withBoundedLoad(double factor) {
        return new MaglevStrategy(tableSize, checkFactor(factor));
    }

    @Override
    public String name() {
        return "maglev" + suffix();
    }

    static int tableSizeFor(int n) {
        for (int p : PRIMES) {
            if (p >= 100L * n) {
                return p;
            }
        }
        return PRIMES[PRIMES.length - 1];
    }

    @Override
    PickerFactory newFactory(PoolContext context) {
        if (balanceFactor > 0) {
            context.trackTotalInFlight = true;
        }
        return (backends, weights) -> {
            int m = tableSize > 0 ? tableSize : tableSizeFor(backends.length);
            return new MaglevPicker(backends, weights, context, balanceFactor, buildTable(backends, weights, m));
        };
    }

    static int[] buildTable(BackendState[] backends, int[] weights, int m) {
        int n = backends.length;
        long[] offset = new long[n];
        long[] skip = new long[n];
        long[] next = new long[n];
        long[] claimed = new long[n];
        double[] normalized = new double[n];
        int max = 0;
        for (int w : weights) {
            max = Math.max(max, w);
        }
        for (int i = 0; i < n; i++) {
            long h = HashPicker.idHash(backends[i]);
            offset[i] = Long.remainderUnsigned(h, m);
            skip[i] = Long.remainderUnsigned(Hashing.mix(h ^ Hashing.GOLDEN), m - 1) + 1;
            normalized[i] = (double) weights[i] / max;
        }
        int[] table = new int[m];
        Arrays.fill(table, -1);
        int filled = 0;
        for (long round = 0; filled < m; round++) {
            for (int i = 0; i < n && filled < m; i++) {
                if (round * normalized[i] < claimed[i]) {
                    continue;
                }
                int slot;
                do {
                    slot = (int) ((offset[i] + skip[i] * next[i]) % m);
                    next[i]++;
                } while (table[slot] >= 0);
                table[slot] = i;
                claimed[i]++;
                filled++;
            }
        }
        return table;
    }

    static final class MaglevPicker extends HashPicker {
        private final int[] table;

        MaglevPicker(BackendState[] backends, int[] weights, PoolContext pool, double factor, int[] table) {
            super(backends, weights, pool, factor);
            this.table = table;
        }

        @Override
        int pickFirst(long hash) {
            return table[Hashing.reduce(hash, table.length)];
        }

        @Override
        int pickConstrained(long hash, RequestContext ctx) {
            int first = pickFirst(hash);
            if (acceptable(first, ctx)) {
                return first;
            }
            long h = hash;
            for (int k = 0; k < FALLBACK_PROBES; k++) {
                h = Hashing.mix(h + Hashing.GOLDEN);
                int i = table[Hashing.reduce(h, table.length)];
                if (acceptable(i, ctx)) {
                    return i;
                }
            }
            for (int k = 1; k < backends.length; k++) {
                int i = (first + k) % backends.length;
                if (acceptable(i, ctx)) {
                    return i;
                }
            }
            return firstNotExcluded(first, ctx);
        }

        int[] table() {
            return table;
        }
    }
}

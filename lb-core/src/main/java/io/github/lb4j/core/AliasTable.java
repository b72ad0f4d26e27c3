package io.github.lb4j.core;

import java.util.random.RandomGenerator;

/**
 * Vose's alias method: O(n) to build, O(1) to sample by weight with a single 64-bit random number (the high 32 bits
 * choose a column, the low 31 bits flip the column's biased coin).
 */
final class AliasTable {

    private static final double COIN_SCALE = 0x1p31;

    private final int n;
    /** Null when all weights are equal: a column index is then the answer. */
    private final long[] threshold;
    private final int[] alias;

    AliasTable(int[] weights) {
        this.n = weights.length;
        if (Weights.allEqual(weights)) {
            threshold = null;
            alias = null;
            return;
        }
        threshold = new long[n];
        alias = new int[n];
        double total = Weights.sum(weights);
        double[] scaled = new double[n];
        int[] small = new int[n];
        int[] large = new int[n];
        int ns = 0;
        int nl = 0;
        for (int i = 0; i < n; i++) {
            scaled[i] = weights[i] * n / total;
            if (scaled[i] < 1.0) {
                small[ns++] = i;
            } else {
                large[nl++] = i;
            }
        }
        while (ns > 0 && nl > 0) {
            int s = small[--ns];
            int l = large[--nl];
            threshold[s] = Math.round(scaled[s] * COIN_SCALE);
            alias[s] = l;
            scaled[l] = (scaled[l] + scaled[s]) - 1.0;
            if (scaled[l] < 1.0) {
                small[ns++] = l;
            } else {
                large[nl++] = l;
            }
        }
        // Leftovers are 1.0 up to rounding error: always keep the column.
        while (nl > 0) {
            int l = large[--nl];
            threshold[l] = 1L << 31;
            alias[l] = l;
        }
        while (ns > 0) {
            int s = small[--ns];
            threshold[s] = 1L << 31;
            alias[s] = s;
        }
    }

    int sample(RandomGenerator random) {
        return sample(random.nextLong());
    }

    int sample(long r) {
        int column = Hashing.reduce(r, n);
        if (threshold == null) {
            return column;
        }
        return (r & 0x7fffffffL) < threshold[column] ? column : alias[column];
    }

    int size() {
        return n;
    }
}

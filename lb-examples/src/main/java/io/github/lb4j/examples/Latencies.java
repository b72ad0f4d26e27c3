package io.github.lb4j.examples;

import java.util.Arrays;

/** A growable bag of latency samples in nanoseconds. Thread-safety: all methods synchronized. */
final class Latencies {

    private long[] values = new long[256];
    private int size;

    synchronized void add(long nanos) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = nanos;
    }

    /** @return the samples so far, and starts an empty bag */
    synchronized long[] drain() {
        long[] out = Arrays.copyOf(values, size);
        size = 0;
        return out;
    }

    synchronized long[] copy() {
        return Arrays.copyOf(values, size);
    }

    /**
     * @param nanos samples, sorted in place
     * @param q 0 to 1
     * @return the nearest-rank percentile in milliseconds, NaN when there is no sample
     */
    static double percentileMillis(long[] nanos, double q) {
        if (nanos.length == 0) {
            return Double.NaN;
        }
        Arrays.sort(nanos);
        int rank = (int) Math.ceil(q * nanos.length);
        return nanos[Math.max(0, Math.min(nanos.length - 1, rank - 1))] / 1e6;
    }
}

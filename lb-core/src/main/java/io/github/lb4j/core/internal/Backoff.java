package io.github.lb4j.core.internal;

import java.util.random.RandomGenerator;

/**
 * Capped exponential backoff with full jitter (the AWS architecture blog's "full jitter"): the wait before retry
 * {@code n} is uniform in {@code [0, min(max, initial * 2^(n-1))]}, so that clients that failed together do not
 * retry together.
 *
 * <p>Thread-safety: stateless; the random source must be thread-safe if shared.
 */
public final class Backoff {

    private Backoff() {
    }

    /**
     * @param initialNanos the cap of the first wait, 0 or more
     * @param maxNanos the largest cap, at least {@code initialNanos}
     * @param retry the retry about to be made, 1 for the first
     * @return the cap of that retry's wait: {@code min(max, initial * 2^(retry-1))}, without overflow
     */
    public static long capNanos(long initialNanos, long maxNanos, int retry) {
        long cap = initialNanos;
        for (int i = 1; i < retry && cap < maxNanos; i++) {
            cap = cap > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : cap * 2;
        }
        return Math.min(cap, maxNanos);
    }

    /**
     * @param initialNanos the cap of the first wait, 0 or more
     * @param maxNanos the largest cap, at least {@code initialNanos}
     * @param retry the retry about to be made, 1 for the first
     * @param random the jitter source
     * @return a wait uniform in {@code [0, capNanos(...)]}
     */
    public static long fullJitterNanos(long initialNanos, long maxNanos, int retry, RandomGenerator random) {
        long cap = capNanos(initialNanos, maxNanos, retry);
        return cap <= 0 ? 0 : random.nextLong(cap + 1);
    }
}

package io.github.lb4j.core;

import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/** What a pool hands its strategy: the injected random source and clock, and the pool-wide in-flight count. */
final class PoolContext {
    final String poolName;
    final RandomGenerator random;
    final Ticker ticker;
    /** Calls in flight over the whole pool; maintained only when {@link #trackTotalInFlight} is set. */
    final AtomicLong totalInFlight = new AtomicLong();
    volatile boolean trackTotalInFlight;

    PoolContext(String poolName, RandomGenerator random, Ticker ticker) {
        this.poolName = poolName;
        this.random = random;
        this.ticker = ticker;
    }
}

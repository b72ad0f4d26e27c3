package io.github.lb4j.core;

/**
 * A source of monotonic time in nanoseconds, read by everything in lb4j that depends on time: latency measurement,
 * ejection periods, slow start, health-check intervals and DNS re-resolution.
 *
 * <p>Production code uses {@link #system()}; tests inject a fake that they advance by hand, so that time-based
 * behaviour is tested without sleeping:
 *
 * <pre>{@code
 * AtomicLong now = new AtomicLong();
 * LoadBalancer pool = LoadBalancer.builder("orders").ticker(now::get).build();
 * now.addAndGet(TimeUnit.SECONDS.toNanos(30));
 * }</pre>
 *
 * <p>Thread-safety: implementations must be safe to call from any thread.
 */
@FunctionalInterface
public interface Ticker {

    /**
     * @return the current time in nanoseconds, relative to an arbitrary fixed origin; only differences are meaningful
     */
    long read();

    /**
     * @return a ticker backed by {@link System#nanoTime()}
     */
    static Ticker system() {
        return SystemTicker.INSTANCE;
    }
}

enum SystemTicker implements Ticker {
    INSTANCE;

    @Override
    public long read() {
        return System.nanoTime();
    }
}

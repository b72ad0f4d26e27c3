package io.github.lb4j.simulator;

import io.github.lb4j.core.Ticker;

/**
 * The retry budget that hedges spend, modelled on lb-http's (package-private) {@code RetryBudget}: every request
 * deposits {@code ratio} of a retry into the current one-second bucket of a sliding window, every hedge withdraws
 * one, both expire when their bucket leaves the window, and a reserve of {@code minPerSecond x window} is always
 * available on top. So over any window, hedges are at most {@code ratio x requests + minPerSecond x window}.
 * Amounts are kept in thousandths of a retry so the ratio adds up exactly.
 *
 * <p>The defaults mirror lb-http's {@code Route.DEFAULT_RETRY_RATIO} (0.2), {@code Route.DEFAULT_MIN_RETRIES_PER_SECOND}
 * (10) and {@code Route.RETRY_BUDGET_WINDOW_SECONDS} (10); lb-simulator does not depend on lb-http, so they are
 * copied here (and {@code TailAtScaleTest} fails if a copy drifts from what the scenario reports).
 *
 * <p>Thread-safety: not thread-safe; one simulation run owns it.
 */
final class HedgeBudget {

    /** lb-http's {@code Route.DEFAULT_RETRY_RATIO}. */
    static final double DEFAULT_RATIO = 0.2;
    /** lb-http's {@code Route.DEFAULT_MIN_RETRIES_PER_SECOND}. */
    static final int DEFAULT_MIN_PER_SECOND = 10;
    /** lb-http's {@code Route.RETRY_BUDGET_WINDOW_SECONDS}. */
    static final int WINDOW_SECONDS = 10;

    private static final long UNIT = 1000L;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final Ticker ticker;
    private final long deposit;
    private final long reserve;
    private final long[] buckets = new long[WINDOW_SECONDS];
    private long sum;
    private long currentSecond;

    HedgeBudget(Ticker ticker, double ratio, int minPerSecond) {
        this.ticker = ticker;
        this.deposit = Math.round(ratio * UNIT);
        this.reserve = (long) minPerSecond * WINDOW_SECONDS * UNIT;
        this.currentSecond = Math.floorDiv(ticker.read(), NANOS_PER_SECOND);
    }

    /** Records one request. */
    void deposit() {
        int i = advance(ticker.read());
        buckets[i] += deposit;
        sum += deposit;
    }

    /** @return whether one hedge may be sent now; if so it is withdrawn */
    boolean tryWithdraw() {
        int i = advance(ticker.read());
        if (sum + reserve < UNIT) {
            return false;
        }
        buckets[i] -= UNIT;
        sum -= UNIT;
        return true;
    }

    /** Expires the buckets that left the window; returns the index of the current second's bucket. */
    private int advance(long nowNanos) {
        long second = Math.floorDiv(nowNanos, NANOS_PER_SECOND);
        long elapsed = second - currentSecond;
        if (elapsed > 0) {
            long clear = Math.min(elapsed, WINDOW_SECONDS);
            for (long s = second - clear + 1; s <= second; s++) {
                int i = (int) Math.floorMod(s, (long) WINDOW_SECONDS);
                sum -= buckets[i];
                buckets[i] = 0;
            }
            currentSecond = second;
        }
        return (int) Math.floorMod(currentSecond, (long) WINDOW_SECONDS);
    }
}

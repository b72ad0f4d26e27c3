package io.github.lb4j.http;

import io.github.lb4j.core.Ticker;

/**
 * A Finagle-style retry budget over a sliding window of one-second buckets. Each call deposits {@code ratio} of a
 * retry, each retry withdraws one; both expire when their bucket leaves the window, and a fixed reserve of
 * {@code minRetriesPerSecond * window} is always available on top. Amounts are kept in thousandths of a retry so
 * that the ratio adds up exactly.
 *
 * <p>Thread-safety: thread-safe; one short lock per call, never held across I/O.
 */
final class RetryBudget {

    /** Window length in one-second buckets. */
    static final int WINDOW_SECONDS = Route.RETRY_BUDGET_WINDOW_SECONDS;
    private static final long UNIT = 1000L;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final Ticker ticker;
    private final long deposit;
    private final long reserve;
    private final long[] buckets = new long[WINDOW_SECONDS];
    private long sum;
    private long currentSecond;

    RetryBudget(Ticker ticker, double ratio, int minRetriesPerSecond) {
        this.ticker = ticker;
        this.deposit = Math.round(ratio * UNIT);
        this.reserve = (long) minRetriesPerSecond * WINDOW_SECONDS * UNIT;
        this.currentSecond = Math.floorDiv(ticker.read(), NANOS_PER_SECOND);
    }

    /** Records one call. */
    void deposit() {
        if (deposit == 0) {
            return;
        }
        long now = ticker.read();
        synchronized (this) {
            int i = advance(now);
            buckets[i] += deposit;
            sum += deposit;
        }
    }

    /** @return whether one retry may be made; if so it is withdrawn */
    boolean tryWithdraw() {
        long now = ticker.read();
        synchronized (this) {
            int i = advance(now);
            if (sum + reserve < UNIT) {
                return false;
            }
            buckets[i] -= UNIT;
            sum -= UNIT;
            return true;
        }
    }

    /** @return retries that may be made now (for tests and toString) */
    synchronized double balance() {
        advance(ticker.read());
        return (sum + reserve) / (double) UNIT;
    }

    /** Expires buckets older than the window; returns the index of the current second's bucket. */
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
        // A ticker that goes backwards (it must not, but a fake might) keeps writing to the current bucket.
        return (int) Math.floorMod(currentSecond, (long) WINDOW_SECONDS);
    }

    @Override
    public String toString() {
        return "RetryBudget{balance=" + balance() + '}';
    }
}

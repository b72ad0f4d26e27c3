package io.github.lb4j.simulator;

import io.github.lb4j.core.Ticker;
import org.HdrHistogram.Histogram;

/**
 * The adaptive hedge delay: the p-th percentile of the latencies of completed requests, never below a minimum.
 * Constant memory: two HdrHistograms (2 significant digits, 1 us to 1 h), the one being filled and the last full
 * window. The delay is the percentile of the last full window, read once when the window rotates, so it follows a
 * changing distribution within one to two windows and costs nothing per request. Before the first window is full it
 * is read from the filling one every {@value #REFRESH_EVERY} samples once {@value #MIN_SAMPLES} have been seen;
 * before that there is no delay (no hedge), because a percentile of a handful of samples says little.
 *
 * <p>HdrHistogram's percentile is the highest value equivalent to the true one (within 1%), so at most about
 * {@code 100 - p} percent of requests outlast it: the hedge rate is the percentile's complement by construction.
 *
 * <p>Thread-safety: not thread-safe; one simulation run owns it.
 */
final class AdaptiveDelay {

    /** Samples needed before the first delay is published. */
    static final int MIN_SAMPLES = 100;
    /** While the first window fills, the delay is refreshed every this many samples. */
    static final int REFRESH_EVERY = 256;
    /** Each window lasts at least this long (and holds at least {@link #MIN_SAMPLES}). */
    static final long WINDOW_NANOS = 1_000_000_000L;

    private static final long LOWEST = 1_000L;
    private static final long HIGHEST = 3_600_000_000_000L;

    private final Ticker ticker;
    private final double percentile;
    private final long minNanos;
    private Histogram filling = new Histogram(LOWEST, HIGHEST, 2);
    private Histogram full = new Histogram(LOWEST, HIGHEST, 2);
    private boolean haveFullWindow;
    private long windowStart;
    private long delay = Long.MAX_VALUE;

    AdaptiveDelay(Ticker ticker, double percentile, long minNanos) {
        this.ticker = ticker;
        this.percentile = percentile;
        this.minNanos = minNanos;
        this.windowStart = ticker.read();
    }

    /** @param latencyNanos one completed request's latency */
    void record(long latencyNanos) {
        rotateIfDue();
        filling.recordValue(Math.max(LOWEST, Math.min(HIGHEST, latencyNanos)));
        long n = filling.getTotalCount();
        if (!haveFullWindow && (n == MIN_SAMPLES || (n > MIN_SAMPLES && n % REFRESH_EVERY == 0))) {
            delay = Math.max(minNanos, filling.getValueAtPercentile(percentile));
        }
    }

    /** @return the delay now, {@link Long#MAX_VALUE} until enough samples were seen */
    long delayNanos() {
        rotateIfDue();
        return delay;
    }

    private void rotateIfDue() {
        long now = ticker.read();
        if (now - windowStart < WINDOW_NANOS || filling.getTotalCount() < MIN_SAMPLES) {
            return;
        }
        Histogram t = full;
        full = filling;
        filling = t;
        filling.reset();
        windowStart = now;
        haveFullWindow = true;
        delay = Math.max(minNanos, full.getValueAtPercentile(percentile));
    }
}

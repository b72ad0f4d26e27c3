package io.github.lb4j.http;

import io.github.lb4j.core.Ticker;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The observed latency (time to response headers of successful attempts) of one route, for
 * {@link Hedging#atPercentile}: an HdrHistogram {@link Recorder} (wait-free recording from any thread) drained into
 * two interval histograms that are swapped every {@link #INTERVAL_NANOS} on the {@link Ticker}, so the percentile is
 * taken over the last 10 to 20 seconds and follows a changing distribution. Memory is constant: three histograms of
 * 2 significant digits from 1 µs to 1 minute (a few KB each).
 *
 * <p>Thread-safety: thread-safe; {@link #record} is wait-free but for a refresh every {@value #REFRESH_EVERY}
 * samples, which one thread does under a try-lock while the others go on.
 */
final class LatencyWindow {

    static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** Recompute the percentile this often (samples): cheap enough (a few thousand counters), fresh enough. */
    static final int REFRESH_EVERY = 64;
    private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(1);
    private static final int DIGITS = 2;

    private final Ticker ticker;
    private final double percentile;
    private final Recorder recorder = new Recorder(1, HIGHEST_MICROS, DIGITS);
    private final AtomicLong sinceRefresh = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    // Under lock:
    private Histogram interval;
    private Histogram current = new Histogram(1, HIGHEST_MICROS, DIGITS);
    private Histogram previous = new Histogram(1, HIGHEST_MICROS, DIGITS);
    private final Histogram combined = new Histogram(1, HIGHEST_MICROS, DIGITS);
    private long intervalStart;
    /** The percentile in nanoseconds, or -1 while the window holds too few samples. */
    private volatile long quantileNanos = -1;
    private volatile long nextRotation;

    LatencyWindow(Ticker ticker, double percentile) {
        this.ticker = ticker;
        this.percentile = percentile;
        this.intervalStart = ticker.read();
        this.nextRotation = intervalStart + INTERVAL_NANOS;
    }

    void record(long nanos) {
        long micros = Math.max(1L, Math.min(HIGHEST_MICROS, TimeUnit.NANOSECONDS.toMicros(nanos)));
        recorder.recordValue(micros);
        if (sinceRefresh.incrementAndGet() >= REFRESH_EVERY) {
            refresh();
        }
    }

    /** @return the hedge delay: the percentile, at least {@code minNanos}; {@code minNanos} until warmed up */
    long delayNanos(long minNanos) {
        if (ticker.read() - nextRotation >= 0) {
            refresh();
        }
        long q = quantileNanos;
        return q < 0 ? minNanos : Math.max(minNanos, q);
    }

    /** @return the current percentile in nanoseconds, -1 before {@link Hedging#MIN_SAMPLES} samples (for tests) */
    long quantileNanos() {
        refresh();
        return quantileNanos;
    }

    private void refresh() {
        if (!lock.tryLock()) {
            return;
        }
        try {
            sinceRefresh.set(0);
            interval = recorder.getIntervalHistogram(interval);
            current.add(interval);
            long now = ticker.read();
            long elapsed = now - intervalStart;
            if (elapsed >= INTERVAL_NANOS) {
                Histogram old = previous;
                old.reset();
                if (elapsed >= 2 * INTERVAL_NANOS) {
                    current.reset(); // nothing recent enough to keep
                }
                previous = current;
                current = old;
                intervalStart = now;
                nextRotation = now + INTERVAL_NANOS;
            }
            long total = previous.getTotalCount() + current.getTotalCount();
            if (total < Hedging.MIN_SAMPLES) {
                quantileNanos = -1;
                return;
            }
            combined.reset();
            combined.add(previous);
            combined.add(current);
            quantileNanos = TimeUnit.MICROSECONDS.toNanos(combined.getValueAtPercentile(percentile));
        } finally {
            lock.unlock();
        }
    }
}

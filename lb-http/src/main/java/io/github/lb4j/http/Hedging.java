package io.github.lb4j.http;

import java.time.Duration;
import java.util.Objects;

/**
 * When a {@link Route} sends a hedged request: if the attempt in flight has not answered (response headers) after a
 * delay, the same request goes to another backend not tried yet, and the first answer wins. The other attempts are
 * canceled and their backends charged nothing (neither success nor failure), so a healthy but slower backend is not
 * punished and no in-flight slot leaks. Hedging is the remedy of "The Tail at Scale" (Dean and Barroso, CACM 2013)
 * for stragglers that are slow without failing.
 *
 * <pre>{@code
 * Route orders = Route.builder("orders", pool)
 *         .perTryTimeout(Duration.ofMillis(200))                     // bounds one attempt
 *         .hedging(Hedging.after(Duration.ofMillis(50)).maxHedges(1)) // a fixed delay
 *         .build();
 * Route search = Route.builder("search", pool)
 *         .hedging(Hedging.atPercentile(95).minDelay(Duration.ofMillis(10))) // the route's own p95, at least 10 ms
 *         .build();
 * }</pre>
 *
 * <p>Rules, applied by {@link HttpBalancer} for every adapter:
 * <ul>
 *   <li>Only requests that may be sent again are hedged: those the route's
 *       {@linkplain Route.Builder#idempotentMethods idempotent methods} cover (by default GET, HEAD, OPTIONS, PUT,
 *       DELETE and TRACE, never POST) or that carry {@link Idempotency#IDEMPOTENT}, with a replayable body.</li>
 *   <li>Each hedge withdraws one retry from the route's {@linkplain Route.Builder#retryBudget retry budget}; none is
 *       sent when it is spent, so when every backend is slow the extra load stays within the budget.</li>
 *   <li>At most {@link #maxHedges()} hedges per call, each {@link #delay} after the previous attempt started; they do
 *       not count against {@linkplain Route.Builder#maxAttempts maxAttempts}, which bounds retries of failures.</li>
 *   <li>{@link #atPercentile(double)} hedges after the route's observed p-th percentile time to response headers of
 *       successful attempts, over a sliding window of the last 10 to 20 seconds (an HdrHistogram, constant memory),
 *       never below {@link #minDelay()}. Until the window holds {@value #MIN_SAMPLES} samples the delay is
 *       {@code minDelay}.</li>
 * </ul>
 *
 * <p>Thread-safety: immutable; each setter returns a new instance.
 */
public final class Hedging {

    /** Default {@link #maxHedges(int)}: one extra attempt, the paper's setting. */
    public static final int DEFAULT_MAX_HEDGES = 1;
    /**
     * Default {@link #minDelay(Duration)} of {@link #atPercentile}: 5 ms, about ten loopback round trips, so that a
     * fast route's percentile (a few hundred microseconds) does not hedge on scheduling noise.
     */
    public static final Duration DEFAULT_MIN_DELAY = Duration.ofMillis(5);
    /** Samples the window must hold before {@link #atPercentile} trusts its percentile. */
    public static final int MIN_SAMPLES = 100;
    /** Upper bound of {@link #maxHedges(int)}: like maxAttempts, more multiplies load without helping. */
    static final int MAX_HEDGES_LIMIT = 9;
    /** Upper bound of a delay: beyond it, a call timeout ends the call before a hedge would start. */
    static final Duration MAX_DELAY = Duration.ofMinutes(1);

    /** Fixed delay in nanoseconds, or 0 for a percentile. */
    private final long delayNanos;
    /** The percentile, or NaN for a fixed delay. */
    private final double percentile;
    private final long minDelayNanos;
    private final int maxHedges;

    private Hedging(long delayNanos, double percentile, long minDelayNanos, int maxHedges) {
        this.delayNanos = delayNanos;
        this.percentile = percentile;
        this.minDelayNanos = minDelayNanos;
        this.maxHedges = maxHedges;
    }

    /**
     * @param delay how long the attempt in flight may go unanswered before a hedge is sent, more than 0 up to 1
     *     minute
     * @return a fixed-delay hedging policy with one hedge
     * @throws IllegalArgumentException if {@code delay} is out of range
     */
    public static Hedging after(Duration delay) {
        return new Hedging(checkDelay("hedging delay", delay), Double.NaN, 0, DEFAULT_MAX_HEDGES);
    }

    /**
     * @param percentile the percentile of the route's latency after which to hedge, in (0, 100) exclusive, such as
     *     95 (about 5% of calls hedged when the distribution is stable)
     * @return an adaptive hedging policy with one hedge and a minimum delay of {@link #DEFAULT_MIN_DELAY}
     * @throws IllegalArgumentException if {@code percentile} is out of range
     */
    public static Hedging atPercentile(double percentile) {
        if (!(percentile > 0.0 && percentile < 100.0)) {
            throw new IllegalArgumentException("hedging percentile must be in (0, 100), got " + percentile);
        }
        return new Hedging(0, percentile, DEFAULT_MIN_DELAY.toNanos(), DEFAULT_MAX_HEDGES);
    }

    /**
     * @param minDelay the smallest delay of an adaptive policy (and its delay until it has {@value #MIN_SAMPLES}
     *     samples), more than 0 up to 1 minute; default 5 ms
     * @return a copy with that minimum
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if this is a fixed-delay policy, whose delay is already fixed
     */
    public Hedging minDelay(Duration minDelay) {
        long nanos = checkDelay("hedging minDelay", minDelay);
        if (!isAdaptive()) {
            throw new IllegalStateException("minDelay applies to Hedging.atPercentile; Hedging.after("
                    + Duration.ofNanos(delayNanos) + ") already has a fixed delay");
        }
        return new Hedging(delayNanos, percentile, nanos, maxHedges);
    }

    /**
     * @param maxHedges extra attempts per call at most, 1 to 9; default 1
     * @return a copy with that bound
     * @throws IllegalArgumentException if out of range
     */
    public Hedging maxHedges(int maxHedges) {
        if (maxHedges < 1 || maxHedges > MAX_HEDGES_LIMIT) {
            throw new IllegalArgumentException("maxHedges must be between 1 and " + MAX_HEDGES_LIMIT + ", got "
                    + maxHedges);
        }
        return new Hedging(delayNanos, percentile, minDelayNanos, maxHedges);
    }

    /** @return extra attempts per call at most */
    public int maxHedges() {
        return maxHedges;
    }

    /** @return whether the delay follows the route's observed latency */
    public boolean isAdaptive() {
        return !Double.isNaN(percentile);
    }

    /** @return the percentile of an adaptive policy, NaN for a fixed delay */
    public double percentile() {
        return percentile;
    }

    /** @return the fixed delay, or null for an adaptive policy */
    public Duration delay() {
        return isAdaptive() ? null : Duration.ofNanos(delayNanos);
    }

    /** @return the minimum delay of an adaptive policy, or null for a fixed delay */
    public Duration minDelay() {
        return isAdaptive() ? Duration.ofNanos(minDelayNanos) : null;
    }

    long fixedDelayNanos() {
        return delayNanos;
    }

    long minDelayNanos() {
        return minDelayNanos;
    }

    private static long checkDelay(String field, Duration d) {
        Objects.requireNonNull(d, field);
        if (d.isNegative() || d.isZero() || d.compareTo(MAX_DELAY) > 0) {
            throw new IllegalArgumentException(field + " must be more than 0 and at most " + MAX_DELAY + ", got "
                    + d);
        }
        return d.toNanos();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hedging h && h.delayNanos == delayNanos
                && Double.compare(h.percentile, percentile) == 0 && h.minDelayNanos == minDelayNanos
                && h.maxHedges == maxHedges;
    }

    @Override
    public int hashCode() {
        return Objects.hash(delayNanos, percentile, minDelayNanos, maxHedges);
    }

    @Override
    public String toString() {
        return (isAdaptive() ? "Hedging{atPercentile(" + percentile + "), minDelay=" + minDelay()
                : "Hedging{after(" + delay() + ")") + ", maxHedges=" + maxHedges + '}';
    }
}

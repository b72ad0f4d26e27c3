package io.github.lb4j.core;

import java.time.Duration;
import java.util.Objects;

/**
 * Passive outlier detection: how a pool learns from the outcomes that {@link Selection}s report that a backend has
 * gone bad, takes it out of rotation ({@link BackendHealth#EJECTED ejects} it) for a while, and lets it prove itself
 * again. On by default with the defaults below; every threshold can be changed.
 *
 * <pre>{@code
 * LoadBalancer pool = LoadBalancer.builder("orders")
 *         .backends(backends)
 *         .outlierDetection(OutlierDetection.builder()
 *                 .consecutiveFailures(3)
 *                 .baseEjectionTime(Duration.ofSeconds(10))
 *                 .build())
 *         .build();
 * }</pre>
 *
 * <p>How it works:
 * <ul>
 *   <li>Only {@link Selection#failure(Throwable)} counts as a failure; {@link Selection#ignore()} (a 404, a 429 the
 *       caller provoked) and {@link Selection#close()} without an outcome count neither way.
 *   <li>{@linkplain Builder#consecutiveFailures(int) Failures in a row} eject a backend at once.
 *   <li>Each backend also gets a resilience4j {@code CircuitBreaker} with a count-based sliding window: when its
 *       {@linkplain Builder#failureRateThreshold(int) failure rate} over the last
 *       {@linkplain Builder#slidingWindowSize(int) calls} reaches the threshold (after at least
 *       {@linkplain Builder#minimumCalls(int) some calls}), the breaker opens and the backend is ejected.
 *   <li>An ejection lasts {@code baseEjectionTime x n}, at most {@link Builder#maxEjectionTime}, where {@code n}
 *       counts the backend's ejections; {@code n} drops by one for every {@link Builder#ejectionDecay} the backend
 *       stays healthy, so a backend that flaps is kept out longer and longer while one that recovered for good is
 *       forgiven.
 *   <li>When the ejection ends, the backend is picked again (ramping up under slow start) and its breaker is
 *       half-open: the next {@linkplain Builder#halfOpenCalls(int) calls} are probes. If they fail at the threshold
 *       rate the backend is ejected again, for longer; otherwise the breaker closes.
 *   <li>Never more than {@linkplain Builder#maxEjectionPercent(int) a share} of the pool is out at once, ejected
 *       or unhealthy by active checks: when every backend fails together, the fault is more likely upstream, and
 *       ejecting them all would only crush the rest (or, once the others are down, turn the last one's slow answers
 *       into no answers).
 * </ul>
 *
 * <p>Thread-safety: immutable.
 */
public final class OutlierDetection {

    /**
     * Failures in a row that eject a backend: 5, as in Envoy's {@code consecutive_5xx}. Enough that one unlucky
     * request or a short blip does not eject, few enough that a dead backend costs only a handful of failed calls.
     */
    public static final int DEFAULT_CONSECUTIVE_FAILURES = 5;
    /**
     * Failure rate, in percent of the sliding window, that opens the breaker: 50, resilience4j's default. A backend
     * failing half its calls is worse than useless; one failing 20% by chance reaches 50% of a 50-call window less
     * than once in 10^5 windows.
     */
    public static final int DEFAULT_FAILURE_RATE_THRESHOLD = 50;
    /**
     * Calls in the breaker's sliding window: 50. Large enough for a stable rate (see above); small enough that after
     * a failure the pool feeds the breaker only until 50 successes in a row have filled the window again (once the
     * window holds only successes, more successes cannot change it, so the pool stops feeding them).
     */
    public static final int DEFAULT_SLIDING_WINDOW_SIZE = 50;
    /** Calls recorded before the failure rate counts: 20, so that 2 failures in the first 3 calls do not eject. */
    public static final int DEFAULT_MINIMUM_CALLS = 20;
    /** Probe calls while half-open: 5, enough to tell a recovered backend from a dead one without many failures. */
    public static final int DEFAULT_HALF_OPEN_CALLS = 5;
    /** First ejection: 30 s, Envoy's {@code base_ejection_time}. Long enough for a restart, short enough to matter. */
    public static final Duration DEFAULT_BASE_EJECTION_TIME = Duration.ofSeconds(30);
    /** Longest ejection: 300 s, Envoy's {@code max_ejection_time}; a backend is retried at least every 5 minutes. */
    public static final Duration DEFAULT_MAX_EJECTION_TIME = Duration.ofSeconds(300);
    /**
     * Healthy time that takes one step off a backend's ejection count: 5 minutes, as long as the longest ejection, so
     * a backend that fails every few minutes keeps getting longer ejections and one that stays up is forgiven.
     */
    public static final Duration DEFAULT_EJECTION_DECAY = Duration.ofMinutes(5);
    /**
     * Largest share of the pool ejected at once: 50%. Half the pool can absorb the other half's traffic for a
     * while; ejecting more would overload the rest, and panic mode takes over below the same share.
     */
    public static final int DEFAULT_MAX_EJECTION_PERCENT = 50;

    private static final OutlierDetection DEFAULTS = builder().build();

    final int consecutiveFailures;
    final int failureRateThreshold;
    final int slidingWindowSize;
    final int minimumCalls;
    final int halfOpenCalls;
    final long baseEjectionNanos;
    final long maxEjectionNanos;
    final long ejectionDecayNanos;
    final int maxEjectionPercent;
    final boolean enabled;

    private OutlierDetection(Builder b, boolean enabled) {
        this.consecutiveFailures = b.consecutiveFailures;
        this.failureRateThreshold = b.failureRateThreshold;
        this.slidingWindowSize = b.slidingWindowSize;
        this.minimumCalls = b.minimumCalls;
        this.halfOpenCalls = b.halfOpenCalls;
        this.baseEjectionNanos = b.baseEjectionTime.toNanos();
        this.maxEjectionNanos = b.maxEjectionTime.toNanos();
        this.ejectionDecayNanos = b.ejectionDecay.toNanos();
        this.maxEjectionPercent = b.maxEjectionPercent;
        this.enabled = enabled;
    }

    /** @return outlier detection with every default (what a pool uses unless told otherwise) */
    public static OutlierDetection defaults() {
        return DEFAULTS;
    }

    /** @return no passive outlier detection: failures are counted in {@link BackendStats} but eject nothing */
    public static OutlierDetection disabled() {
        return new OutlierDetection(new Builder(), false);
    }

    /** @return a builder starting from the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return whether detection is on */
    public boolean isEnabled() {
        return enabled;
    }

    /** @return failures in a row that eject a backend */
    public int consecutiveFailures() {
        return consecutiveFailures;
    }

    /** @return the failure rate, in percent, that opens a backend's circuit breaker */
    public int failureRateThreshold() {
        return failureRateThreshold;
    }

    /** @return calls in the breaker's sliding window */
    public int slidingWindowSize() {
        return slidingWindowSize;
    }

    /** @return calls recorded before the failure rate counts */
    public int minimumCalls() {
        return minimumCalls;
    }

    /** @return probe calls while half-open */
    public int halfOpenCalls() {
        return halfOpenCalls;
    }

    /** @return the first ejection's length */
    public Duration baseEjectionTime() {
        return Duration.ofNanos(baseEjectionNanos);
    }

    /** @return the longest ejection */
    public Duration maxEjectionTime() {
        return Duration.ofNanos(maxEjectionNanos);
    }

    /** @return healthy time that takes one step off a backend's ejection count */
    public Duration ejectionDecay() {
        return Duration.ofNanos(ejectionDecayNanos);
    }

    /** @return the largest share of the pool, in percent, ejected at once */
    public int maxEjectionPercent() {
        return maxEjectionPercent;
    }

    @Override
    public String toString() {
        if (!enabled) {
            return "OutlierDetection{disabled}";
        }
        return "OutlierDetection{consecutiveFailures=" + consecutiveFailures + ", failureRate>="
                + failureRateThreshold + "% of " + slidingWindowSize + " (min " + minimumCalls + "), halfOpenCalls="
                + halfOpenCalls + ", ejection=" + baseEjectionTime() + " x n up to " + maxEjectionTime()
                + ", decay=" + ejectionDecay() + ", maxEjectionPercent=" + maxEjectionPercent + '}';
    }

    /**
     * Configures {@link OutlierDetection}. Every setter validates its argument at once.
     *
     * <p>Thread-safety: not thread-safe; build on one thread.
     */
    public static final class Builder {
        int consecutiveFailures = DEFAULT_CONSECUTIVE_FAILURES;
        int failureRateThreshold = DEFAULT_FAILURE_RATE_THRESHOLD;
        int slidingWindowSize = DEFAULT_SLIDING_WINDOW_SIZE;
        int minimumCalls = DEFAULT_MINIMUM_CALLS;
        int halfOpenCalls = DEFAULT_HALF_OPEN_CALLS;
        Duration baseEjectionTime = DEFAULT_BASE_EJECTION_TIME;
        Duration maxEjectionTime = DEFAULT_MAX_EJECTION_TIME;
        Duration ejectionDecay = DEFAULT_EJECTION_DECAY;
        int maxEjectionPercent = DEFAULT_MAX_EJECTION_PERCENT;

        Builder() {
        }

        /**
         * @param n failures in a row that eject a backend; default {@link #DEFAULT_CONSECUTIVE_FAILURES}
         * @return this builder
         * @throws IllegalArgumentException if {@code n} is not positive
         */
        public Builder consecutiveFailures(int n) {
            this.consecutiveFailures = positive("consecutiveFailures", n);
            return this;
        }

        /**
         * @param percent the failure rate over the sliding window that opens a backend's breaker, 1 to 100;
         *     default {@link #DEFAULT_FAILURE_RATE_THRESHOLD}
         * @return this builder
         * @throws IllegalArgumentException if {@code percent} is out of range
         */
        public Builder failureRateThreshold(int percent) {
            if (percent < 1 || percent > 100) {
                throw new IllegalArgumentException("failureRateThreshold must be between 1 and 100 (percent), got "
                        + percent);
            }
            this.failureRateThreshold = percent;
            return this;
        }

        /**
         * @param calls the number of most recent calls the failure rate is computed over; default
         *     {@link #DEFAULT_SLIDING_WINDOW_SIZE}
         * @return this builder
         * @throws IllegalArgumentException if {@code calls} is not positive
         */
        public Builder slidingWindowSize(int calls) {
            this.slidingWindowSize = positive("slidingWindowSize", calls);
            return this;
        }

        /**
         * @param calls calls recorded before the failure rate may open the breaker, at most the window size
         *     (checked by {@link #build()}); default {@link #DEFAULT_MINIMUM_CALLS}
         * @return this builder
         * @throws IllegalArgumentException if {@code calls} is not positive
         */
        public Builder minimumCalls(int calls) {
            this.minimumCalls = positive("minimumCalls", calls);
            return this;
        }

        /**
         * @param calls probe calls after an ejection ends; default {@link #DEFAULT_HALF_OPEN_CALLS}
         * @return this builder
         * @throws IllegalArgumentException if {@code calls} is not positive
         */
        public Builder halfOpenCalls(int calls) {
            this.halfOpenCalls = positive("halfOpenCalls", calls);
            return this;
        }

        /**
         * @param time the first ejection's length, positive; default {@link #DEFAULT_BASE_EJECTION_TIME}
         * @return this builder
         * @throws IllegalArgumentException if {@code time} is not positive
         */
        public Builder baseEjectionTime(Duration time) {
            this.baseEjectionTime = positive("baseEjectionTime", time);
            return this;
        }

        /**
         * @param time the longest ejection, at least the base ejection time (checked by {@link #build()}); default
         *     {@link #DEFAULT_MAX_EJECTION_TIME}
         * @return this builder
         * @throws IllegalArgumentException if {@code time} is not positive
         */
        public Builder maxEjectionTime(Duration time) {
            this.maxEjectionTime = positive("maxEjectionTime", time);
            return this;
        }

        /**
         * @param time healthy time that takes one step off a backend's ejection count, positive; default
         *     {@link #DEFAULT_EJECTION_DECAY}
         * @return this builder
         * @throws IllegalArgumentException if {@code time} is not positive
         */
        public Builder ejectionDecay(Duration time) {
            this.ejectionDecay = positive("ejectionDecay", time);
            return this;
        }

        /**
         * @param percent the largest share of the pool out of rotation at once after an ejection, counting the
         *     backends ejected and those that active health checks marked unhealthy, 0 (never eject) to 100; default
         *     {@link #DEFAULT_MAX_EJECTION_PERCENT}. A pool of one backend never ejects it below 100.
         * @return this builder
         * @throws IllegalArgumentException if {@code percent} is out of range
         */
        public Builder maxEjectionPercent(int percent) {
            if (percent < 0 || percent > 100) {
                throw new IllegalArgumentException("maxEjectionPercent must be between 0 and 100, got " + percent);
            }
            this.maxEjectionPercent = percent;
            return this;
        }

        /**
         * @return the configuration
         * @throws IllegalStateException if the minimum calls exceed the window, or the maximum ejection time is
         *     shorter than the base
         */
        public OutlierDetection build() {
            if (minimumCalls > slidingWindowSize) {
                throw new IllegalStateException("minimumCalls (" + minimumCalls
                        + ") must not exceed slidingWindowSize (" + slidingWindowSize + ")");
            }
            if (maxEjectionTime.compareTo(baseEjectionTime) < 0) {
                throw new IllegalStateException("maxEjectionTime (" + maxEjectionTime
                        + ") must not be shorter than baseEjectionTime (" + baseEjectionTime + ")");
            }
            return new OutlierDetection(this, true);
        }

        static int positive(String field, int value) {
            if (value <= 0) {
                throw new IllegalArgumentException(field + " must be positive, got " + value);
            }
            return value;
        }

        static Duration positive(String field, Duration value) {
            Objects.requireNonNull(value, field);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(field + " must be positive, got " + value);
            }
            try {
                value.toNanos();
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException(field + " is too long, got " + value);
            }
            return value;
        }
    }
}

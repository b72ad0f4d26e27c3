package io.github.lb4j.core;

import java.time.Duration;
import java.util.Objects;

/**
 * Active health checking: a pool probes each of its backends with a {@link HealthChecker} every interval and takes
 * a backend out of rotation ({@link BackendHealth#UNHEALTHY}) after {@linkplain Builder#fall(int) "fall"} failed
 * checks in a row, back in after {@linkplain Builder#rise(int) "rise"} passed ones (HAProxy's model and defaults).
 *
 * <pre>{@code
 * LoadBalancer pool = LoadBalancer.builder("orders")
 *         .backends(backends)
 *         .healthCheck(ActiveHealthCheck.builder(checker)
 *                 .interval(Duration.ofSeconds(5))
 *                 .timeout(Duration.ofSeconds(1))
 *                 .initiallyHealthy(false)          // no traffic to a new backend before its first passed check
 *                 .build())
 *         .build();
 * }</pre>
 *
 * <p>All pools share one scheduler thread (a daemon named {@code lb4j-scheduler-N}, shared with discovery sources),
 * started with the first pool that checks and stopped when the last user is {@linkplain LoadBalancer#close()
 * closed}. The thread only starts checks and applies verdicts; the checks themselves run asynchronously, so a
 * checker must not block. Each backend has at most one check in flight; the next one is due {@code interval + random(0, jitter)} after the last one
 * finished, so checks of many backends spread out instead of arriving in bursts. A check that does not complete
 * within the timeout, that throws, returns null or completes exceptionally counts as failed; a check still running
 * when the next one is due counts as failed too, without starting a second one.
 *
 * <p>Thread-safety: immutable.
 */
public final class ActiveHealthCheck {

    /** Time between checks of one backend: 10 s, the common default of Envoy's examples and load-balancer products. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    /** Longest wait for one check: 2 s; a health endpoint slower than that is not healthy. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    /** Passed checks in a row that bring an unhealthy backend back: 2, HAProxy's default. */
    public static final int DEFAULT_RISE = 2;
    /** Failed checks in a row that take a healthy backend out: 3, HAProxy's default. */
    public static final int DEFAULT_FALL = 3;

    final HealthChecker checker;
    final long intervalNanos;
    final long jitterNanos;
    final long timeoutNanos;
    final int rise;
    final int fall;
    final boolean initiallyHealthy;

    private ActiveHealthCheck(Builder b) {
        this.checker = b.checker;
        this.intervalNanos = b.interval.toNanos();
        // Default jitter: a tenth of the interval, enough to keep checks of backends that joined together apart.
        this.jitterNanos = b.jitter != null ? b.jitter.toNanos() : intervalNanos / 10;
        this.timeoutNanos = b.timeout.toNanos();
        this.rise = b.rise;
        this.fall = b.fall;
        this.initiallyHealthy = b.initiallyHealthy;
    }

    /**
     * @param checker the probe
     * @return checks with every default
     */
    public static ActiveHealthCheck of(HealthChecker checker) {
        return builder(checker).build();
    }

    /**
     * @param checker the probe
     * @return a builder starting from the defaults
     */
    public static Builder builder(HealthChecker checker) {
        return new Builder(Objects.requireNonNull(checker, "checker"));
    }

    /** @return the probe */
    public HealthChecker checker() {
        return checker;
    }

    /** @return time between checks of one backend, before jitter */
    public Duration interval() {
        return Duration.ofNanos(intervalNanos);
    }

    /** @return the most added at random to each interval */
    public Duration jitter() {
        return Duration.ofNanos(jitterNanos);
    }

    /** @return the longest wait for one check */
    public Duration timeout() {
        return Duration.ofNanos(timeoutNanos);
    }

    /** @return passed checks in a row that bring an unhealthy backend back */
    public int rise() {
        return rise;
    }

    /** @return failed checks in a row that take a healthy backend out */
    public int fall() {
        return fall;
    }

    /** @return whether a new backend gets traffic before its first check (until a check fails) */
    public boolean initiallyHealthy() {
        return initiallyHealthy;
    }

    @Override
    public String toString() {
        return "ActiveHealthCheck{interval=" + interval() + ", jitter=" + jitter() + ", timeout=" + timeout()
                + ", rise=" + rise + ", fall=" + fall + ", initiallyHealthy=" + initiallyHealthy + '}';
    }

    /**
     * Configures {@link ActiveHealthCheck}. Every setter validates its argument at once.
     *
     * <p>Thread-safety: not thread-safe; build on one thread.
     */
    public static final class Builder {
        final HealthChecker checker;
        Duration interval = DEFAULT_INTERVAL;
        Duration jitter;
        Duration timeout = DEFAULT_TIMEOUT;
        int rise = DEFAULT_RISE;
        int fall = DEFAULT_FALL;
        boolean initiallyHealthy = true;

        Builder(HealthChecker checker) {
            this.checker = checker;
        }

        /**
         * @param interval time between the end of one check of a backend and the start of the next, before jitter;
         *     positive; default {@link #DEFAULT_INTERVAL}
         * @return this builder
         * @throws IllegalArgumentException if {@code interval} is not positive
         */
        public Builder interval(Duration interval) {
            this.interval = OutlierDetection.Builder.positive("interval", interval);
            return this;
        }

        /**
         * @param jitter the most added at random to each interval, zero or positive; default a tenth of the interval
         * @return this builder
         * @throws IllegalArgumentException if {@code jitter} is negative
         */
        public Builder jitter(Duration jitter) {
            Objects.requireNonNull(jitter, "jitter");
            if (jitter.isNegative()) {
                throw new IllegalArgumentException("jitter must not be negative, got " + jitter);
            }
            this.jitter = jitter.isZero() ? jitter : OutlierDetection.Builder.positive("jitter", jitter);
            return this;
        }

        /**
         * @param timeout the longest wait for one check, positive; default {@link #DEFAULT_TIMEOUT}
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is not positive
         */
        public Builder timeout(Duration timeout) {
            this.timeout = OutlierDetection.Builder.positive("timeout", timeout);
            return this;
        }

        /**
         * @param checks passed checks in a row that bring an unhealthy backend back; default {@link #DEFAULT_RISE}
         * @return this builder
         * @throws IllegalArgumentException if {@code checks} is not positive
         */
        public Builder rise(int checks) {
            this.rise = OutlierDetection.Builder.positive("rise", checks);
            return this;
        }

        /**
         * @param checks failed checks in a row that take a healthy backend out; default {@link #DEFAULT_FALL}
         * @return this builder
         * @throws IllegalArgumentException if {@code checks} is not positive
         */
        public Builder fall(int checks) {
            this.fall = OutlierDetection.Builder.positive("fall", checks);
            return this;
        }

        /**
         * How a backend starts, when the pool is built and when it joins later. {@code true} (the default): it is
         * trusted and picked at once, until a check fails (its first failed check takes it out, without waiting for
         * "fall"). {@code false}: it is {@link BackendHealth#UNHEALTHY} and gets no traffic until its first check
         * passes (its first check then runs within one jitter rather than one interval). Backends waiting for their
         * first check do not count toward the panic threshold and are not picked in panic mode.
         *
         * @param trusted whether new backends are picked before their first check
         * @return this builder
         */
        public Builder initiallyHealthy(boolean trusted) {
            this.initiallyHealthy = trusted;
            return this;
        }

        /** @return the configuration */
        public ActiveHealthCheck build() {
            return new ActiveHealthCheck(this);
        }
    }
}

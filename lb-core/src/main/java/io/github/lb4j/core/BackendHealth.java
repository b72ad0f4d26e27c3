package io.github.lb4j.core;

import java.util.Locale;

/**
 * The health of a backend as its pool sees it. Only {@link #HEALTHY} backends are picked, except in panic mode
 * (see {@link LoadBalancer.Builder#panicThreshold(int)}), which picks ejected and unhealthy primaries too but never
 * an {@link #OVERLOADED} one.
 *
 * <p>Every change is one of these transitions, checked by the pool ({@link #canTransitionTo}); each one publishes a
 * new snapshot, is logged and is delivered to the pool's {@link LoadBalancerListener listeners} as a
 * {@link LoadBalancerEvent.HealthChanged}:
 * <pre>
 *   HEALTHY   → EJECTED    passive outlier detection: failures in a row, or the backend's circuit breaker opened
 *   EJECTED   → HEALTHY    the ejection period ended; the circuit breaker is half-open and the next calls are probes
 *   HEALTHY   → UNHEALTHY  active checks failed "fall" times in a row (once, if it was trusted before its first check)
 *   UNHEALTHY → HEALTHY    active checks passed "rise" times in a row (once, if it was waiting for its first check)
 *   EJECTED   → UNHEALTHY  active checks failed "fall" times in a row while it was ejected
 *   HEALTHY, EJECTED, UNHEALTHY → DRAINING   removed from membership with calls in flight; no new picks
 *   DRAINING  → HEALTHY    added back to membership before it drained
 *   DRAINING  → UNHEALTHY  added back before it drained, in a pool that waits for a first passed check
 *   HEALTHY   → OVERLOADED  it answered that it is overloaded, for how long ({@link Selection#overloaded})
 *   OVERLOADED → HEALTHY   that window ended
 *   OVERLOADED → UNHEALTHY active checks failed "fall" times in a row while it was overloaded
 *   OVERLOADED → DRAINING  removed from membership with calls in flight
 * </pre>
 *
 * <pre>{@code
 * LoadBalancer pool = LoadBalancer.builder("orders")
 *         .backends(backends)
 *         .listener(event -> {
 *             if (event instanceof LoadBalancerEvent.HealthChanged h && h.to() == BackendHealth.EJECTED) {
 *                 metrics.counter("ejections", "backend", h.backend().id()).increment();
 *             }
 *         })
 *         .build();
 * }</pre>
 *
 * <p>Thread-safety: immutable.
 */
public enum BackendHealth {
    /** Receives traffic. */
    HEALTHY,
    /** Taken out of rotation by passive outlier detection until its ejection period ends. */
    EJECTED,
    /** Taken out of rotation by active health checks until they pass again. */
    UNHEALTHY,
    /** No longer a member of the pool; kept only until its in-flight calls complete. */
    DRAINING,
    /**
     * Said it is overloaded and when to come back (an HTTP 429 or 503 with {@code Retry-After}, reported through
     * {@link Selection#overloaded}): not picked until then, not even in panic mode, and not counted as a failure.
     * It counts nowhere for the panic threshold while it lasts, like a backend awaiting its first health check.
     */
    OVERLOADED;

    /**
     * @param next the state to move to
     * @return whether the pool may move a backend from this state to {@code next} (see the table above); a state
     *     never transitions to itself
     */
    public boolean canTransitionTo(BackendHealth next) {
        switch (this) {
            case HEALTHY:
                return next == EJECTED || next == UNHEALTHY || next == DRAINING || next == OVERLOADED;
            case EJECTED:
                return next == HEALTHY || next == UNHEALTHY || next == DRAINING;
            case UNHEALTHY:
                return next == HEALTHY || next == DRAINING;
            case DRAINING:
                return next == HEALTHY || next == UNHEALTHY;
            case OVERLOADED:
                return next == HEALTHY || next == UNHEALTHY || next == DRAINING;
            default:
                throw new AssertionError(this);
        }
    }

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}

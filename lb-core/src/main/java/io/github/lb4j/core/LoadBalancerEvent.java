package io.github.lb4j.core;

import java.util.List;
import java.util.Objects;

/**
 * Something that happened to a pool: a backend's health changed, its circuit breaker changed state, the membership
 * changed or its source confirmed it, or the pool entered or left panic mode. Delivered to the {@link LoadBalancerListener listeners} registered
 * with {@link LoadBalancer.Builder#listener}, once per change and in the order the changes happened.
 *
 * <pre>{@code
 * LoadBalancer pool = LoadBalancer.builder("orders")
 *         .backends(backends)
 *         .listener(event -> {
 *             if (event instanceof LoadBalancerEvent.HealthChanged h) {
 *                 alerts.send(h.backend().id() + " is " + h.to() + ": " + h.reason());
 *             } else if (event instanceof LoadBalancerEvent.PanicModeChanged p && p.panic()) {
 *                 alerts.page("pool " + p.poolName() + " is in panic mode");
 *             }
 *         })
 *         .build();
 * }</pre>
 *
 * <p>Every event carries the pool's name and the {@link Ticker} time of the change.
 *
 * <p>Thread-safety: events are immutable.
 */
public sealed interface LoadBalancerEvent {

    /** @return the name of the pool the event belongs to */
    String poolName();

    /** @return the pool's {@link Ticker} time of the change, in nanoseconds */
    long nanos();

    /**
     * A backend moved from one {@link BackendHealth} to another.
     *
     * @param poolName the pool
     * @param backend the backend
     * @param from its previous health
     * @param to its new health
     * @param reason why, for example {@code "5 consecutive failures; ejected for 30s"}
     * @param nanos when
     * @param cause why, as a type to act on or count by (the {@code reason} says it for people)
     */
    record HealthChanged(String poolName, Backend backend, BackendHealth from, BackendHealth to, String reason,
                         long nanos, Cause cause) implements LoadBalancerEvent {
        /** Checks the components. */
        public HealthChanged {
            Objects.requireNonNull(poolName, "poolName");
            Objects.requireNonNull(backend, "backend");
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(cause, "cause");
        }

        /**
         * An event without a typed cause ({@link Cause#UNSPECIFIED}), as built before causes existed; the pool
         * itself always names one.
         *
         * @param poolName the pool
         * @param backend the backend
         * @param from its previous health
         * @param to its new health
         * @param reason why
         * @param nanos when
         */
        public HealthChanged(String poolName, Backend backend, BackendHealth from, BackendHealth to, String reason,
                             long nanos) {
            this(poolName, backend, from, to, reason, nanos, Cause.UNSPECIFIED);
        }

        /** What moved a backend's health, one constant per rule of the pool that moves it. */
        public enum Cause {
            /** Passive outlier detection: as many failures in a row as configured ({@code → EJECTED}). */
            CONSECUTIVE_FAILURES,
            /** Passive outlier detection: the circuit breaker's failure rate over its window ({@code → EJECTED}). */
            FAILURE_RATE,
            /**
             * Passive outlier detection: after an ejection, the half-open circuit breaker's probe calls failed
             * ({@code → EJECTED}).
             */
            FAILED_PROBES,
            /** The ejection period ended ({@code EJECTED → HEALTHY}). */
            EJECTION_ENDED,
            /** Active health checks failed ({@code → UNHEALTHY}). */
            CHECKS_FAILED,
            /** Active health checks passed ({@code UNHEALTHY → HEALTHY}). */
            CHECKS_PASSED,
            /** Removed from membership with calls in flight ({@code → DRAINING}). */
            REMOVED,
            /** Added back to membership before it drained ({@code DRAINING →}). */
            REJOINED,
            /**
             * The backend said it is overloaded and for how long ({@link Selection#overloaded}, an HTTP 429 or 503
             * with {@code Retry-After}) ({@code HEALTHY → OVERLOADED}).
             */
            RETRY_AFTER,
            /** The window a backend asked for with {@link #RETRY_AFTER} ended ({@code OVERLOADED → HEALTHY}). */
            RETRY_AFTER_ENDED,
            /** Not named: only events built with the constructor without a cause. */
            UNSPECIFIED
        }
    }

    /**
     * The circuit breaker that a pool keeps per backend for passive outlier detection changed state. Its states are
     * resilience4j's: {@code CLOSED} (calls are counted), {@code OPEN} (the backend is ejected) and
     * {@code HALF_OPEN} (the ejection ended and the next calls decide).
     *
     * @param poolName the pool
     * @param backend the backend
     * @param from the breaker's previous state
     * @param to its new state
     * @param nanos when
     */
    record CircuitBreakerChanged(String poolName, Backend backend, String from, String to, long nanos)
            implements LoadBalancerEvent {
        /** Checks the components. */
        public CircuitBreakerChanged {
            Objects.requireNonNull(poolName, "poolName");
            Objects.requireNonNull(backend, "backend");
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
        }
    }

    /**
     * The membership changed through {@link LoadBalancer#updateBackends}.
     *
     * @param poolName the pool
     * @param added backends that joined
     * @param removed backends that left (those with calls in flight drain first)
     * @param changed backends whose weight, zone, backup flag or metadata changed
     * @param size the number of members after the change
     * @param nanos when
     */
    record MembershipChanged(String poolName, List<Backend> added, List<Backend> removed, List<Backend> changed,
                             int size, long nanos) implements LoadBalancerEvent {
        /** Checks the components and copies the lists. */
        public MembershipChanged {
            Objects.requireNonNull(poolName, "poolName");
            added = List.copyOf(added);
            removed = List.copyOf(removed);
            changed = List.copyOf(changed);
        }
    }

    /**
     * The pool's {@link BackendSource} confirmed that its membership is current without changing it: it pushed the
     * set the pool already had, or called {@link BackendSource.Sink#confirmed()} (after a re-list that found no
     * change, or when its watch resumed). Sources confirm on such occasions, not on a timer of the pool's, so the
     * absence of this event for long says the registry has not been heard from.
     *
     * @param poolName the pool
     * @param size the number of members
     * @param nanos when
     */
    record MembershipConfirmed(String poolName, int size, long nanos) implements LoadBalancerEvent {
        /** Checks the components. */
        public MembershipConfirmed {
            Objects.requireNonNull(poolName, "poolName");
        }
    }

    /**
     * The pool entered or left panic mode: fewer than the panic threshold of its primary backends were available,
     * so it picks across all of them regardless of health (see {@link LoadBalancer.Builder#panicThreshold(int)}).
     *
     * @param poolName the pool
     * @param panic true when entering panic mode, false when leaving it
     * @param available primary backends available at the change
     * @param primaries primary backends in total (not counting backends waiting for their first health check)
     * @param nanos when
     */
    record PanicModeChanged(String poolName, boolean panic, int available, int primaries, long nanos)
            implements LoadBalancerEvent {
        /** Checks the components. */
        public PanicModeChanged {
            Objects.requireNonNull(poolName, "poolName");
        }
    }
}

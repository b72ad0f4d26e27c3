package io.github.lb4j.core;

import io.github.lb4j.core.LoadBalancerEvent.HealthChanged.Cause;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passive outlier detection for one pool (see {@link OutlierDetection}): counts failures in a row, feeds each
 * backend's resilience4j circuit breaker, and ejects, brings back and re-ejects backends through the pool's update
 * path, which it reaches through a {@link PoolHelper} only (as {@link ActiveChecks} does: the two health rules are
 * symmetric, each deciding verdicts and asking the helper to apply them).
 *
 * <p>The breaker is fed only while its outcome can change it. Before a backend's first failure there is no breaker at
 * all; after a failure, successes are fed until {@link #cleanRun} of them in a row have filled the sliding window,
 * after which the window holds only successes and another success cannot change it, so the success path is a single
 * volatile read. The breaker's automatic transitions are off (no scheduler thread); it changes state only inside the
 * calls the pool makes, so the pool bridges its transitions to {@link LoadBalancerEvent.CircuitBreakerChanged} events
 * by reading its state after each of those calls. (Subscribing to the breaker's own event publisher would make it
 * allocate an event with a wall-clock timestamp for every recorded call.)
 */
final class PassiveHealth {

    private static final Logger log = LoggerFactory.getLogger(LoadBalancer.class);

    /** What the breakers record for every failure; stackless, immutable, shared. */
    private static final Throwable RECORDED_FAILURE = new RecordedFailure();

    private final PoolHelper pool;
    final OutlierDetection config;
    private final CircuitBreakerConfig breakerConfig;
    /** Successes in a row after which the breaker's window holds only successes. */
    final int cleanRun;

    PassiveHealth(PoolHelper pool, OutlierDetection config) {
        this.pool = pool;
        this.config = config;
        this.cleanRun = Math.max(config.slidingWindowSize, config.halfOpenCalls);
        this.breakerConfig = CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(config.slidingWindowSize)
                .minimumNumberOfCalls(config.minimumCalls)
                .failureRateThreshold(config.failureRateThreshold)
                .permittedNumberOfCallsInHalfOpenState(config.halfOpenCalls)
                // The pool times ejections on its own Ticker and moves the breaker to half-open itself.
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .writableStackTraceEnabled(false)
                .build();
    }

    /** A success while the breaker may still need it ({@code s.successRun < cleanRun}); request thread, no lock. */
    void onSuccess(BackendState s) {
        s.successRun = s.successRun + 1;
        if (s.failuresInARow() != 0) {
            s.resetFailuresInARow();
        }
        CircuitBreaker cb = s.breaker;
        if (cb == null || s.health != BackendHealth.HEALTHY) {
            return;
        }
        cb.onSuccess(0, TimeUnit.NANOSECONDS);
        CircuitBreaker.State state = cb.getState();
        if (state != s.reportedBreakerState) {
            pool.update(now -> breakerMoved(s, now));
        } else if (state == CircuitBreaker.State.CLOSED && s.successRun >= cleanRun) {
            // The window holds only successes: the breaker knows nothing a new one, pre-filled with this run on the
            // next failure, would not. Dropping it keeps an idle pool at a few hundred bytes per backend instead of
            // about 3 KB per backend that ever failed once.
            s.breaker = null;
        }
    }

    /** A failure; request thread, no lock. */
    void onFailure(BackendState s, Throwable cause) {
        int before = s.successRun;
        s.successRun = 0;
        int inARow = s.failureInARow();
        if (s.health != BackendHealth.HEALTHY) {
            return; // picked in panic mode, or already ejected by a racing failure
        }
        CircuitBreaker cb = breaker(s, before);
        // Not the cause itself: the breaker logs what it records at DEBUG, stack trace and message included, and a
        // caller's exception may carry a URL with its query string (credentials). The breaker records every
        // throwable alike, so a stand-in counts the same.
        cb.onError(0, TimeUnit.NANOSECONDS, RECORDED_FAILURE);
        if (inARow >= config.consecutiveFailures) {
            pool.update(now -> ejectForFailuresInARow(s, now));
        } else if (cb.getState() != s.reportedBreakerState) {
            pool.update(now -> breakerMoved(s, now));
        }
    }

    /**
     * The backend's breaker, created on its first failure. A backend that had {@code run} successes in a row starts
     * with that many (up to a window less one) recorded, so the new breaker sees the recent history it missed.
     */
    private CircuitBreaker breaker(BackendState s, int run) {
        CircuitBreaker cb = s.breaker;
        if (cb != null) {
            return cb;
        }
        synchronized (s) {
            cb = s.breaker;
            if (cb == null) {
                cb = CircuitBreaker.of(pool.poolName() + "/" + s.id, breakerConfig);
                int prefill = Math.min(run, config.slidingWindowSize - 1);
                for (int i = 0; i < prefill; i++) {
                    cb.onSuccess(0, TimeUnit.NANOSECONDS);
                }
                s.reportedBreakerState = cb.getState();
                s.breaker = cb;
            }
            return cb;
        }
    }

    private boolean ejectForFailuresInARow(BackendState s, long now) {
        int n = s.failuresInARow();
        if (s.health != BackendHealth.HEALTHY || !pool.isMember(s) || n < config.consecutiveFailures) {
            return false; // ejected by a racing thread, removed, or a success came in between
        }
        return eject(s, n + " failures in a row", Cause.CONSECUTIVE_FAILURES, now);
    }

    /** Reports the breaker's new state and acts on it. Under the pool's lock. */
    private boolean breakerMoved(BackendState s, long now) {
        CircuitBreaker cb = s.breaker;
        if (cb == null) {
            return false; // dropped after a clean window by a racing success: nothing left to report
        }
        CircuitBreaker.State previous = s.reportedBreakerState;
        CircuitBreaker.State state = report(s, now);
        if (state == previous) {
            return false;
        }
        if (state == CircuitBreaker.State.OPEN && s.health == BackendHealth.HEALTHY && pool.isMember(s)) {
            CircuitBreaker.Metrics m = cb.getMetrics();
            String rate = Math.round(m.getFailureRate()) + "%";
            boolean probes = previous == CircuitBreaker.State.HALF_OPEN;
            return eject(s, probes
                    ? "failed its probe calls (failure rate " + rate + " of " + m.getNumberOfBufferedCalls() + ")"
                    : "failure rate " + rate + " over the last " + m.getNumberOfBufferedCalls() + " calls",
                    probes ? Cause.FAILED_PROBES : Cause.FAILURE_RATE, now);
        }
        if (state == CircuitBreaker.State.CLOSED && previous == CircuitBreaker.State.HALF_OPEN) {
            s.successRun = 0; // feed a full window to the fresh closed-state window
        }
        return false;
    }

    /** Queues an event if the breaker moved since the last report. Under the pool's lock. */
    private CircuitBreaker.State report(BackendState s, long now) {
        CircuitBreaker cb = s.breaker;
        CircuitBreaker.State previous = s.reportedBreakerState;
        if (cb == null) {
            return previous; // dropped after a clean window by a racing success
        }
        CircuitBreaker.State state = cb.getState();
        if (state != previous) {
            s.reportedBreakerState = state;
            pool.enqueue(new LoadBalancerEvent.CircuitBreakerChanged(pool.poolName(), s.backend, label(previous),
                    label(state), now));
        }
        return state;
    }

    /** Ejects a healthy member unless that would exceed the max ejection percent. Under the pool's lock. */
    private boolean eject(BackendState s, String why, Cause cause, long now) {
        CircuitBreaker cb = breaker(s, 0);
        // Unhealthy members (failed active checks) count as out too: ejecting the last one that serves while the
        // others are down only turns slow answers into no answers (FleetChaosTest: all down, then one back).
        if ((pool.outCount() + 1) * 100L > (long) config.maxEjectionPercent * pool.memberCount()) {
            // Start counting afresh: the next attempt comes after as many failures again, not on every one.
            s.resetFailuresInARow();
            cb.reset();
            report(s, now);
            log.debug("pool '{}': backend {} not ejected ({}): {} of {} already ejected or unhealthy, max {}%",
                    pool.poolName(), s.id, why, pool.outCount(), pool.memberCount(), config.maxEjectionPercent);
            return false;
        }
        int count = decayedEjections(s, now) + 1;
        long length = ejectionNanos(count);
        s.ejectionCount = count;
        s.ejectedUntilNanos = now + length;
        s.resetFailuresInARow();
        pool.transition(s, BackendHealth.EJECTED, now, why + "; ejected for " + EventDispatcher.duration(length)
                + (count > 1 ? " (ejection " + count + ")" : ""), cause);
        if (cb.getState() != CircuitBreaker.State.OPEN) {
            cb.transitionToOpenState();
        }
        report(s, now);
        return true;
    }

    /** The ejection count less one step per full decay period the backend has been healthy. */
    int decayedEjections(BackendState s, long now) {
        if (s.ejectionCount == 0) {
            return 0;
        }
        long steps = Math.max(0L, now - s.healthySinceNanos) / config.ejectionDecayNanos;
        return (int) Math.max(0L, s.ejectionCount - steps);
    }

    /** base x count, capped. */
    long ejectionNanos(int count) {
        long base = config.baseEjectionNanos;
        return count > config.maxEjectionNanos / base ? config.maxEjectionNanos
                : Math.min(config.maxEjectionNanos, base * count);
    }

    /** Ends the ejections due by {@code now} among {@code members}. Under the pool's lock. */
    void endEjectionsDue(Iterable<BackendState> members, long now) {
        for (BackendState s : members) {
            if (s.health == BackendHealth.EJECTED && now - s.ejectedUntilNanos >= 0) {
                endEjection(s, now);
                pool.backInRotation(s, now);
            }
        }
    }

    /** The ejection period ended: back in rotation, breaker half-open. Under the pool's lock. */
    private void endEjection(BackendState s, long now) {
        pool.transition(s, BackendHealth.HEALTHY, now, "ejection of " + EventDispatcher.duration(
                ejectionNanos(s.ejectionCount)) + " ended; the next calls are probes", Cause.EJECTION_ENDED);
        probe(s, now);
    }

    /**
     * Active checks brought the backend back, or it rejoined while draining: if its breaker is open, the next calls
     * are probes. Under the pool's lock.
     */
    void probeAfterCheck(BackendState s, long now) {
        probe(s, now);
    }

    private void probe(BackendState s, long now) {
        s.resetFailuresInARow();
        s.successRun = 0;
        CircuitBreaker cb = s.breaker;
        if (cb != null && cb.getState() == CircuitBreaker.State.OPEN) {
            cb.transitionToHalfOpenState();
            report(s, now);
        }
    }

    /** The breaker state a pool reports, in resilience4j's words. */
    static String label(CircuitBreaker.State state) {
        return state == null ? "NONE" : state.name();
    }

    /** The failure a breaker records: says what it is, carries nothing of the request. */
    private static final class RecordedFailure extends Exception {
        private static final long serialVersionUID = 1L;

        RecordedFailure() {
            super("failure reported to the pool (its cause is not passed on: it may carry request data)", null,
                    false, false);
        }
    }
}

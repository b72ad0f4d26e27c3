package io.github.lb4j.core;

import io.github.lb4j.core.LoadBalancerEvent.HealthChanged.Cause;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Overload signals for one pool: a backend that says it is overloaded and when to come back
 * ({@link Selection#overloaded}) is {@link BackendHealth#OVERLOADED} for that window and back in rotation after it.
 * It reaches the pool through a {@link PoolHelper} only, like the other health rules.
 *
 * <p>Why a health state of its own rather than an ejection: the backend is not broken, it asked for a pause, so the
 * pool neither counts the answer as a failure nor lengthens the pause (ejections grow with each one; this window is
 * exactly what was asked, capped at {@link Selection#MAX_RETRY_AFTER}). And panic mode, which picks ejected and
 * unhealthy backends because the pool's own verdicts may be wrong, must not override a verdict the backend gave about
 * itself: an overloaded backend counts nowhere and is never picked until its window ends. The end is a deadline of
 * the snapshot, met like the end of an ejection (one scheduled rebuild per pool, or the first pick after it with a
 * ticker the scheduler cannot follow); the return is a return to rotation, with a slow-start ramp if the pool has one,
 * so that the clients that all heard the same {@code Retry-After} do not land on it at full weight at once.
 */
final class Overload {

    private static final Logger log = LoggerFactory.getLogger(LoadBalancer.class);

    /**
     * An answer that would move the end of a window by less than this is not worth the lock and a rebuild:
     * {@code Retry-After} counts whole seconds, so under a storm of 429s from one backend (every call in flight
     * answering) this bounds the rebuilds to one a second per backend.
     */
    static final long EXTEND_STEP_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final PoolHelper pool;
    private final Ticker ticker;

    Overload(PoolHelper pool, Ticker ticker) {
        this.pool = pool;
        this.ticker = ticker;
    }

    /**
     * @return the window in nanoseconds, capped at {@link Selection#MAX_RETRY_AFTER}
     * @throws IllegalArgumentException if negative
     */
    static long windowNanos(Duration retryAfter) {
        Objects.requireNonNull(retryAfter, "retryAfter");
        if (retryAfter.isNegative()) {
            throw new IllegalArgumentException("retryAfter must not be negative, got " + retryAfter);
        }
        return retryAfter.compareTo(Selection.MAX_RETRY_AFTER) > 0 ? Selection.MAX_RETRY_AFTER.toNanos()
                : retryAfter.toNanos();
    }

    /** A backend said it is overloaded for {@code nanos} (already capped); request thread, no lock. */
    void signal(BackendState s, long nanos) {
        if (nanos == 0) {
            return;
        }
        BackendHealth health = s.health;
        if (health == BackendHealth.OVERLOADED
                && ticker.read() + nanos - s.overloadedUntilNanos < EXTEND_STEP_NANOS) {
            return; // read racily: at worst a window under a second shorter than this answer asked for
        }
        if (health != BackendHealth.HEALTHY && health != BackendHealth.OVERLOADED) {
            log.debug("pool '{}': backend {} asked for {} but is {}; counted as ignored", pool.poolName(), s.id,
                    EventDispatcher.duration(nanos), health.label());
            return;
        }
        pool.updateMember(s, now -> enter(s, now, nanos));
    }

    /** Under the pool's lock. @return whether a new snapshot is due (a new or longer window) */
    private boolean enter(BackendState s, long now, long nanos) {
        long until = now + nanos;
        if (s.health == BackendHealth.OVERLOADED) {
            if (until - s.overloadedUntilNanos < EXTEND_STEP_NANOS) {
                return false;
            }
            s.overloadedUntilNanos = until; // a later answer asks for longer: the snapshot's deadline moves
            return true;
        }
        if (s.health != BackendHealth.HEALTHY) {
            return false; // ejected or checked out by a racing change
        }
        s.overloadedUntilNanos = until;
        String window = EventDispatcher.duration(nanos);
        pool.transition(s, BackendHealth.OVERLOADED, now, "said it is overloaded; avoided for " + window,
                Cause.RETRY_AFTER);
        log.info("pool '{}': backend {} said it is overloaded; not picked for {}", pool.poolName(), s.id, window);
        return true;
    }

    /** Ends the windows due by {@code now} among {@code members}. Under the pool's lock. */
    void endDue(Iterable<BackendState> members, long now) {
        for (BackendState s : members) {
            if (s.health == BackendHealth.OVERLOADED && now - s.overloadedUntilNanos >= 0) {
                pool.transition(s, BackendHealth.HEALTHY, now, "its Retry-After window ended",
                        Cause.RETRY_AFTER_ENDED);
                pool.backInRotation(s, now);
            }
        }
    }

    /**
     * @return how long until the first overloaded member of {@code members} is due back at {@code now}, or -1 if
     *     none is overloaded (read without the lock: for a message and an exception, a moment off at worst)
     */
    static long soonestNanos(BackendState[] members, long now) {
        long soonest = -1L;
        for (BackendState s : members) {
            if (s.health == BackendHealth.OVERLOADED) {
                long left = Math.max(0L, s.overloadedUntilNanos - now);
                soonest = soonest < 0 ? left : Math.min(soonest, left);
            }
        }
        return soonest;
    }
}

package io.github.lb4j.core;

import io.github.lb4j.core.LoadBalancerEvent.HealthChanged.Cause;

/**
 * What the health rules ({@link PassiveHealth}, {@link ActiveChecks}) may ask of their pool, and nothing more: run a
 * change on the serialized update path, and, inside such a change, read membership and move a backend's health. The
 * narrow door of gRPC's {@code LoadBalancer.Helper}: the health classes never see the pool object, its snapshot or
 * its request path.
 *
 * <p>Thread-safety: {@link #update} and {@link #updateMember} are called without the pool's lock and take it; every
 * other method must be called from inside a {@link HealthChange}, that is, holding it.
 */
interface PoolHelper {

    /** @return the pool's name, for log lines and breaker names */
    String poolName();

    /**
     * Runs {@code change} under the pool's lock (unless the pool is closed), publishes a new snapshot if it says so,
     * then delivers the events it queued.
     */
    void update(HealthChange change);

    /**
     * Like {@link #update}, but only while {@code s} is a current member of an open pool.
     *
     * @return whether {@code s} was a member (so work scheduled for it goes on)
     */
    boolean updateMember(BackendState s, HealthChange change);

    /** @return whether {@code s} is a current member (not draining, not removed) */
    boolean isMember(BackendState s);

    /** @return current members out of rotation for their health right now: ejected or unhealthy */
    int outCount();

    /** @return current members */
    int memberCount();

    /** Moves a backend to another health state and queues the event. */
    void transition(BackendState s, BackendHealth to, long now, String reason, Cause cause);

    /**
     * Bookkeeping for a backend that just became healthy again: the start of its healthy period, a forgotten latency
     * estimate and, with slow start, a new ramp.
     */
    void backInRotation(BackendState s, long now);

    /** Queues an event, delivered in order after the lock is released. */
    void enqueue(LoadBalancerEvent event);

    /** A change applied under the pool's lock. */
    interface HealthChange {
        /**
         * @param now the pool's clock
         * @return whether eligibility or weights may have changed, so a new snapshot is due
         */
        boolean apply(long now);
    }
}

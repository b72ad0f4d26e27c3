package io.github.lb4j.core;

import io.github.lb4j.core.LoadBalancerEvent.HealthChanged.Cause;

/**
 * The pool's side of {@link PoolHelper}: how a health verdict becomes a change on the serialized update path (run
 * under the pool's lock, a new snapshot if anything moved, events delivered after the lock is released) and the
 * health transitions such a change may make. The health rules hold this, never the pool.
 */
final class HealthUpdates implements PoolHelper {

    private final DefaultLoadBalancer pool;

    HealthUpdates(DefaultLoadBalancer pool) {
        this.pool = pool;
    }

    @Override
    public String poolName() {
        return pool.name;
    }

    @Override
    public void update(HealthChange change) {
        synchronized (pool.lock) {
            if (!pool.snapshot().closed) {
                long now = pool.ticker.read();
                if (change.apply(now)) {
                    pool.rebuild(now);
                }
            }
        }
        pool.events.drain();
    }

    @Override
    public boolean updateMember(BackendState s, HealthChange change) {
        boolean member;
        synchronized (pool.lock) {
            member = !pool.snapshot().closed && pool.membership.isMember(s);
            if (member) {
                long now = pool.ticker.read();
                if (change.apply(now)) {
                    pool.rebuild(now);
                }
            }
        }
        pool.events.drain();
        return member;
    }

    @Override
    public boolean isMember(BackendState s) {
        return pool.membership.isMember(s);
    }

    @Override
    public int outCount() {
        return pool.membership.outCount();
    }

    @Override
    public int memberCount() {
        return pool.membership.size();
    }

    @Override
    public void transition(BackendState s, BackendHealth to, long now, String reason, Cause cause) {
        BackendHealth from = s.health;
        s.transition(to, now, reason);
        pool.events.enqueue(new LoadBalancerEvent.HealthChanged(pool.name, s.backend, from, to, reason, now, cause));
    }

    @Override
    public void backInRotation(BackendState s, long now) {
        s.healthySinceNanos = now;
        s.forgetLatency();
        if (pool.slowStartNanos > 0) {
            s.rampStartNanos = now;
        }
    }

    @Override
    public void enqueue(LoadBalancerEvent event) {
        pool.events.enqueue(event);
    }
}

package io.github.lb4j.core;

import io.github.lb4j.core.LoadBalancerEvent.HealthChanged.Cause;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is in a pool: the validation of a backend set, the diff of {@link LoadBalancer#updateBackends} (added,
 * removed, changed, a draining backend added back), and draining: a removed backend with calls in flight stays
 * until they complete, then is purged.
 *
 * <p>Thread-safety: guarded by the pool's lock (which {@link #purgeDrained} and the readers for diagnostics take
 * themselves); the pool reads whether anything drains from its own volatile flag, which this class keeps, so a
 * completion checks it without another dereference.
 */
final class Membership {

    private static final Logger log = LoggerFactory.getLogger(LoadBalancer.class);

    private final DefaultLoadBalancer owner;
    private final Object lock;
    private final EventDispatcher events;
    private final PoolHelper health;
    /** Null when there are no active checks. */
    private final ActiveChecks active;
    /** Null when passive outlier detection is off. */
    private final PassiveHealth passive;
    private final long slowStartNanos;
    private LinkedHashMap<String, BackendState> members = new LinkedHashMap<>();
    private final LinkedHashMap<String, BackendState> draining = new LinkedHashMap<>();

    Membership(DefaultLoadBalancer owner, Object lock, EventDispatcher events, PoolHelper health,
               ActiveChecks active, PassiveHealth passive, long slowStartNanos) {
        this.owner = owner;
        this.lock = lock;
        this.events = events;
        this.health = health;
        this.active = active;
        this.passive = passive;
        this.slowStartNanos = slowStartNanos;
    }

    /**
     * Validates a backend set: no null, no id twice.
     *
     * @return an unmodifiable copy
     */
    static List<Backend> check(Collection<Backend> backends) {
        Objects.requireNonNull(backends, "backends");
        List<Backend> copy = new ArrayList<>(backends.size());
        Set<String> ids = new HashSet<>();
        int i = 0;
        for (Backend b : backends) {
            if (b == null) {
                throw new NullPointerException("backends[" + i + "] is null");
            }
            if (!ids.add(b.id())) {
                throw new IllegalArgumentException("backends contains the id '" + b.id() + "' twice");
            }
            copy.add(b);
            i++;
        }
        return Collections.unmodifiableList(copy);
    }

    /** The members a pool is built with, at full weight. Under the lock. */
    void init(List<Backend> backends, long now) {
        for (Backend backend : backends) {
            members.put(backend.id(), newMember(backend, now, false));
        }
    }

    /** A new member's state: trusted or waiting for its first check, ramping if it joined after the build. */
    private BackendState newMember(Backend backend, long now, boolean joinedLater) {
        BackendState s = new BackendState(owner, backend);
        s.transitionNanos = now;
        s.healthySinceNanos = now;
        if (active != null) {
            if (active.config.initiallyHealthy) {
                s.trustedUntilChecked = true;
            } else {
                s.awaitingFirstCheck = true;
                s.health = BackendHealth.UNHEALTHY;
                s.transitionReason = "awaiting its first health check";
            }
        }
        if (joinedLater && slowStartNanos > 0) {
            s.rampStartNanos = now;
        }
        return s;
    }

    /**
     * Applies a new set: keeps the state of ids that stay, adds new ones (ramping if {@code ramp}), moves removed
     * ones with calls in flight to draining, and queues the {@link LoadBalancerEvent.MembershipChanged} event.
     * Under the lock.
     *
     * @param ramp whether joining backends start a slow-start ramp (not when the pool had nothing to pick)
     * @return the states that joined, whose checks the caller starts after its rebuild; null if the set is the
     *     current one (weights and metadata included), so nothing changed
     */
    List<BackendState> apply(List<Backend> update, long now, boolean ramp) {
        if (sameMembership(update)) {
            return null;
        }
        List<Backend> added = new ArrayList<>();
        List<Backend> removed = new ArrayList<>();
        List<Backend> changed = new ArrayList<>();
        LinkedHashMap<String, BackendState> next = new LinkedHashMap<>();
        List<BackendState> joined = new ArrayList<>();
        for (Backend b : update) {
            BackendState s = members.remove(b.id());
            if (s == null) {
                s = draining.remove(b.id());
                if (s != null) {
                    s.backend = b;
                    rejoin(s, now);
                } else {
                    s = newMember(b, now, ramp);
                }
                added.add(b);
                joined.add(s);
            } else if (!s.backend.equals(b)) {
                changed.add(b);
            }
            s.backend = b;
            next.put(b.id(), s);
        }
        for (BackendState gone : members.values()) {
            removed.add(gone.backend);
            if (active != null) {
                active.stop(gone);
            }
            if (gone.inFlight() > 0) {
                health.transition(gone, BackendHealth.DRAINING, now, "removed from membership", Cause.REMOVED);
                draining.put(gone.id, gone);
            }
        }
        owner.hasDraining = !draining.isEmpty();
        owner.drainingCount = draining.size();
        if (owner.hasDraining) {
            // A call that completed after its in-flight count was read above may have missed hasDraining (it
            // was still false): with the flag now set, look again, or that backend would drain forever.
            purgeDrained();
        }
        members = next;
        events.enqueue(new LoadBalancerEvent.MembershipChanged(owner.name, added, removed, changed, next.size(),
                now));
        events.enqueueMembers(next.values());
        return joined;
    }

    /** A draining backend added back: it resumes as a new member would (its counters survive). */
    private void rejoin(BackendState s, long now) {
        if (active != null && !active.config.initiallyHealthy) {
            s.awaitingFirstCheck = true;
            health.transition(s, BackendHealth.UNHEALTHY, now, "rejoined; awaiting its first health check",
                    Cause.REJOINED);
        } else {
            s.trustedUntilChecked = active != null;
            health.transition(s, BackendHealth.HEALTHY, now, "rejoined before it drained", Cause.REJOINED);
            health.backInRotation(s, now);
            if (passive != null) {
                passive.probeAfterCheck(s, now); // an open breaker (it left while ejected) goes half-open
            }
        }
    }

    private boolean sameMembership(List<Backend> update) {
        if (update.size() != members.size()) {
            return false;
        }
        Iterator<BackendState> it = members.values().iterator();
        for (Backend b : update) {
            if (!it.next().backend.equals(b)) {
                return false;
            }
        }
        return true;
    }

    /** Forgets the draining backends with nothing left in flight. Takes the lock. */
    void purgeDrained() {
        synchronized (lock) {
            for (Iterator<BackendState> it = draining.values().iterator(); it.hasNext(); ) {
                BackendState d = it.next();
                if (d.inFlight() == 0) {
                    it.remove();
                    log.debug("pool '{}': backend {} drained", owner.name, d.id);
                }
            }
            owner.hasDraining = !draining.isEmpty();
            owner.drainingCount = draining.size();
        }
    }

    /** @return the current members, in membership order. Under the lock. */
    Collection<BackendState> current() {
        return members.values();
    }

    /** @return the current members as the array a snapshot holds. Under the lock. */
    BackendState[] toArray() {
        return members.values().toArray(new BackendState[0]);
    }

    /** @return whether {@code s} is a current member (not draining, not removed). Under the lock. */
    boolean isMember(BackendState s) {
        return members.get(s.id) == s;
    }

    /** @return backends out of rotation for their health (ejected or unhealthy), among current members. Under the lock. */
    int outCount() {
        int n = 0;
        for (BackendState s : members.values()) {
            if (s.health == BackendHealth.EJECTED || s.health == BackendHealth.UNHEALTHY) {
                n++;
            }
        }
        return n;
    }

    /** @return current members. Under the lock. */
    int size() {
        return members.size();
    }

    /** @return members and draining backends, for stats. Takes the lock. */
    List<BackendState> withDraining() {
        synchronized (lock) {
            List<BackendState> all = new ArrayList<>(members.values());
            all.addAll(draining.values());
            return all;
        }
    }

    /** "0 of 3; 2 ejected, 1 draining": the members of {@code s} and the backends draining now. Lock-free. */
    String describe(Snapshot s) {
        EnumMap<BackendHealth, Integer> counts = new EnumMap<>(BackendHealth.class);
        int total = 0;
        for (BackendState m : s.members) {
            counts.merge(m.health, 1, Integer::sum);
            total++;
        }
        // The count the last change published, not the map under the lock: a pool with nothing to serve builds
        // this message on every select, and 256 callers must not queue on the lock for it (seen in the fleet soak).
        int drainingNow = owner.drainingCount;
        if (drainingNow > 0) {
            counts.merge(BackendHealth.DRAINING, drainingNow, Integer::sum);
            total += drainingNow;
        }
        StringBuilder sb = new StringBuilder().append(s.eligible.length).append(" of ").append(total);
        String sep = "; ";
        for (Map.Entry<BackendHealth, Integer> e : counts.entrySet()) {
            if (e.getKey() == BackendHealth.HEALTHY) {
                continue;
            }
            sb.append(sep).append(e.getValue()).append(' ').append(e.getKey().label());
            sep = ", ";
        }
        return sb.toString();
    }
}

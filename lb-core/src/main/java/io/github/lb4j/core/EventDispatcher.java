package io.github.lb4j.core;

import io.github.lb4j.core.internal.PoolObserver;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs a pool's events and hands them to its listeners, outside the pool's lock, one at a time and in the order they
 * were queued. Changes queue their events while holding the pool's lock (so the queue order is the order of the
 * changes); whichever thread calls {@link #drain()} first after that delivers everything queued, and a thread that
 * finds another one delivering leaves its events to it.
 */
final class EventDispatcher {

    private static final Logger log = LoggerFactory.getLogger(LoadBalancer.class);

    private final String pool;
    private final LoadBalancerListener[] listeners;
    /** Events, and {@link Members} for the observers, in the order of the changes. */
    private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
    /** lb4j's observers attached after build (see {@link PoolObserver}), or null; written under the pool's lock. */
    volatile PoolObserver observer;
    private final AtomicInteger wip = new AtomicInteger();

    EventDispatcher(String pool, List<LoadBalancerListener> listeners) {
        this.pool = pool;
        this.listeners = listeners.toArray(new LoadBalancerListener[0]);
    }

    /** Queues an event; the caller holds the pool's lock. */
    void enqueue(LoadBalancerEvent event) {
        queue.add(event);
    }

    /**
     * Queues the members for the observers, if any, in order with the events; the caller holds the pool's lock.
     *
     * @param members the current members
     */
    void enqueueMembers(Collection<BackendState> members) {
        if (observer != null) {
            queue.add(new Members(List.<PoolObserver.Member>copyOf(members)));
        }
    }

    /** Delivers queued events unless another thread is already doing so; the caller holds no lock. */
    void drain() {
        if (queue.isEmpty() || wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        try {
            for (;;) {
                Object e;
                while ((e = queue.poll()) != null) {
                    if (e instanceof Members) {
                        deliverMembers(((Members) e).members);
                    } else {
                        deliver((LoadBalancerEvent) e);
                    }
                }
                missed = wip.addAndGet(-missed);
                if (missed == 0) {
                    return;
                }
            }
        } catch (VirtualMachineError e) {
            wip.set(0); // let the next change deliver what is left
            throw e;
        }
    }

    private void deliver(LoadBalancerEvent e) {
        logEvent(e);
        for (LoadBalancerListener l : listeners) {
            try {
                l.onEvent(e);
            } catch (VirtualMachineError fatal) {
                throw fatal;
            } catch (Throwable t) {
                log.warn("pool '{}': listener {} threw on {}; the pool carries on", pool, l, e, t);
            }
        }
        PoolObserver o = observer;
        if (o != null) {
            try {
                o.onEvent(e);
            } catch (RuntimeException t) {
                log.warn("pool '{}': observer {} threw on {}; the pool carries on", pool, o, e, t);
            }
        }
    }

    private void deliverMembers(List<PoolObserver.Member> members) {
        PoolObserver o = observer;
        if (o != null) {
            try {
                o.members(members);
            } catch (RuntimeException t) {
                log.warn("pool '{}': observer {} threw on its members; the pool carries on", pool, o, t);
            }
        }
    }

    /** The members after a change, for the observers. */
    private static final class Members {
        final List<PoolObserver.Member> members;

        Members(List<PoolObserver.Member> members) {
            this.members = members;
        }
    }

    private void logEvent(LoadBalancerEvent e) {
        if (e instanceof LoadBalancerEvent.HealthChanged) {
            LoadBalancerEvent.HealthChanged h = (LoadBalancerEvent.HealthChanged) e;
            String id = h.backend().id();
            switch (h.to()) {
                case EJECTED:
                    log.warn("pool '{}': backend {} ejected: {}", pool, id, h.reason());
                    break;
                case UNHEALTHY:
                    log.warn("pool '{}': backend {} unhealthy: {}", pool, id, h.reason());
                    break;
                case HEALTHY:
                    log.info("pool '{}': backend {} healthy again (was {}): {}", pool, id, h.from().label(),
                            h.reason());
                    break;
                default:
                    log.debug("pool '{}': backend {} {}: {}", pool, id, h.to().label(), h.reason());
                    break;
            }
        } else if (e instanceof LoadBalancerEvent.MembershipChanged) {
            LoadBalancerEvent.MembershipChanged m = (LoadBalancerEvent.MembershipChanged) e;
            log.info("pool '{}' membership: {} backend(s); added {}, removed {}, changed {}", pool, m.size(),
                    ids(m.added()), ids(m.removed()), ids(m.changed()));
        } else if (e instanceof LoadBalancerEvent.PanicModeChanged) {
            LoadBalancerEvent.PanicModeChanged p = (LoadBalancerEvent.PanicModeChanged) e;
            if (p.panic()) {
                log.warn("pool '{}' in panic mode: {} of {} primary backends available; picking across all of them"
                        + " regardless of health", pool, p.available(), p.primaries());
            } else {
                log.info("pool '{}' left panic mode: {} of {} primary backends available", pool, p.available(),
                        p.primaries());
            }
        } else if (e instanceof LoadBalancerEvent.CircuitBreakerChanged) {
            LoadBalancerEvent.CircuitBreakerChanged c = (LoadBalancerEvent.CircuitBreakerChanged) e;
            log.debug("pool '{}': circuit breaker of {} {} -> {}", pool, c.backend().id(), c.from(), c.to());
        }
    }

    private static List<String> ids(List<Backend> backends) {
        List<String> ids = new ArrayList<>(backends.size());
        for (Backend b : backends) {
            ids.add(b.id());
        }
        return ids;
    }

    /** "30s", "1.5s", "250ms": durations for log lines and reasons. */
    static String duration(long nanos) {
        if (nanos % TimeUnit.SECONDS.toNanos(1) == 0) {
            return TimeUnit.NANOSECONDS.toSeconds(nanos) + "s";
        }
        if (nanos >= TimeUnit.SECONDS.toNanos(1)) {
            return String.format(java.util.Locale.ROOT, "%.1fs", nanos / 1e9);
        }
        return TimeUnit.NANOSECONDS.toMillis(nanos) + "ms";
    }
}

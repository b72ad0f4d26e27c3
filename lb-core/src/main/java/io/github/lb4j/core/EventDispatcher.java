package io.github.lb4j.core;

import io.github.lb4j.core.internal.PoolObserver;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs a pool's events and hands them to its listeners, outside the pool's lock, one at a time and in the order they
 * were queued. Changes queue their events while holding the pool's lock (so the queue order is the order of the
 * changes); then {@link #drain()} starts one delivery unless one is under way, which delivers everything queued
 * until the queue is empty.
 *
 * <p>Where a delivery runs: a pool with listeners delivers on its executor ({@link EventThreads} unless the builder
 * was given one), so that the thread that made a change (a request thread whose failure ejected a backend, a
 * discovery callback, the shared scheduler) only queues; a pool without listeners delivers on that thread, where
 * delivering is logging and lb4j's quick observers only. The queue holds at most {@code capacity} entries: beyond
 * it the oldest is dropped, counted and logged at WARN (once per backlog), so that a listener that cannot keep up
 * costs neither unbounded memory nor a blocked thread.
 */
final class EventDispatcher {

    private static final Logger log = LoggerFactory.getLogger(LoadBalancer.class);

    private final String pool;
    private final LoadBalancerListener[] listeners;
    /** Where deliveries run; null: on the thread that calls {@link #drain()}. */
    private final Executor executor;
    /** The lease {@link #executor} is, when it is the shared threads; released by {@link #close()}. */
    private final EventThreads.Lease lease;
    private final int capacity;
    /** Events, and {@link Members} for the observers, in the order of the changes. */
    private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
    /** How many entries {@link #queue} holds (its own size() is O(n)). */
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    /** Whether the current backlog has been reported; under the pool's lock, reset when a delivery empties it. */
    private volatile boolean overflowReported;
    /** lb4j's observers attached after build (see {@link PoolObserver}), or null; written under the pool's lock. */
    volatile PoolObserver observer;
    private final AtomicInteger wip = new AtomicInteger();
    private final Runnable delivery = this::deliverQueued;

    /**
     * @param executor where listeners run, or null for the shared {@link EventThreads}
     * @param capacity the most entries queued at once
     */
    EventDispatcher(String pool, List<LoadBalancerListener> listeners, Executor executor, int capacity) {
        this.pool = pool;
        this.listeners = listeners.toArray(new LoadBalancerListener[0]);
        this.capacity = capacity;
        if (this.listeners.length == 0) {
            this.lease = null;
            this.executor = null;
        } else if (executor == null) {
            this.lease = EventThreads.acquire();
            this.executor = lease;
        } else {
            this.lease = null;
            this.executor = executor;
        }
    }

    /** Queues an event; the caller holds the pool's lock. */
    void enqueue(LoadBalancerEvent event) {
        add(event);
    }

    /**
     * Queues the members for the observers, if any, in order with the events; the caller holds the pool's lock.
     *
     * @param members the current members
     */
    void enqueueMembers(Collection<BackendState> members) {
        if (observer != null) {
            add(new Members(List.<PoolObserver.Member>copyOf(members)));
        }
    }

    /** Under the pool's lock, so adds are serialized; deliveries poll concurrently. */
    private void add(Object entry) {
        queue.add(entry);
        if (size.incrementAndGet() <= capacity) {
            return;
        }
        Object oldest = queue.poll();
        if (oldest == null) {
            return; // a delivery took everything meanwhile
        }
        size.decrementAndGet();
        long total = dropped.incrementAndGet();
        if (!overflowReported) {
            overflowReported = true;
            log.warn("pool '{}': its listeners are {} events behind; dropping the oldest (first dropped: {}; {} "
                    + "dropped since the pool was built). Speed up the listeners or give the pool a listener "
                    + "executor of its own", pool, capacity, describe(oldest), total);
        }
    }

    /** Starts a delivery of what is queued unless one is under way; the caller holds no lock. */
    void drain() {
        if (queue.isEmpty() || wip.getAndIncrement() != 0) {
            return;
        }
        if (executor == null) {
            deliverQueued();
            return;
        }
        try {
            executor.execute(delivery);
        } catch (RejectedExecutionException e) {
            // The pool's executor is shut down (or the shared threads, after the pool closed): deliver here rather
            // than lose the events.
            if (lease == null) {
                log.warn("pool '{}': listener executor {} rejected a delivery; delivering on this thread", pool,
                        executor, e);
            }
            deliverQueued();
        }
    }

    /** Delivers until the queue is empty and no drain came in meanwhile; one thread at a time (see {@link #wip}). */
    private void deliverQueued() {
        int missed = 1;
        try {
            for (;;) {
                Object e;
                while ((e = queue.poll()) != null) {
                    size.decrementAndGet();
                    if (e instanceof Members) {
                        deliverMembers(((Members) e).members);
                    } else {
                        deliver((LoadBalancerEvent) e);
                    }
                }
                overflowReported = false;
                missed = wip.addAndGet(-missed);
                if (missed == 0) {
                    return;
                }
            }
        } catch (RuntimeException | Error e) {
            // An observer's Error, or the JVM's: let the next change deliver what is left rather than never again.
            wip.set(0);
            throw e;
        }
    }

    /** @return events (and member lists) dropped because the queue was full, since the pool was built */
    long dropped() {
        return dropped.get();
    }

    /** The pool closed: gives back the shared threads (what is queued is still delivered). */
    void close() {
        if (lease != null) {
            lease.release();
        }
    }

    private static String describe(Object entry) {
        return entry instanceof Members ? "the member list for lb4j's observers" : entry.getClass().getSimpleName();
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

package io.github.lb4j.core;

import java.util.Collection;

/**
 * Where a pool's membership comes from: a service-discovery client that pushes the <em>complete</em> current set of
 * backends to the pool whenever it learns one. The pool applies each set through
 * {@link LoadBalancer#updateBackends}, so backends that stay keep their state, removed ones drain and new ones join.
 *
 * <pre>{@code
 * ProgrammaticBackendSource discovered = BackendSource.programmatic();
 * LoadBalancer orders = LoadBalancer.builder("orders")
 *         .source(discovered)                 // started by build(), closed by orders.close()
 *         .build();
 * discovered.update(List.of(Backend.of("10.0.0.1", 8080), Backend.of("10.0.0.2", 8080)));
 * }</pre>
 *
 * <p>The sources lb4j ships, side by side (the README's discovery section says what each can and cannot tell the
 * pool): {@link #of} (one fixed set) and {@link #programmatic()} here; {@code DnsBackendSource} (A/AAAA and SRV,
 * module lb-dns); {@code ZooKeeperBackendSource} (Curator service discovery's layout, lb-zookeeper);
 * {@code EtcdBackendSource} (etcd's naming layout, lb-etcd); {@code KubernetesBackendSource} (a Service's
 * EndpointSlices, lb-kubernetes). Each keeps the last good set through an outage and confirms the set when its
 * registry answers ({@link Sink#confirmed()}).
 *
 * <p>Writing a source (Consul, Eureka, a file) takes a page: {@link #start} receives a
 * {@link Sink}; watch or poll the registry on your own thread or scheduler, call {@link Sink#update} with the full set
 * each time it changes and {@link Sink#failed} when a lookup fails, then retry with a backoff of your choosing;
 * stop all of that in {@link #close}.
 *
 * <p>Keep-last-good: a pool never lets discovery empty it by accident. An empty set pushed to a pool that has
 * backends is ignored and logged at WARN, unless the source {@linkplain #allowsEmpty() allows empty results};
 * {@link Sink#failed} leaves the membership as it is. Both are reported at WARN with the pool's name.
 *
 * <p>Thread-safety: the pool calls {@code start} once, from the thread that builds it, and {@code close} once, from
 * the thread that closes it. A {@link Sink} may be called from any thread; calls should not overlap, because the
 * pool applies sets in the order the calls reach it.
 */
public interface BackendSource extends AutoCloseable {

    /**
     * A source that pushes one fixed set when the pool starts it. An empty list is applied as given. The same
     * instance may feed several pools.
     *
     * @param backends the set, without duplicate ids
     * @return the source
     * @throws IllegalArgumentException if two backends share an id
     */
    static BackendSource of(Collection<Backend> backends) {
        return new StaticBackendSource(Membership.check(backends));
    }

    /**
     * A source the application feeds by calling {@link ProgrammaticBackendSource#update}. An empty update is
     * ignored while the pool has backends (keep-last-good).
     *
     * @return a new source, for one pool
     */
    static ProgrammaticBackendSource programmatic() {
        return new ProgrammaticBackendSource(false);
    }

    /**
     * Like {@link #programmatic()}, choosing whether an empty update empties the pool.
     *
     * @param allowEmpty true to let an empty update empty the pool
     * @return a new source, for one pool
     */
    static ProgrammaticBackendSource programmatic(boolean allowEmpty) {
        return new ProgrammaticBackendSource(allowEmpty);
    }

    /**
     * Starts discovery. Called once by {@link LoadBalancer.Builder#build()}, after the pool exists and holds its
     * initial {@linkplain LoadBalancer.Builder#backends backends}. A source may push its first set from inside this
     * call or later from another thread. It must not block for long: the caller is building the pool.
     *
     * @param sink where to push sets and report failures
     * @throws IllegalStateException if this source was already started and cannot serve a second pool
     */
    void start(Sink sink);

    /**
     * Whether an empty set may empty the pool. Default false: an empty result is treated as failed discovery and the
     * last good set is kept. Return true only where "no backends" is a real, intended state.
     *
     * @return whether an empty set is applied
     */
    default boolean allowsEmpty() {
        return false;
    }

    /** Stops discovery and releases its resources; later pushes are ignored. Called once, by the pool's close. */
    @Override
    void close();

    /**
     * What a pool gives its source. Thread-safety: safe to call from any thread; calls should not overlap.
     */
    interface Sink {

        /** @return the name of the pool this sink feeds, for the source's own log lines */
        String poolName();

        /**
         * Replaces the pool's membership with {@code backends}, the complete current set. An empty set is ignored
         * (and logged at WARN) while the pool has backends, unless the source {@linkplain #allowsEmpty() allows
         * it}; an invalid set (two backends with one id) is ignored and logged too. Never throws for a set the pool
         * cannot use: discovery problems must not reach the threads that call {@code select}.
         *
         * @param backends the complete set
         * @return true if the pool now has this set; false if it was ignored or the pool is closed
         */
        boolean update(Collection<Backend> backends);

        /**
         * Reports a failed lookup. The pool keeps its current membership and logs the reason at WARN. The source
         * retries on its own schedule.
         *
         * @param reason what failed, for a person reading the log (for example the name and the DNS error);
         *               include when the source will retry
         * @param cause the exception, or null
         */
        void failed(String reason, Throwable cause);

        /**
         * Says the registry confirmed that the pool's current set is still complete and current, without a change:
         * after a re-list that found the same set, or when a broken watch resumed and its re-list matched. The pool
         * records the time ({@link LoadBalancer#membershipConfirmedNanos()}, {@link BackendStats#membershipConfirmedNanos()})
         * and emits {@link LoadBalancerEvent.MembershipConfirmed}. An {@link #update} that changes nothing confirms
         * too. Call it when the registry answered, not on a timer of the source's own. The default does nothing, for
         * sinks that do not track it.
         */
        default void confirmed() {
        }
    }
}

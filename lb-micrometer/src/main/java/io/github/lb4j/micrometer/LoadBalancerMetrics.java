package io.github.lb4j.micrometer;

import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.internal.PoolInternals;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Publishes one pool's metrics to a Micrometer {@link MeterRegistry}. Every meter is tagged {@code pool} (the pool's
 * name) and any common tags given here:
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>meter</th><th>type</th><th>tags</th><th>what</th></tr>
 *   <tr><td>{@value #REQUESTS}</td><td>function timer (count and total time)</td><td>{@code backend},
 *       {@code outcome} = {@code success}, {@code failure}, {@code ignored}, {@code overloaded} (the backend asked
 *       for a pause: HTTP 429 or 503 with {@code Retry-After})</td><td>every selection finished with an outcome,
 *       and their latency from {@code select} to the outcome on the pool's ticker</td></tr>
 *   <tr><td>{@value #IN_FLIGHT}</td><td>gauge</td><td>{@code backend}</td><td>selections open on it now</td></tr>
 *   <tr><td>{@value #HEALTH}</td><td>gauge</td><td>{@code backend}, {@code state} = {@code healthy},
 *       {@code ejected}, {@code unhealthy}, {@code draining}, {@code overloaded}</td><td>1 for its current state, 0 for the others</td>
 *       </tr>
 *   <tr><td>{@value #EJECTIONS}</td><td>counter</td><td>{@code backend}, {@code reason} = {@code consecutive}
 *       (failures in a row), {@code rate} (the circuit breaker's failure rate), {@code breaker} (failed probe calls
 *       after an ejection), {@code check} (active health checks failed)</td><td>times it was taken out of
 *       rotation</td></tr>
 *   <tr><td>{@value #POOL_BACKENDS}</td><td>gauge</td><td>{@code state}</td><td>backends in each state, draining
 *       ones included</td></tr>
 *   <tr><td>{@value #PANIC}</td><td>gauge</td><td></td><td>1 while the pool is in panic mode, else 0</td></tr>
 *   <tr><td>{@value #NO_BACKEND}</td><td>counter</td><td></td><td>selects (and picks) that found no backend</td>
 *       </tr>
 * </table>
 *
 * <pre>{@code
 * LoadBalancer orders = LoadBalancer.builder("orders").backends(backends).build();
 * PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
 * new LoadBalancerMetrics(orders).bindTo(registry);
 * // lb4j_requests_seconds_count{backend="10.0.0.5:8080",outcome="success",pool="orders"} 1234.0
 * }</pre>
 *
 * <p>Cardinality is bounded by the membership: the per-backend meters of a backend exist while it is a member and
 * are removed from the registry when it leaves (a backend draining its last calls after it left is counted in
 * {@value #POOL_BACKENDS} only). The {@code backend} tag is the backend's id ({@code host:port} unless it was given one); no tag carries a
 * URL, a header, a hash key or anything else of a request.
 *
 * <p>Cost: an observed pool calls this binder on each completion, which reads the backend's meters off the
 * backend itself and adds to striped counters ({@code LongAdder}): none for a success, whose count is the pool's
 * own, one for another outcome, one more for a timed latency; nothing is locked or allocated on the request path,
 * and the registry reads the counters only when it publishes. {@value #REQUESTS} is therefore a
 * {@code FunctionTimer}: count and total time, no window maximum and no histogram (a {@code Timer.record} per
 * completion cost several times the select itself; issue 18's bound is 1.3x). Latency comes from the pool's own
 * timing: on a strategy that times its calls (peak EWMA, least latency...) or uses the clock, every selection;
 * on one that does not (round robin, random, hashing...), the pool times one selection in 16 per backend and each
 * of those adds 16 times its latency, so the count stays exact, the total is an unbiased estimate that only grows,
 * and {@code rate(sum) / rate(count)} is the mean latency. Gauges are read when the registry is scraped, without
 * taking the pool's lock.
 *
 * <p>What is not counted: a selection closed without an outcome ({@code close()} alone, or a leak released) is not
 * counted, since its duration means nothing (it still leaves {@value #IN_FLIGHT}); a selection opened before
 * {@link #bindTo} on a strategy that does not time calls is counted without a latency; and a selection
 * that finishes on a backend in the moment between its joining and the delivery of that membership change to
 * listeners (microseconds) is not timed, since its meters do not exist yet.
 *
 * <p>Thread-safety: safe from any thread. {@link #bindTo} may be called for several registries; {@link #close}
 * stops every binding and removes its meters.
 */
public final class LoadBalancerMetrics implements MeterBinder, AutoCloseable {

    /** Function timer (count, total time) of finished selections. */
    public static final String REQUESTS = "lb4j.requests";
    /** Gauge of selections open on a backend. */
    public static final String IN_FLIGHT = "lb4j.backend.in.flight";
    /** Gauge of a backend's health, one series per state. */
    public static final String HEALTH = "lb4j.backend.health";
    /** Counter of backends taken out of rotation, by reason. */
    public static final String EJECTIONS = "lb4j.ejections";
    /** Gauge of the pool's backends in each state. */
    public static final String POOL_BACKENDS = "lb4j.pool.backends";
    /** Gauge of panic mode. */
    public static final String PANIC = "lb4j.pool.panic";
    /** Counter of selects that found nothing. */
    public static final String NO_BACKEND = "lb4j.no.backend";

    private final LoadBalancer pool;
    private final Tags tags;
    private final List<PoolMeters> bindings = new ArrayList<>();
    private boolean closed;

    /**
     * @param pool a pool built by {@link LoadBalancer#builder}
     * @throws IllegalArgumentException if {@code pool} was not built by {@link LoadBalancer#builder}
     */
    public LoadBalancerMetrics(LoadBalancer pool) {
        this(pool, Tags.empty());
    }

    /**
     * @param pool a pool built by {@link LoadBalancer#builder}
     * @param tags common tags added to every meter (for example the application's name); none may be named
     *     {@code pool}, {@code backend}, {@code outcome}, {@code state} or {@code reason}
     * @throws IllegalArgumentException if {@code pool} was not built by {@link LoadBalancer#builder}, or a tag has
     *     one of the names this binder sets
     */
    public LoadBalancerMetrics(LoadBalancer pool, Iterable<Tag> tags) {
        this.pool = Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(tags, "tags");
        for (Tag t : tags) {
            if (PoolMeters.OWN_TAGS.contains(t.getKey())) {
                throw new IllegalArgumentException("tags: '" + t.getKey() + "' is set by LoadBalancerMetrics itself"
                        + " (tag " + t + ")");
            }
        }
        PoolInternals.inPanic(pool); // fails now, not at bind time, for a pool lb-core did not build
        this.tags = Tags.of(tags).and("pool", pool.name());
    }

    /**
     * Registers the pool's meters with {@code registry} and keeps them current.
     *
     * @param registry where to publish
     * @throws IllegalStateException if the pool is closed, or this binder was closed
     */
    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        if (closed) {
            throw new IllegalStateException("LoadBalancerMetrics of pool '" + pool.name() + "' is closed");
        }
        PoolMeters meters = new PoolMeters(pool, registry, tags);
        try {
            meters.start();
        } catch (RuntimeException e) {
            meters.close(); // the pool-wide meters it registered
            throw e;
        }
        bindings.add(meters);
    }

    /** Stops every binding and removes its meters from its registry. Further calls do nothing. */
    @Override
    public synchronized void close() {
        closed = true;
        for (PoolMeters m : bindings) {
            m.close();
        }
        bindings.clear();
    }

    @Override
    public String toString() {
        return "LoadBalancerMetrics{" + pool.name() + '}';
    }
}

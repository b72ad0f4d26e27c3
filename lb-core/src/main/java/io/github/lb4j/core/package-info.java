/**
 * lb4j's core: an embeddable client-side load balancer. A {@link io.github.lb4j.core.LoadBalancer} is a named pool
 * of {@link io.github.lb4j.core.Backend}s and a {@link io.github.lb4j.core.Strategy} that picks one of them per
 * request; the request's {@link io.github.lb4j.core.Selection} reports its outcome back, and the pool learns from it.
 *
 * <pre>{@code
 * LoadBalancer orders = LoadBalancer.builder("orders")
 *         .backends(List.of(Backend.of("10.0.0.1", 8080), Backend.of("10.0.0.2", 8080).withWeight(2)))
 *         .strategy(Strategy.peakEwma())                   // or roundRobin(), leastRequests(), ringHash(), ...
 *         .build();
 *
 * try (Selection selection = orders.select(RequestContext.ofHashKey(userId))) {
 *     Backend backend = selection.backend();
 *     try {
 *         send(backend.host(), backend.port());
 *         selection.success();
 *     } catch (IOException e) {
 *         selection.failure(e);                            // counts toward ejecting the backend
 *         throw e;
 *     }
 * }
 * }</pre>
 *
 * <h2>The types</h2>
 * <ul>
 *   <li>{@link io.github.lb4j.core.LoadBalancer} and its {@link io.github.lb4j.core.LoadBalancer.Builder}: the pool,
 *       its health options (passive {@link io.github.lb4j.core.OutlierDetection}, active
 *       {@link io.github.lb4j.core.ActiveHealthCheck}, slow start, panic mode, backups) and its listeners;</li>
 *   <li>{@link io.github.lb4j.core.Backend}: an immutable host, port, weight, zone and metadata;</li>
 *   <li>{@link io.github.lb4j.core.Strategy} and {@link io.github.lb4j.core.HashStrategy}: how a backend is chosen;
 *       {@link io.github.lb4j.core.RequestContext} carries a hash key, a pinned backend or backends to avoid (a
 *       retry);</li>
 *   <li>{@link io.github.lb4j.core.Selection}: one pick and the channel for its outcome;
 *       {@link io.github.lb4j.core.LoadBalancer#pick()} is the count-free choice for callers without an
 *       outcome;</li>
 *   <li>{@link io.github.lb4j.core.BackendSource}: where membership comes from: a static set, programmatic updates,
 *       or discovery modules such as {@code io.github.lb4j.dns};</li>
 *   <li>{@link io.github.lb4j.core.LoadBalancerListener} and {@link io.github.lb4j.core.LoadBalancerEvent}: typed
 *       events for membership, health, panic mode and circuit breakers; {@link io.github.lb4j.core.BackendStats}:
 *       counters per backend;</li>
 *   <li>{@link io.github.lb4j.core.Ticker}: the injectable clock every time-based rule reads.</li>
 * </ul>
 *
 * <h2>How it works</h2>
 * Updates and picks are two worlds. Every change (membership, health, weights) runs on one serialized update path
 * that builds an immutable snapshot of the eligible backends and a picker over it, published through one volatile
 * field; a pick reads that field once, takes no lock and allocates nothing beyond its {@code Selection}. Per-backend
 * counters (calls in flight, latency, failures) live on long-lived state that survives every snapshot swap.
 *
 * <h2>Selections must be completed</h2>
 * A selection dropped without {@code success}, {@code failure}, {@code ignore} or {@code close} would count its call
 * in flight forever. The pool finds such leaks when the garbage collector does, releases their slots and logs one
 * WARN each with the stack trace of the {@code select} that opened them. It watches one selection in 1024 per
 * backend by default; the system property {@code lb4j.leakDetection} ({@code off}, {@code sampled}, {@code all})
 * changes that when a pool is built.
 *
 * <h2>Thread-safety</h2>
 * Pools, selections and sources are safe to use from any thread; {@code Backend}, {@code Strategy},
 * {@code RequestContext} and the health configurations are immutable. Builders are for one thread.
 *
 * <p>The package {@code io.github.lb4j.core.internal} holds helpers for lb4j's own modules; it is not API.
 */
package io.github.lb4j.core;

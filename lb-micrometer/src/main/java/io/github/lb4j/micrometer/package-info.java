/**
 * Micrometer metrics for lb4j: {@link io.github.lb4j.micrometer.LoadBalancerMetrics} binds one pool's meters
 * ({@code lb4j.requests}, {@code lb4j.backend.in.flight}, {@code lb4j.backend.health}, {@code lb4j.ejections},
 * {@code lb4j.pool.backends}, {@code lb4j.pool.panic}, {@code lb4j.no.backend}) to any {@code MeterRegistry}:
 * Prometheus, OTLP, JMX, StatsD and the others behind Micrometer's one API. {@link io.github.lb4j.micrometer.RouteMetrics},
 * a route listener of lb-http, adds every adapter's route meters ({@code lb4j.route.attempts},
 * {@code lb4j.route.retries.refused}, {@code lb4j.route.per.try.timeouts}, {@code lb4j.route.calls}).
 *
 * <pre>{@code
 * LoadBalancer orders = LoadBalancer.builder("orders").backends(backends).build();
 * new LoadBalancerMetrics(orders).bindTo(registry);
 * }</pre>
 */
package io.github.lb4j.micrometer;

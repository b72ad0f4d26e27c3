/**
 * Micrometer metrics for lb4j: {@link io.github.lb4j.micrometer.LoadBalancerMetrics} binds one pool's meters
 * ({@code lb4j.requests}, {@code lb4j.backend.in.flight}, {@code lb4j.backend.health}, {@code lb4j.ejections},
 * {@code lb4j.pool.backends}, {@code lb4j.pool.panic}, {@code lb4j.no.backend}) to any {@code MeterRegistry}:
 * Prometheus, OTLP, JMX, StatsD and the others behind Micrometer's one API.
 *
 * <pre>{@code
 * LoadBalancer orders = LoadBalancer.builder("orders").backends(backends).build();
 * new LoadBalancerMetrics(orders).bindTo(registry);
 * }</pre>
 */
package io.github.lb4j.micrometer;

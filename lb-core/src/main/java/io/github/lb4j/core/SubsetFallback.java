package io.github.lb4j.core;

/**
 * What a pool does with a request for a {@linkplain RequestContext#withSubset subset} none of whose backends is
 * available: the subset matches no member, or every member it matches is ejected, unhealthy or waiting for its first
 * check (Envoy's subset load balancer calls this the fallback policy). Set with
 * {@link LoadBalancer.Builder#subsetFallback}.
 *
 * <pre>{@code
 * LoadBalancer orders = LoadBalancer.builder("orders")
 *         .backends(List.of(
 *                 Backend.of("10.0.0.1", 8080).withMetadata("version", "v1"),
 *                 Backend.of("10.0.0.2", 8080).withMetadata("version", "v1"),
 *                 Backend.of("10.0.0.3", 8080).withMetadata("version", "v2")))
 *         .subsetFallback(SubsetFallback.DEFAULT)
 *         .defaultSubset(Map.of("version", "v1"))        // where v2 requests go while v2 is down
 *         .build();
 * Selection s = orders.select(RequestContext.empty().withSubset(Map.of("version", "v2")));
 * }</pre>
 *
 * <p>Thread-safety: an enum, immutable.
 */
public enum SubsetFallback {
    /** Fail the select with {@link NoBackendAvailableException} (the default: a tenant's requests never leak). */
    NONE,
    /** Pick from the whole pool, as a request without a subset would. */
    ANY,
    /**
     * Pick from the {@linkplain LoadBalancer.Builder#defaultSubset default subset}; if none of its backends is
     * available either, fail with {@link NoBackendAvailableException}.
     */
    DEFAULT
}

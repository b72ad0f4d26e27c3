package io.github.lb4j.core;

/**
 * Receives a pool's {@link LoadBalancerEvent events}. Register with {@link LoadBalancer.Builder#listener}.
 *
 * <pre>{@code
 * LoadBalancer pool = LoadBalancer.builder("orders")
 *         .backends(backends)
 *         .listener(event -> log.info("lb event: {}", event))
 *         .build();
 * }</pre>
 *
 * <p>A pool calls its listeners outside its update lock, one event at a time and in the order of the changes, on the
 * thread that made the change (a thread completing a {@link Selection}, calling
 * {@link LoadBalancer#updateBackends}, or finishing a health check). Keep listeners quick: a slow listener delays
 * that thread. A listener that throws is logged and skipped; the pool and the other listeners carry on.
 *
 * <p>Thread-safety: may be called from different threads over time, never concurrently for one pool.
 */
@FunctionalInterface
public interface LoadBalancerListener {

    /** @param event what happened */
    void onEvent(LoadBalancerEvent event);
}

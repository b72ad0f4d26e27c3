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
 * <p>A pool calls its listeners outside its update lock, one event at a time and in the order of the changes, each
 * event exactly once (unless the {@linkplain LoadBalancer.Builder#eventQueueCapacity event queue} overflowed, which
 * is logged at WARN). They run on the pool's {@linkplain LoadBalancer.Builder#listenerExecutor listener executor}
 * (by default two daemon threads {@code lb4j-events-N} shared by every pool), never on the thread that made the
 * change: a request thread completing a {@link Selection} that ejects a backend, a {@link LoadBalancer#updateBackends}
 * caller or a health check only queue the event. A slow listener therefore delays later events, not requests; a
 * listener that blocks for long should get an executor of its own. A listener that throws is logged and skipped;
 * the pool and the other listeners carry on.
 *
 * <p>Thread-safety: may be called from different threads over time, never concurrently for one pool; what a
 * listener saw of one event happens-before its call for the next.
 */
@FunctionalInterface
public interface LoadBalancerListener {

    /** @param event what happened */
    void onEvent(LoadBalancerEvent event);
}

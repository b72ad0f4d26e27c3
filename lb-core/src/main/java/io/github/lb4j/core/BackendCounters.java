package io.github.lb4j.core;

/**
 * The part of {@link BackendState} that every pick and outcome touches: the in-flight word, the success run of
 * passive health, the pool and the current {@link Backend}. A superclass only for field layout (see
 * {@link BackendState}): these fields take the first 32 bytes of the object, so one cache line holds them.
 */
abstract class BackendCounters {

    /** In flight (bits 0-23) and completed (bits 24-63); accessed only through {@code BackendState}'s VarHandles. */
    @SuppressWarnings("unused")
    volatile long load;

    // Passive outlier detection, request path. successRun counts successes fed to the breaker since the last
    // failure; once it reaches the window size the window holds only successes and further successes are not fed.
    // Updated racily: a lost increment only feeds one success more.
    /** Successes in a row since the last failure, up to the pool's clean-run length; MAX_VALUE before any failure. */
    volatile int successRun = Integer.MAX_VALUE;

    final DefaultLoadBalancer pool;
    /** The latest Backend value for this id (weight and metadata may change while the id stays). */
    volatile Backend backend;

    BackendCounters(DefaultLoadBalancer pool, Backend backend) {
        this.pool = pool;
        this.backend = backend;
    }
}

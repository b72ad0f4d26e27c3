package io.github.lb4j.core;

/**
 * The peak-EWMA latency estimate of {@link BackendState}, laid out right after {@link BackendCounters} so that a
 * latency-aware pick and its outcome touch one or two adjacent cache lines (see {@link BackendState}).
 *
 * <p>Written racily by completing threads (a lost update only drops one sample) with opaque accesses through
 * {@code BackendState}'s VarHandles: atomic for 64-bit values, without the fence a volatile store costs on every
 * completion.
 */
abstract class BackendLatency extends BackendCounters {

    @SuppressWarnings("unused") // accessed through BackendState.EWMA
    double ewmaNanos;
    @SuppressWarnings("unused") // accessed through BackendState.EWMA_STAMP
    long ewmaStampNanos;
    /** Failed calls in a row fed to the estimate; reset by a successful sample. */
    @SuppressWarnings("unused") // accessed through BackendState.FAILURE_RUN
    int ewmaFailureRun;

    BackendLatency(DefaultLoadBalancer pool, Backend backend) {
        super(pool, backend);
    }
}

package io.github.lb4j.core;

/**
 * How a {@link Selection} ended: the first of its outcome calls wins, and the pool accounts for it once
 * ({@link DefaultLoadBalancer#onComplete}).
 */
enum Outcome {
    /** {@link Selection#success()}: counts as a success, latency recorded. */
    SUCCESS,
    /** {@link Selection#failure(Throwable)}: counts toward passive outlier detection, latency recorded as a penalty. */
    FAILURE,
    /** {@link Selection#ignore()}: neither success nor failure, latency recorded. */
    IGNORED,
    /**
     * {@link Selection#close()} without an outcome, or a leaked selection released by the leak detector: neither
     * success nor failure, and no latency (the call was abandoned, its duration means nothing).
     */
    CLOSED,
    /**
     * {@link Selection#overloaded}: neither success nor failure, latency recorded; the backend is avoided for the
     * window it asked for ({@link Overload}).
     */
    OVERLOADED;

    /** @return whether the call's duration is fed to the latency estimate */
    boolean recordsLatency() {
        return this != CLOSED;
    }
}

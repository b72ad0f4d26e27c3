package io.github.lb4j.core;

import java.time.Duration;
import java.util.Optional;

/**
 * Thrown by {@link LoadBalancer#select} when the pool has no backend it may pick: it is empty, every backend is
 * ejected, unhealthy or draining, or every backend was excluded by the {@link RequestContext}.
 *
 * <p>The message names the pool and counts its backends by state, for example
 * {@code pool 'orders': no backend available (0 of 3; 2 ejected, 1 draining)}. When backends are out because they
 * said they are overloaded ({@link Selection#overloaded}), it also says when the first is due back, and
 * {@link #retryAfter()} returns that time, so a caller can fail fast and tell its own caller when to come back:
 * {@code pool 'orders': no backend available (0 of 2; 2 overloaded); the first overloaded backend is due back in 12s}.
 *
 * <p>Thread-safety: immutable after construction, like any exception.
 */
public final class NoBackendAvailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String poolName;
    /** Null: no backend is out for an overload window. */
    private final Duration retryAfter;

    /**
     * @param poolName the pool's name
     * @param message the full message
     */
    public NoBackendAvailableException(String poolName, String message) {
        this(poolName, message, null);
    }

    /**
     * @param poolName the pool's name
     * @param message the full message
     * @param retryAfter when the first overloaded backend is due back, or null if none is overloaded
     */
    public NoBackendAvailableException(String poolName, String message, Duration retryAfter) {
        super(message);
        this.poolName = poolName;
        this.retryAfter = retryAfter;
    }

    /**
     * @return how long until the first of the pool's {@link BackendHealth#OVERLOADED} backends is due back (zero if
     *     its window just ended), or empty if none was overloaded when the select failed
     */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** @return the name of the pool that had nothing to pick */
    public String poolName() {
        return poolName;
    }
}

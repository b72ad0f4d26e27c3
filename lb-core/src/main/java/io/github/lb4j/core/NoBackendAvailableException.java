package io.github.lb4j.core;

/**
 * Thrown by {@link LoadBalancer#select} when the pool has no backend it may pick: it is empty, every backend is
 * ejected, unhealthy or draining, or every backend was excluded by the {@link RequestContext}.
 *
 * <p>The message names the pool and counts its backends by state, for example
 * {@code pool 'orders': no backend available (0 of 3; 2 ejected, 1 draining)}.
 */
public final class NoBackendAvailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String poolName;

    /**
     * @param poolName the pool's name
     * @param message the full message
     */
    public NoBackendAvailableException(String poolName, String message) {
        super(message);
        this.poolName = poolName;
    }

    /** @return the name of the pool that had nothing to pick */
    public String poolName() {
        return poolName;
    }
}

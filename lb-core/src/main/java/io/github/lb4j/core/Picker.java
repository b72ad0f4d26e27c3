package io.github.lb4j.core;

/**
 * An immutable picker over one snapshot of eligible backends. Built on the update path, used lock-free on the
 * request path. Implementations may read (never write) per-backend counters and may advance shared cursors.
 */
interface Picker {

    /**
     * @param ctx the request's context; the caller guarantees that at least one backend is not excluded
     * @param now the pool's clock, read once per pick when the strategy {@link Strategy#usesClock() uses it}, else 0
     * @return the backend to use; never null (a picker is only built over a non-empty set)
     */
    BackendState pick(RequestContext ctx, long now);

    /**
     * The same choice as {@link #pick}, for {@link LoadBalancer#pick(RequestContext)}, which needs the backend's
     * value and not its state. A picker that keeps the values beside its states overrides this to return one
     * without touching the state object (one cache miss less per pick in a large pool).
     *
     * @param ctx as for {@link #pick}; never pinned, with no exclusions
     * @param now as for {@link #pick}
     * @return the chosen backend's current value
     */
    default Backend pickBackend(RequestContext ctx, long now) {
        return pick(ctx, now).backend;
    }
}

package io.github.lb4j.core;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects one {@link BackendSource} to one pool: the {@link BackendSource.Sink} the source pushes to. Enforces
 * keep-last-good and turns every problem with a pushed set into a WARN line, so that discovery never throws into the
 * source's thread or the pool's callers.
 */
final class SourceBinding implements BackendSource.Sink {

    private static final Logger log = LoggerFactory.getLogger(BackendSource.class);

    private final DefaultLoadBalancer pool;
    private final BackendSource source;
    private volatile boolean closed;

    private SourceBinding(DefaultLoadBalancer pool, BackendSource source) {
        this.pool = pool;
        this.source = source;
    }

    /** Starts {@code source} feeding {@code pool}; null when there is no source. */
    static SourceBinding start(DefaultLoadBalancer pool, BackendSource source) {
        if (source == null) {
            return null;
        }
        SourceBinding binding = new SourceBinding(pool, source);
        source.start(binding);
        log.debug("pool '{}': started backend source {}", pool.name, source);
        return binding;
    }

    @Override
    public String poolName() {
        return pool.name;
    }

    @Override
    public boolean update(Collection<Backend> backends) {
        Objects.requireNonNull(backends, "backends");
        if (closed) {
            return false;
        }
        List<Backend> set;
        try {
            set = Membership.check(backends);
        } catch (IllegalArgumentException | NullPointerException e) {
            log.warn("pool '{}': {} pushed an invalid backend set ({}); keeping the current {} backend(s)",
                    pool.name, source, e.getMessage(), pool.backends().size());
            return false;
        }
        if (set.isEmpty() && !source.allowsEmpty()) {
            int current = pool.backends().size();
            if (current > 0) {
                log.warn("pool '{}': {} found no backends; keeping the last good set of {} backend(s)", pool.name,
                        source, current);
            } else {
                log.warn("pool '{}': {} found no backends; the pool has none", pool.name, source);
            }
            return false;
        }
        try {
            if (!pool.apply(set)) {
                pool.confirmMembership(); // the registry said again what the pool has: still current
            }
            return true;
        } catch (IllegalStateException poolClosed) {
            return false;
        }
    }

    @Override
    public void confirmed() {
        if (!closed) {
            pool.confirmMembership();
        }
    }

    @Override
    public void failed(String reason, Throwable cause) {
        Objects.requireNonNull(reason, "reason");
        if (closed) {
            return;
        }
        int current = pool.backends().size();
        if (current > 0) {
            log.warn("pool '{}': discovery failed: {}; keeping the last good set of {} backend(s)", pool.name,
                    reason, current);
        } else {
            log.warn("pool '{}': discovery failed: {}; the pool has no backends yet", pool.name, reason);
        }
        if (cause != null) {
            log.debug("pool '{}': discovery failure detail", pool.name, cause);
        }
    }

    void close() {
        closed = true;
        try {
            source.close();
        } catch (RuntimeException e) {
            log.warn("pool '{}': closing {} failed: {}", pool.name, source, e.toString());
        }
    }
}

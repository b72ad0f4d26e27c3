package io.github.lb4j.core;

import java.util.Collection;
import java.util.List;

/**
 * A {@link BackendSource} that the application feeds: each {@link #update} hands the pool a complete new set. Use it
 * to bridge a discovery client that has its own callback API (a Consul watch, a Kubernetes informer) to a pool.
 *
 * <pre>{@code
 * ProgrammaticBackendSource source = BackendSource.programmatic();
 * LoadBalancer pool = LoadBalancer.builder("orders").source(source).build();
 * registry.onChange(instances -> source.update(toBackends(instances)));
 * }</pre>
 *
 * <p>Updates made before the pool starts the source are kept, and the latest one is applied when it starts. An empty
 * update is ignored while the pool has backends, unless created with {@link BackendSource#programmatic(boolean)
 * programmatic(true)}.
 *
 * <p>Thread-safety: safe to call from any thread; concurrent updates are applied one at a time, in the order they
 * take this source's lock.
 */
public final class ProgrammaticBackendSource implements BackendSource {

    private final boolean allowEmpty;
    private final Object lock = new Object();
    private Sink sink;
    private List<Backend> pending;
    private boolean closed;

    ProgrammaticBackendSource(boolean allowEmpty) {
        this.allowEmpty = allowEmpty;
    }

    /**
     * Hands the pool a complete new set.
     *
     * @param backends the complete set, without duplicate ids
     * @return true if the pool now has this set (or will when it starts); false if the pool ignored it (an empty set
     *         under keep-last-good) or is closed
     * @throws IllegalArgumentException if two backends share an id
     * @throws IllegalStateException if this source is closed
     */
    public boolean update(Collection<Backend> backends) {
        List<Backend> set = Membership.check(backends);
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("source is closed");
            }
            if (sink == null) {
                pending = set;
                return true;
            }
            return sink.update(set);
        }
    }

    @Override
    public void start(Sink sink) {
        synchronized (lock) {
            if (this.sink != null) {
                throw new IllegalStateException("source already started by pool '" + this.sink.poolName()
                        + "'; a programmatic source feeds one pool");
            }
            if (closed) {
                throw new IllegalStateException("source is closed");
            }
            this.sink = sink;
            if (pending != null) {
                sink.update(pending);
                pending = null;
            }
        }
    }

    @Override
    public boolean allowsEmpty() {
        return allowEmpty;
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
    }

    @Override
    public String toString() {
        return "ProgrammaticBackendSource";
    }
}

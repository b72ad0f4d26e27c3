package io.github.lb4j.core;

import java.util.List;

/** {@link BackendSource#of}: pushes one fixed set when started. Stateless, so any number of pools may share it. */
final class StaticBackendSource implements BackendSource {

    private final List<Backend> backends;

    StaticBackendSource(List<Backend> backends) {
        this.backends = backends;
    }

    @Override
    public void start(Sink sink) {
        sink.update(backends);
    }

    /** The user wrote the list down; an empty one is meant. */
    @Override
    public boolean allowsEmpty() {
        return true;
    }

    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "StaticBackendSource" + backends;
    }
}

package io.github.lb4j.spring.boot;

import io.github.lb4j.core.BackendSource;

/**
 * A source together with a registry client the starter opened for it: the pool's close closes the source, then the
 * client. Clients that are the application's beans are never wrapped (the application owns them).
 */
final class OwningSource implements BackendSource {

    private final BackendSource source;
    private final Runnable closeClient;

    OwningSource(BackendSource source, Runnable closeClient) {
        this.source = source;
        this.closeClient = closeClient;
    }

    @Override
    public void start(Sink sink) {
        source.start(sink);
    }

    @Override
    public boolean allowsEmpty() {
        return source.allowsEmpty();
    }

    @Override
    public void close() {
        try {
            source.close();
        } finally {
            try {
                closeClient.run();
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(OwningSource.class)
                        .warn("closing the discovery client of {} failed: {}", source, e.toString());
            }
        }
    }

    @Override
    public String toString() {
        return source.toString();
    }
}

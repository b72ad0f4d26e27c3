package io.github.lb4j.http;

import io.github.lb4j.core.NoBackendAvailableException;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Thrown by a call through any lb4j HTTP adapter when the route's pool has no backend to pick: the checked,
 * {@link IOException} form of the core's {@link NoBackendAvailableException}, so that a client's synchronous call
 * throws it and its asynchronous call fails with it (OkHttp: {@code Callback.onFailure}; the JDK client: the
 * future).
 *
 * <pre>{@code
 * try (Response response = client.newCall(request).execute()) {
 *     ...
 * } catch (NoBackendAvailableIOException e) {
 *     log.warn("{}", e.getMessage());   // pool 'orders': no backend available (0 of 3; 2 ejected, 1 draining)
 *     e.retryAfter().ifPresent(wait -> log.warn("all overloaded; back in {}", wait));
 * }
 * }</pre>
 *
 * <p>Thread-safety: immutable after construction, like any exception.
 */
public final class NoBackendAvailableIOException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String poolName;
    /** Null: no backend was out for an overload window. */
    private final Duration retryAfter;

    /**
     * @param cause the core's exception; its message, pool name and retry time are carried over
     */
    public NoBackendAvailableIOException(NoBackendAvailableException cause) {
        super(Objects.requireNonNull(cause, "cause").getMessage(), cause);
        this.poolName = cause.poolName();
        this.retryAfter = cause.retryAfter().orElse(null);
    }

    /**
     * @return when the first of the pool's backends that answered {@code Retry-After} is due back, or empty if
     *     none was out for that reason (see {@link NoBackendAvailableException#retryAfter()})
     */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** @return the name of the pool that had nothing to pick */
    public String poolName() {
        return poolName;
    }
}

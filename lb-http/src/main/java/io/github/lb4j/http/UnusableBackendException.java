package io.github.lb4j.http;

import java.io.IOException;

/**
 * Adapter SPI: thrown by {@link HttpExchange#send(Attempt)} when the adapter cannot address the picked backend at
 * all, before anything is sent: a host its client cannot put in a URL, an address it refuses. The engine reports it
 * as that backend's failure (so passive health can eject it) and retries the call on another backend whatever the
 * method, like a refused connection.
 *
 * <p>Thread-safety: immutable after construction, like any exception.
 */
public final class UnusableBackendException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what was wrong with the backend, naming the route and the backend id (not the request's URL,
     *     whose query may carry credentials)
     * @param cause the client's own complaint, or null
     */
    public UnusableBackendException(String message, Throwable cause) {
        super(message, cause);
    }
}

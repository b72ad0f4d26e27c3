package io.github.lb4j.http;

import java.net.SocketTimeoutException;

/**
 * An attempt did not answer (no response headers) within its route's
 * {@linkplain Route.Builder#perTryTimeout per-try timeout}: it was canceled and charged to its backend as a failure.
 * The engine retries such a request on another backend when it may be sent again; otherwise, or when no retry is
 * left, the call fails with this exception (earlier failures attached as suppressed). A subclass of
 * {@link SocketTimeoutException}, so code that handles a client's read timeout handles this one too.
 *
 * <p>Thread-safety: an immutable exception.
 */
public final class PerTryTimeoutException extends SocketTimeoutException {

    private static final long serialVersionUID = 1L;

    private final String routeName;
    private final String backendId;
    private final long timeoutMillis;

    PerTryTimeoutException(String routeName, String backendId, long timeoutMillis) {
        super("per-try timeout of route '" + routeName + "' after " + timeoutMillis + " ms (backend " + backendId
                + ')');
        this.routeName = routeName;
        this.backendId = backendId;
        this.timeoutMillis = timeoutMillis;
    }

    /** @return the route whose per-try timeout expired */
    public String routeName() {
        return routeName;
    }

    /** @return the id of the backend that did not answer in time */
    public String backendId() {
        return backendId;
    }

    /** @return the per-try timeout, in milliseconds */
    public long timeoutMillis() {
        return timeoutMillis;
    }
}

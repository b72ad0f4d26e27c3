package io.github.lb4j.http;

/**
 * Overrides, for one request, whether an lb4j adapter may send it again after it reached a backend
 * (a read timeout, a reset connection, a retryable status). Without this tag the method decides: GET, HEAD,
 * OPTIONS, PUT, DELETE and TRACE are idempotent, everything else is not.
 *
 * <pre>{@code
 * // a POST the server de-duplicates by its Idempotency-Key header: safe to retry on another backend
 * // (OkHttp: a request tag; other adapters say how they carry it)
 * Request request = new Request.Builder()
 *         .url("http://orders/api/orders")
 *         .header("Idempotency-Key", key)
 *         .post(body)
 *         .tag(Idempotency.class, Idempotency.IDEMPOTENT)
 *         .build();
 * }</pre>
 *
 * <p>Requests that failed before they were sent (connection refused, connect timeout, unknown host) are retried
 * whatever this tag says, and a one-shot request body that was already sent is never sent again.
 *
 * <p>Thread-safety: an immutable enum.
 */
public enum Idempotency {
    /** The request may be sent again after it reached a backend. */
    IDEMPOTENT,
    /** The request is never sent again once it may have reached a backend, even if its method is idempotent. */
    NOT_IDEMPOTENT
}

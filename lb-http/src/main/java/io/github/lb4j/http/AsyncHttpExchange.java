package io.github.lb4j.http;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * Adapter SPI: an {@link HttpExchange} for clients with an asynchronous API (the JDK client's {@code sendAsync},
 * Apache's async client, WebClient), passed to {@link HttpBalancer#executeAsync}. The engine runs the same
 * decisions as for a synchronous call without blocking a thread: backoff waits on a timer, and canceling the
 * returned future cancels the attempt in flight. Racing attempts (per-try timeout, hedging) are aborted by canceling
 * their future and by {@link #cancel(Attempt)}.
 *
 * <p>Thread-safety: as {@link HttpExchange}.
 *
 * @param <R> the client's response type
 */
public interface AsyncHttpExchange<R> extends HttpExchange<R> {

    /**
     * Starts one attempt to {@link Attempt#backend()}, with no retry of its own. Canceling the returned future must
     * abort the attempt.
     *
     * @param attempt the attempt, with the backend to send to
     * @return the response, or a failure: an {@link java.io.IOException} (or one wrapped in a
     *     {@link java.util.concurrent.CompletionException}) is a failure of the backend that may be retried
     */
    CompletableFuture<R> sendAsync(Attempt attempt);

    /**
     * For {@link HttpBalancer#execute}: an adapter whose client also has a blocking API (the JDK client) overrides
     * this; an asynchronous-only one (WebClient) keeps this default and is run only with
     * {@link HttpBalancer#executeAsync}, which never calls it.
     */
    @Override
    default R send(Attempt attempt) throws IOException {
        throw new UnsupportedOperationException("an asynchronous exchange is sent with sendAsync");
    }
}

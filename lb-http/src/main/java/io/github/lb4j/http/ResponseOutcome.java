package io.github.lb4j.http;

import io.github.lb4j.core.Selection;
import java.util.Objects;

/**
 * Adapter SPI: the outcome of the attempt whose response goes to the application, reported when the response body is
 * finished. {@link HttpBalancer} classifies the response (success, or a failure by the route's
 * {@linkplain Route.Builder#failureWhen classifier}, or an overload signal: see {@link Route}) and hands this to
 * {@link HttpExchange#deliver}; the adapter calls
 * {@link #finished()} when the body is read to its end or closed (at once if the response has no body), or
 * {@link #failed(Throwable)} if reading the body fails. Until then the backend's in-flight slot stays held, so
 * strategies that count in-flight calls see streaming responses.
 *
 * <p>Thread-safety: thread-safe; only the first report counts, later ones (a second close) are ignored.
 */
public final class ResponseOutcome {

    private final Selection selection;
    /** null: the response counts as a success. */
    private final Throwable failure;

    ResponseOutcome(Selection selection, Throwable failure) {
        this.selection = selection;
        this.failure = failure;
    }

    /**
     * The body was read to its end or closed: reports the classified outcome (a 429 or 503 with a valid
     * {@code Retry-After} as {@link Selection#overloaded}).
     */
    public void finished() {
        if (failure == null) {
            selection.success();
        } else if (failure instanceof RetryAfter.Overloaded) {
            selection.overloaded(((RetryAfter.Overloaded) failure).retryAfter());
        } else {
            selection.failure(failure);
        }
    }

    /**
     * Reading the body failed: reports the backend's failure.
     *
     * @param cause what reading the body threw
     */
    public void failed(Throwable cause) {
        selection.failure(Objects.requireNonNull(cause, "cause"));
    }

    /**
     * @return whether the route classified the response as a failure (an overload signal, a 429 or 503 with a valid
     *     {@code Retry-After}, is not one)
     */
    public boolean isFailure() {
        return failure != null && !(failure instanceof RetryAfter.Overloaded);
    }

    @Override
    public String toString() {
        return "ResponseOutcome{" + selection.backend().id() + (failure == null ? ", success}" : ", failure}");
    }
}

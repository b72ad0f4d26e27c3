package io.github.lb4j.http;

import io.github.lb4j.core.Selection;
import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives a {@link BalancedCall}'s steps from callbacks, so that an asynchronous client never blocks a thread: each
 * attempt's future completes into {@link #onAttemptDone}, which either delivers, fails, or schedules the next attempt
 * after the backoff on a timer. Canceling the returned future cancels the attempt in flight; a selection whose
 * caller went away is closed without an outcome (the backend did nothing wrong).
 *
 * <p>Thread-safety: callbacks of one call run one after another; {@link #current} is volatile for cancel().
 */
final class AsyncBalancedCall<R> {

    private static final Logger LOG = LoggerFactory.getLogger(AsyncBalancedCall.class);

    private final BalancedCall<R> call;
    private final AsyncHttpExchange<R> exchange;
    private final CompletableFuture<R> result = new CompletableFuture<>();
    /** The attempt in flight, canceled with the result. */
    private volatile CompletableFuture<R> current;

    AsyncBalancedCall(BalancedCall<R> call, AsyncHttpExchange<R> exchange) {
        this.call = call;
        this.exchange = exchange;
    }

    CompletableFuture<R> start() {
        result.whenComplete((r, t) -> {
            CompletableFuture<R> inFlight = current;
            if (result.isCancelled() && inFlight != null) {
                inFlight.cancel(true);
            }
        });
        Selection first;
        try {
            first = call.firstSelection();
        } catch (IOException e) {
            result.completeExceptionally(e);
            return result;
        }
        attempt(1, first);
        return result;
    }

    private void attempt(int n, Selection selection) {
        try {
            send(n, selection);
        } catch (Throwable t) {
            // Whatever breaks here (a listener, a client's bug, a thread that cannot be made) must end the call:
            // thrown from a timer task or a future's callback, it would otherwise vanish and leave it hanging.
            selection.close();
            fail(t);
        }
    }

    private void send(int n, Selection selection) {
        if (result.isDone() || exchange.isCanceled()) {
            selection.close();
            result.completeExceptionally(call.withSuppressed(new IOException("Canceled")));
            return;
        }
        Attempt attempt = new Attempt(n, selection);
        call.attemptStarted(attempt, n == 1 ? RouteListener.AttemptKind.FIRST : RouteListener.AttemptKind.RETRY);
        CompletableFuture<R> future;
        try {
            future = exchange.sendAsync(attempt);
        } catch (RuntimeException | Error e) {
            selection.failure(e);
            result.completeExceptionally(e);
            return;
        }
        current = future;
        if (result.isCancelled()) {
            future.cancel(true);
        }
        future.whenComplete((response, thrown) -> {
            try {
                onAttemptDone(attempt, response, thrown);
            } catch (Throwable t) {
                if (response != null && !result.isDone()) {
                    exchange.discard(response);
                }
                selection.close();
                fail(t);
            }
        });
    }

    /** Ends the call with a failure of lb4j's own or of a callback: never left to a future's silent swallowing. */
    private void fail(Throwable t) {
        if (result.completeExceptionally(t)) {
            LOG.warn("route '{}': call failed inside lb4j's attempt chain: {}", call.route.name(), t.toString());
        }
    }

    private void onAttemptDone(Attempt attempt, R response, Throwable thrown) {
        Selection selection = attempt.selection();
        if (thrown != null) {
            Throwable cause = unwrap(thrown);
            if (result.isCancelled()) {
                selection.close(); // the caller canceled: not the backend's failure
                return;
            }
            selection.failure(cause);
            if (!(cause instanceof IOException)) {
                result.completeExceptionally(cause);
                return;
            }
            try {
                next(attempt.number(), call.recover(attempt, (IOException) cause));
            } catch (IOException e) {
                result.completeExceptionally(e);
            }
            return;
        }
        if (result.isDone()) {
            exchange.discard(response);
            selection.close();
            return;
        }
        try {
            HttpResponseView view = exchange.view(response);
            Throwable failure = call.classify(attempt, response, view);
            Selection next = call.retryOnStatus(attempt, response, view, failure);
            if (next == null) {
                R delivered = call.deliver(response, selection, failure);
                if (!result.complete(delivered)) {
                    exchange.discard(delivered); // canceled in the meantime; its outcome is reported on discard
                }
                return;
            }
            next(attempt.number(), next);
        } catch (RuntimeException | Error e) {
            result.completeExceptionally(e);
        }
    }

    /**
     * Attempt {@code n + 1} on {@code next}, after the backoff, from the balancer's timer thread rather than a
     * sleeping one. (Not {@code CompletableFuture.delayedExecutor}: its default executor starts a new thread per task
     * on a machine of one or two cores, where the common pool is not used.)
     */
    private void next(int n, Selection next) {
        long delay = call.backoffNanos(n);
        if (delay <= 0) {
            attempt(n + 1, next);
            return;
        }
        try {
            call.timer().schedule(() -> attempt(n + 1, next), delay);
        } catch (RuntimeException rejected) {
            next.close();
            fail(new IOException("route '" + call.route.name() + "': the timer refused the next attempt's backoff",
                    rejected));
        }
    }

    private static Throwable unwrap(Throwable t) {
        Throwable cause = t;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof CancellationException ? new IOException("Canceled", cause) : cause;
    }
}

package io.github.lb4j.http;

/**
 * The steps of one call on a route, as a {@link RouteListener} hears them. Every method has an empty default, so an
 * implementation overrides only what it needs. For one call, {@link #callFinished} comes exactly once and last
 * (except that a cancellation is reported from the canceling thread, so an attempt's step may still come after it).
 *
 * <pre>{@code
 * CallListener retries = new CallListener() {
 *     @Override
 *     public void attemptStarted(Attempt attempt, RouteListener.AttemptKind kind) {
 *         if (kind == RouteListener.AttemptKind.RETRY) {
 *             retryCounter.increment();
 *         }
 *     }
 * };
 * }</pre>
 *
 * <p>Thread-safety: the steps of one call may come from different threads (the caller's, the client's callback
 * threads, lb4j's timer thread), one after another but for a cancellation; implementations must be thread-safe. They
 * must be quick and must not block: they run on the request path.
 */
public interface CallListener {

    /** Ignores every step. */
    CallListener NONE = new CallListener() {
        @Override
        public String toString() {
            return "CallListener.NONE";
        }
    };

    /**
     * An attempt was handed to the client.
     *
     * @param attempt the attempt (its number and backend)
     * @param kind first, retry or hedge
     */
    default void attemptStarted(Attempt attempt, RouteListener.AttemptKind kind) {
    }

    /**
     * A retry or a hedge would have been sent but the route's retry budget was spent; a refused retry returns the
     * last failure (or response) to the caller.
     *
     * @param kind {@link RouteListener.AttemptKind#RETRY} or {@link RouteListener.AttemptKind#HEDGE}
     */
    default void budgetRefused(RouteListener.AttemptKind kind) {
    }

    /**
     * An attempt had no response headers after the route's per-try timeout and was aborted (it is then retried or
     * ends the call, by the usual rules).
     *
     * @param attempt the attempt
     */
    default void perTryTimeout(Attempt attempt) {
    }

    /**
     * The call ended: a response was handed to the application (before its body is read) or a failure thrown.
     *
     * @param outcome how
     * @param failure what the call failed with, for {@link RouteListener.Outcome#ERROR} and
     *     {@link RouteListener.Outcome#CANCELED}; null otherwise
     * @param durationNanos from {@link RouteListener#callStarted} to now, on the balancer's ticker
     */
    default void callFinished(RouteListener.Outcome outcome, Throwable failure, long durationNanos) {
    }
}

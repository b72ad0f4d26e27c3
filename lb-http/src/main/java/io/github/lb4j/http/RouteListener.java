package io.github.lb4j.http;

/**
 * Watches the calls of a route: set it with {@link Route.Builder#listener(RouteListener)}, and every adapter's calls
 * on that route report to it. For each call the engine asks {@link #callStarted} for a {@link CallListener}, tells it
 * each attempt (first, retry or hedge), each retry or hedge the retry budget refused, each per-try timeout, and at
 * last how the call ended, with its duration on the balancer's ticker. lb-micrometer's {@code RouteMetrics} (meters)
 * and {@code ObservationRouteListener} (Micrometer observations) are the two lb4j provides.
 *
 * <pre>{@code
 * RouteListener slowCalls = (route, request) -> new CallListener() {
 *     @Override
 *     public void callFinished(RouteListener.Outcome outcome, Throwable failure, long durationNanos) {
 *         if (durationNanos > 1_000_000_000L) {
 *             log.info("route {}: {} call took {} ms", route.name(), outcome, durationNanos / 1_000_000);
 *         }
 *     }
 * };
 * Route orders = Route.builder("orders", ordersPool).listener(slowCalls).build();
 * }</pre>
 *
 * <p>Cost: a route without a listener pays one null check per step and allocates nothing for it. With one,
 * {@link #callStarted} runs on the calling thread for each call and may return one shared object (as the metrics
 * listener does) so that nothing is allocated per call. A listener that throws is logged at WARN and the call goes on
 * as if it had not been there.
 *
 * <p>What a listener sees carries no request detail beyond what it reads itself from the {@link HttpRequestView}:
 * a listener that makes metric tags or log lines must not take URLs, query strings or headers into them (they carry
 * credentials and are unbounded).
 *
 * <p>Thread-safety: implementations must be thread-safe; {@link #callStarted} runs concurrently for concurrent calls.
 */
@FunctionalInterface
public interface RouteListener {

    /**
     * A call on {@code route} starts (before its first backend is picked).
     *
     * @param route the route
     * @param request the call's request, to read on this thread only (for instance its method)
     * @return the listener of this call's steps; {@link CallListener#NONE} to ignore it
     */
    CallListener callStarted(Route route, HttpRequestView request);

    /** Why an attempt was sent. */
    enum AttemptKind {
        /** The first attempt of a call. */
        FIRST,
        /** A retry after a failed attempt or a retryable status (it counts against the route's max attempts). */
        RETRY,
        /** A hedge: the same request on another backend while an earlier attempt is still out. */
        HEDGE;

        private final String label = name().toLowerCase(java.util.Locale.ROOT);

        /** @return the name in lower case, as metric tags spell it: {@code first}, {@code retry}, {@code hedge} */
        public String label() {
            return label;
        }
    }

    /** How a call ended. */
    enum Outcome {
        /** A response was handed to the application and the route's classifier counts it as a success. */
        SUCCESS,
        /** A response was handed to the application and the route's classifier counts it as a failure (a 503 left
         *  after the retries, for instance). */
        FAILURE,
        /** The call failed with an exception: no backend, a per-try timeout or I/O failure of the last attempt, a
         *  classifier that threw... */
        ERROR,
        /** The caller canceled the call (or its call timeout did) before a response was handed over. */
        CANCELED;

        private final String label = name().toLowerCase(java.util.Locale.ROOT);

        /** @return the name in lower case: {@code success}, {@code failure}, {@code error}, {@code canceled} */
        public String label() {
            return label;
        }
    }
}

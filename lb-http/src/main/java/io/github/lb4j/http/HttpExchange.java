package io.github.lb4j.http;

import io.github.lb4j.core.RequestContext;
import java.io.IOException;

/**
 * Adapter SPI: one call of an HTTP client, as {@link HttpBalancer} sees it. An adapter implements this per call,
 * over its client's request type, and passes it to {@link HttpBalancer#execute}; the engine then decides which
 * backend each attempt goes to, whether a failed attempt is retried, and which outcome each backend is charged
 * with. The adapter only reads its request, sends one attempt, and says when a response body is finished.
 *
 * <pre>{@code
 * final class MyExchange implements HttpExchange<MyResponse> {
 *     public HttpRequestView request()        { return view; }          // method, URI, headers of the call
 *     public boolean hasBody()                { return request.body() != null; }
 *     public boolean bodyReplayable()         { return request.body() == null || request.body().isRepeatable(); }
 *     public MyResponse send(Attempt attempt) throws IOException {
 *         MyRequest rewritten = rewrite(request, attempt.backend());   // UnusableBackendException if impossible
 *         return client.send(rewritten, attempt::bodyWriteStarted);     // one attempt, no retries of its own
 *     }
 *     public HttpResponseView view(MyResponse r)  { return new MyResponseView(r); }
 *     public void discard(MyResponse r)           { r.close(); }
 *     public MyResponse deliver(MyResponse r, ResponseOutcome outcome) { return r.onBodyDone(outcome::finished); }
 * }
 * }</pre>
 *
 * <p>Per-try timeouts and hedging ({@link Route.Builder#perTryTimeout}, {@link Hedging}): for a route with either,
 * the engine runs each attempt of a synchronous call with {@link #send} on its attempt executor
 * ({@link HttpBalancer.Builder#attemptExecutor}) while the caller's thread waits for the winner, so two attempts of
 * one exchange may be in flight at once on two threads; a losing or timed-out attempt is aborted with
 * {@link #cancel(Attempt)} (and its thread interrupted). An adapter whose {@code send} cannot run concurrently
 * (it must go through a client object that serves one request at a time) returns false from
 * {@link #supportsConcurrentAttempts()}: its attempts then stay on the caller's thread, a per-try timeout aborts
 * them through {@link #cancel(Attempt)} only, and its synchronous calls are not hedged.
 *
 * <p>Thread-safety: the engine calls {@link #view}, {@link #discard} and {@link #deliver} from one thread at a time;
 * {@link #send} (or {@code sendAsync}) may run for two attempts at once, and {@link #cancel(Attempt)} may be called
 * from any thread while {@code send} runs: keep per-attempt state in locals or keyed by the {@link Attempt}, never in
 * fields of the exchange.
 *
 * @param <R> the client's response type
 */
public interface HttpExchange<R> {

    /** @return the request as the route's hash-key function sees it */
    HttpRequestView request();

    /** @return a {@link RequestContext} the application attached to this request (hash key, pin), or null */
    default RequestContext context() {
        return null;
    }

    /** @return an {@link Idempotency} the application attached to this request, or null: the method decides */
    default Idempotency idempotency() {
        return null;
    }

    /**
     * @return whether the request has a body; if so, {@link #send} must call {@link Attempt#bodyWriteStarted()}
     *     before the body's first byte is written
     */
    boolean hasBody();

    /**
     * @return whether the body, if any, can be sent a second time (false for one-shot bodies such as an input
     *     stream, and for duplex bodies); a body that cannot is never re-sent once it started
     */
    boolean bodyReplayable();

    /**
     * Sends the request once to {@link Attempt#backend()}, with no retry of its own, and returns the response with
     * its body not yet read.
     *
     * @param attempt the attempt, with the backend to send to
     * @return the response
     * @throws UnusableBackendException if the backend cannot be addressed at all (nothing was sent)
     * @throws IOException as the client throws it
     */
    R send(Attempt attempt) throws IOException;

    /**
     * @param response a response {@link #send} returned
     * @return its status and headers for the route's failure classifier
     */
    HttpResponseView view(R response);

    /**
     * Releases a response that will be retried instead of returned (close it, drain or abort its body).
     *
     * @param response a response {@link #send} returned
     */
    void discard(R response);

    /**
     * Hands the final response to the application. The adapter reports {@code outcome} when the response body is
     * finished (read to its end or closed; at once if it has none) and may wrap the response to find out when.
     *
     * @param response the response {@link #send} returned
     * @param outcome to report when the body is finished
     * @return what the application receives
     */
    R deliver(R response, ResponseOutcome outcome);

    /** @return whether the application canceled the call (or its call timeout expired): no retry, no backoff */
    boolean isCanceled();

    /**
     * Aborts {@code attempt}'s request if it is still in flight, so that a blocked {@link #send} returns (throwing)
     * soon: the engine calls it when the attempt's per-try timeout expires or another attempt won the race. It may be
     * called from any thread, before {@code send} started, while it runs or after it returned; it must not block and
     * may be called more than once.
     *
     * <p>The default does nothing. The engine does not depend on it for correctness: a canceled attempt's selection
     * is closed at once (its backend charged nothing, its slot released), a response it still returns is discarded,
     * and the thread running it on the attempt executor is interrupted. Implementing it frees the connection and the
     * thread at once rather than at the client's own read timeout.
     *
     * @param attempt an attempt given to {@link #send} or {@code sendAsync}
     */
    default void cancel(Attempt attempt) {
    }

    /**
     * @return whether {@link #send} may run for two attempts of this exchange at once on two threads other than the
     *     caller's (the default, as this interface always asked); false keeps every attempt on the caller's thread:
     *     per-try timeouts then work through {@link #cancel(Attempt)} only, and synchronous calls are not hedged
     */
    default boolean supportsConcurrentAttempts() {
        return true;
    }
}
